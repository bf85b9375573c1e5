"""Deadlines on the monotonic clock, shared by the run's planner and the per-task loops,
and the moment the process started, from which a run's time budget is counted."""

from __future__ import annotations

import math
import os
import time

# Field 22 of /proc/self/stat: the process's start, in clock ticks after boot (CLOCK_BOOTTIME).
PROC_STAT = "/proc/self/stat"
STAT_STARTTIME_FIELD = 22


def process_start(fallback: float) -> float:
    """When this process started, on the time.monotonic() clock; `fallback` where it cannot be read.

    A time budget covers the whole run, interpreter start-up and imports included (seconds
    on a busy machine), so it is counted from the kernel's record of the process start on
    Linux (resolution one clock tick, 10 ms). `fallback` is the entry point's first
    time.monotonic() reading, taken before any heavy import: the best there is elsewhere.
    Never later than `fallback`.
    """
    try:
        with open(PROC_STAT, encoding="ascii") as handle:
            stat = handle.read()
        # The command name (field 2) is in parentheses and may hold spaces: split after its last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[STAT_STARTTIME_FIELD - 3])
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux, or no /proc
        return fallback
    started = time.monotonic() - age
    return min(started, fallback) if age >= 0 else fallback


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
