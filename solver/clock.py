"""Deadlines on the monotonic clock, shared by the run's planner and the per-task loops,
and the moment the interpreter started, from which a run's time budget is counted."""

from __future__ import annotations

import math
import os
import time

# Field 22 of /proc/self/stat: the process's start, in clock ticks after boot (CLOCK_BOOTTIME).
PROC_STAT = "/proc/self/stat"
STAT_STARTTIME_FIELD = 22
# An interpreter runs the entry point's first line well within this of its start (about
# 0.03 s, also on a loaded machine); a process older than this there ran something else first.
MAX_INTERPRETER_START_S = 2.0


def process_start(fallback: float) -> float:
    """When this interpreter started, on the time.monotonic() clock; `fallback` where that is unknown.

    A time budget covers the whole run, interpreter start-up and imports included (seconds
    on a busy machine), so it is counted from the kernel's record of the process start on
    Linux (resolution one clock tick, 10 ms). `fallback` is the entry point's first
    time.monotonic() reading, taken before any heavy import: the best there is elsewhere.

    The kernel records when the process was created, and exec does not reset it: a shell
    that execs python as its last command (`bash -c 'pip install ... && python
    build_submission.py'`) makes the process older than its interpreter by all the shell's
    work. A process older than MAX_INTERPRETER_START_S at the first line ran something else
    first, and then the budget counts from `fallback`: only the interpreter's own start-up
    (a fraction of a second) is then left out, inside the final write's grace period.
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
    if age < 0 or fallback - started > MAX_INTERPRETER_START_S:
        return fallback
    return min(started, fallback)


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
