"""The search's clocks: the pass deadline, and where a task's time went, phase by phase.

Phases are named "<pass>.<phase>": the passes are `plain`, `normalised` (colours renumbered
by role) and `transposed`; their phases are `setup` (the library, the size rule, colour
normalisation), `enumeration` (applying transforms, hashing, dropping duplicates),
`fitting` (reading each new image as the outputs and fitting a final step), `pieces`
(keeping partial results and the greedy overlay) and, in the plain pass of a task no pass
found a program for, `ends` (the ops the compiled levels leave out ending its depth-2 states).
`ranking` (reused outputs, the order of the answers) closes the task. The phases of one task
add up to its whole search time.
"""

from __future__ import annotations

import time


class OutOfTime(Exception):
    """A pass's deadline passed; the pass stops and keeps what it found."""


class PhaseTimes:
    """CPU and wall seconds per phase, accumulated by switching from phase to phase.

    A switch reads two clocks (about 0.4 us: time.process_time is a system call), so the
    search switches per new state, never per transform tried.
    """

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.current: str | None = None
        self._cpu_mark = time.process_time()
        self._wall_mark = time.perf_counter()

    def switch(self, phase: str | None) -> str | None:
        """Charge the time since the last switch to the current phase and start `phase`
        (None: no phase). Returns the phase that was running, to switch back to."""
        cpu, wall = time.process_time(), time.perf_counter()
        previous = self.current
        if previous is not None:
            self.cpu[previous] = self.cpu.get(previous, 0.0) + cpu - self._cpu_mark
            self.wall[previous] = self.wall.get(previous, 0.0) + wall - self._wall_mark
        self.current, self._cpu_mark, self._wall_mark = phase, cpu, wall
        return previous

    def stats(self) -> dict[str, dict[str, float]]:
        """{"phase_cpu_s": {phase: seconds}, "phase_wall_s": {...}}, for the search's stats."""
        return {
            "phase_cpu_s": {k: round(v, 4) for k, v in self.cpu.items()},
            "phase_wall_s": {k: round(v, 4) for k, v in self.wall.items()},
        }
