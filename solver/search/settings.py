"""The search's settings: its time limit, depth and memory caps, and which passes run."""

from __future__ import annotations

from dataclasses import dataclass

from solver.config import MAX_SEARCH_DEPTH, MAX_SEARCH_SECONDS, SolveConfig


@dataclass(frozen=True)
class SearchSettings:
    time_limit_s: float = SolveConfig.search_seconds  # hard wall-clock cap for the whole task
    max_depth: int = SolveConfig.search_depth  # longest program, in transforms (levels past 2 are compiled)
    max_states: int = 100_000  # memory cap: stored states
    max_state_bytes: int = 200_000_000  # memory cap: bytes of stored grids
    max_candidates: int = 5  # per test input
    use_pieces: bool = True
    use_colour_normalisation: bool = True  # also search the task with colours renumbered by role
    # Also search the diagonally flipped task (when nothing else fits). Off: with the third level's
    # lists it found nothing more on either held-out training part, for 12-28% more median CPU.
    use_transpose: bool = False

    def __post_init__(self):
        if not (isinstance(self.time_limit_s, (int, float)) and 0 < self.time_limit_s < MAX_SEARCH_SECONDS):
            raise ValueError(f"time_limit_s must be a positive number, got {self.time_limit_s!r}")
        for name in ("max_depth", "max_states", "max_state_bytes", "max_candidates"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.max_depth > MAX_SEARCH_DEPTH:
            raise ValueError(f"max_depth must be at most {MAX_SEARCH_DEPTH}, got {self.max_depth}")


DEFAULT_SETTINGS = SearchSettings()
