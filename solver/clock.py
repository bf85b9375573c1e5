"""Deadlines on the monotonic clock, shared by the run's planner and the per-task loops."""

from __future__ import annotations

import math
import time


class Deadline:
    """A wall-clock limit (time.monotonic seconds), or none."""

    def __init__(self, at: float | None):
        self.at = at

    @classmethod
    def in_seconds(cls, seconds: float | None) -> Deadline:
        return cls(None if seconds is None else time.monotonic() + seconds)

    def remaining(self) -> float:
        return math.inf if self.at is None else self.at - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def allows(self, seconds: float) -> bool:
        """Whether work expected to last `seconds` (e.g. as long as the last piece) still fits."""
        return self.remaining() > seconds

    def earliest(self, other: Deadline) -> Deadline:
        candidates = [d for d in (self.at, other.at) if d is not None]
        return Deadline(min(candidates) if candidates else None)
