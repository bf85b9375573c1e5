"""Pieces: partial results overlaid until they explain the whole output (icecuber's trick:
wide instead of deep).

An image state that fits no demonstration can still be a piece: on every demonstration
some of its non-zero cells are right. A greedy cover overlays pieces until every non-zero
output cell is explained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .ranking import Fit
from .readings import Reading

MAX_PIECES = 4
MAX_PIECE_STATES = 20000  # piece candidates kept for the cover ...
MAX_PIECE_BYTES = 50_000_000  # ... and at most this many bytes of their cell masks


class Piece(NamedTuple):
    painted: np.ndarray  # (N,) bool over every demonstration output cell: non-zero in the piece
    wrong: np.ndarray  # (N,) bool: painted with the wrong colour
    tests: list  # (H, W) uint8 per test input
    program: str
    depth: int


class Pieces:
    """The piece candidates of one pass, in the order the search met them."""

    def __init__(self, target_flat: np.ndarray):
        self.target_flat = target_flat  # (N,) uint8: every output's cells, concatenated
        self.kept: list[Piece] = []
        self.capacity = min(MAX_PIECE_STATES, MAX_PIECE_BYTES // max(1, 2 * target_flat.size))

    def offer(self, reading: Reading, depth: int) -> None:
        """Keep this reading if some of its non-zero cells are right (and there is room)."""
        if len(self.kept) >= self.capacity:
            return
        flat = np.concatenate([r.ravel() for r in reading.results])
        painted = flat != 0
        wrong = painted & (flat != self.target_flat)
        if (painted & ~wrong).any():
            self.kept.append(Piece(painted, wrong, reading.tests, reading.program, depth))

    def cover(self, check_time: Callable[[], None]) -> Fit | None:
        """Greedy, top layer first: overlay pieces until every non-zero output cell is explained.

        A layer may be wrong only under cells that the layers above it already paint; each
        step takes the allowed piece that paints the most new cells (ties: the earlier,
        shorter program). check_time raises `timing.OutOfTime` when the deadline passed.
        """
        need = self.target_flat != 0
        if not need.any() or not self.kept:
            return None
        check_time()
        painted = np.stack([p.painted for p in self.kept])  # (P, N) bool
        check_time()
        wrong = np.stack([p.wrong for p in self.kept])  # (P, N) bool
        covered = np.zeros_like(need)
        chosen = []
        for _ in range(MAX_PIECES):
            check_time()
            free = ~covered
            allowed = ~(wrong & free).any(axis=1)
            gain = np.where(allowed, (painted & free).sum(axis=1), 0)
            best = int(np.argmax(gain))
            if gain[best] == 0:
                return None
            chosen.append(best)
            covered |= painted[best]
            if covered[need].all():
                break
        if not covered[need].all() or len(chosen) < 2:
            return None
        layers = [self.kept[i] for i in chosen]
        tests = []
        for k in range(len(layers[0].tests)):
            grids = [layer.tests[k] for layer in layers]
            if any(g.shape != grids[0].shape for g in grids):
                return None
            out = np.zeros_like(grids[0])
            for g in grids[::-1]:  # bottom layer first; the first chosen ends on top
                np.copyto(out, g, where=g != 0)
            tests.append(out)
        program = "overlay(" + ", ".join(layer.program for layer in layers) + ")"
        return Fit(program, sum(layer.depth for layer in layers), len(layers), False, tests)
