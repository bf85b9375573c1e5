"""Majority voting over de-augmented candidates.

Candidates are grouped by their canonical bytes (shape + cells), never by Python's
hash(); groups are ranked by count, then mean halting confidence, then the bytes
themselves, so ties are broken the same way on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

ATTEMPTS = 2


@dataclass(frozen=True)
class Candidate:
    grid: np.ndarray  # de-augmented prediction, (H, W) uint8
    confidence: float  # sigmoid of the final halting logit
    sup_steps: int = 0  # supervision steps actually run for it (fewer than planned at a deadline)


def grid_key(grid: np.ndarray) -> bytes:
    """Canonical identity of a grid: its shape, then its cells row by row."""
    grid = np.asarray(grid, dtype=np.uint8)
    h, w = grid.shape
    return bytes([h, w]) + grid.tobytes()


@dataclass(frozen=True)
class Ranked:
    grid: np.ndarray
    votes: int
    mean_confidence: float


def rank(candidates: list[Candidate]) -> list[Ranked]:
    """All distinct grids, best first."""
    groups: dict[bytes, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(grid_key(candidate.grid), []).append(candidate)
    ranked = [
        (key, Ranked(members[0].grid, len(members), float(np.mean([m.confidence for m in members]))))
        for key, members in groups.items()
    ]
    ranked.sort(key=lambda item: (-item[1].votes, -item[1].mean_confidence, item[0]))
    return [r for _, r in ranked]


class HasGrid(Protocol):
    @property
    def grid(self) -> np.ndarray: ...


def top_attempts(ranked: Sequence[HasGrid], fallback: np.ndarray) -> list[np.ndarray]:
    """Exactly two attempts: the two best grids, the best twice if only one, the fallback if none."""
    grids = [r.grid for r in ranked[:ATTEMPTS]]
    if not grids:
        grids = [fallback]
    while len(grids) < ATTEMPTS:
        grids.append(grids[0])
    return grids
