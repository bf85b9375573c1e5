"""Pieces: partial results overlaid until they explain the whole output (icecuber's trick:
wide instead of deep).

An image state that fits no demonstration can still be a piece: on every demonstration
some of its non-zero cells are right (or its zero cells hide nothing, so that it can blank
cells as a stencil). A greedy cover overlays pieces until every non-zero output cell is
explained.

The compiled last level adds its own pieces (`compiled`): states that paint more cells right
than wrong and nothing where the outputs are 0, so that a layer above may paint over their
wrong cells. They are tried only when the other pieces make no cover, and a piece they bring
is rebuilt by the library's ops, and checked against the kernel's cells, only when a cover
uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from . import kernels as K
from .compiled import CompiledLevels, CompiledPiece
from .compiled.level import PAINTED_WRONG
from .ranking import Fit
from .readings import Reading, Screen

MAX_PIECES = 4
# With the compiled pieces (thousands more candidates) a cover is kept only this short: on the
# studied part of arc1/train its longer covers were all wrong, one displacing a right answer.
MAX_COMPILED_COVER_PIECES = 2
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
        self.compiled: list[CompiledPiece] = []
        self.levels: CompiledLevels | None = None  # rebuilds the compiled pieces
        self.target_shapes: list = []

    def offer_compiled(self, levels: CompiledLevels, target_shapes: list) -> None:
        """The pieces of the compiled last level (`compiled.CompiledLevels.pieces`), for
        demonstration outputs of these shapes."""
        self.compiled, self.levels = levels.pieces(), levels
        self.target_shapes = list(target_shapes)

    def offer(self, reading: Reading, depth: int, screened: Screen) -> None:
        """Keep this reading if some of its non-zero cells are right, or if its zero cells are
        right and hide no output cell (it may then blank what a lower layer gets wrong), while
        there is room. screened: the reading's `readings.screen`, which says which."""
        if len(self.kept) >= self.capacity or not screened.could(K.COULD_BE_PIECE):
            return
        painted, wrong = self._painted_and_wrong(screened.flat)
        self.kept.append(Piece(painted, wrong, reading.tests, reading.program, depth))

    def _painted_and_wrong(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N,) bool each over every demonstration output cell, from the results' cells end to
        end (flat): where they paint, and where they paint the wrong colour."""
        painted = flat != 0
        return painted, painted & (flat != self.target_flat)

    def cover(self, check_time: Callable[[], None]) -> Fit | None:
        """Greedy, top layer first: overlay pieces until every non-zero output cell is explained.

        A layer paints its non-zero cells; it may be wrong only under cells that the layers
        above it already explain. Each step takes the allowed piece that paints the most new
        cells (ties: the earlier, shorter program). When no cover is found so, a second try
        also lets a layer blank its zero cells (a stencil, as in icecuber's composition),
        taken only when no piece paints anything new: the zeros it explains let the layers
        below be wrong there. When neither try finds a cover, both are tried again with the
        compiled last level's pieces added, for a cover of at most MAX_COMPILED_COVER_PIECES
        layers. check_time raises `timing.OutOfTime` when the deadline passed.
        """
        need = self.target_flat != 0
        if not need.any() or not (self.kept or self.compiled):
            return None
        check_time()
        painted = np.stack([p.painted for p in self.kept]) if self.kept else np.zeros((0, need.size), bool)
        check_time()
        wrong = np.stack([p.wrong for p in self.kept]) if self.kept else np.zeros((0, need.size), bool)
        tries = [(painted, wrong, MAX_PIECES)]
        if self.compiled:
            masks = np.stack([p.mask for p in self.compiled])
            check_time()
            both = np.concatenate([painted, masks != 0]), np.concatenate([wrong, masks == PAINTED_WRONG])
            tries.append((*both, MAX_COMPILED_COVER_PIECES))
        for painted, wrong, max_pieces in tries:
            if not len(painted):
                continue
            for stencils in (False, True):
                layers = _greedy(painted, wrong, need, stencils, max_pieces, check_time)
                fit = None if layers is None else self._fit(layers)
                if fit is not None:
                    return fit
        return None

    def _piece(self, i: int) -> Piece | None:
        """Piece i of the cover's candidates: a kept one, or a compiled one rebuilt by the
        library's ops (None when that fails or disagrees with the kernel's cells)."""
        if i < len(self.kept):
            return self.kept[i]
        assert self.levels is not None
        compiled = self.compiled[i - len(self.kept)]
        built = self.levels.rebuild_piece(compiled)
        if built is None:
            return None
        results = [v.a for v in built.values[: len(self.target_shapes)]]
        if [r.shape for r in results] != self.target_shapes:
            return None
        painted, wrong = self._painted_and_wrong(np.concatenate([r.ravel() for r in results]))
        if not np.array_equal(painted, compiled.mask != 0) or not np.array_equal(wrong, compiled.mask == PAINTED_WRONG):
            return None
        tests = [v.a for v in built.values[len(self.target_shapes) :]]
        return Piece(painted, wrong, tests, built.program, built.depth)

    def _fit(self, layers: list[tuple[int, bool]]) -> Fit | None:
        """The fit the chosen layers (piece index, whether a stencil) make on the test inputs."""
        found = [self._piece(i) for i, _ in layers]
        pieces = [p for p in found if p is not None]
        if len(pieces) < len(found):
            return None
        tests = []
        for k in range(len(pieces[0].tests)):
            grids = [p.tests[k] for p in pieces]
            if any(g.shape != grids[0].shape for g in grids):
                return None
            out = np.zeros_like(grids[0])
            done = np.zeros(grids[0].shape, dtype=bool)
            for g, (_, stencil) in zip(grids, layers):  # top layer first: a cell keeps the first say
                says = (g == 0 if stencil else g != 0) & ~done
                out[says] = 0 if stencil else g[says]
                done |= says
            tests.append(out)
        names = [("stencil:" if stencil else "") + p.program for p, (_, stencil) in zip(pieces, layers)]
        return Fit("overlay(" + ", ".join(names) + ")", sum(p.depth for p in pieces), len(pieces), False, tests)


def _greedy(painted, wrong, need, stencils: bool, max_pieces: int, check_time) -> list[tuple[int, bool]] | None:
    """At most max_pieces layers (piece index, whether a stencil), top first, that explain every
    non-zero output cell and are never wrong where no layer above explains the cell; None when
    the greedy choice fails or needs a single layer (a plain fit, found elsewhere)."""
    covered = np.zeros_like(need)
    chosen: list[tuple[int, bool]] = []
    for _ in range(max_pieces):
        check_time()
        free = ~covered
        allowed = ~(wrong & free).any(axis=1)
        gain = np.where(allowed, (painted & free).sum(axis=1), 0)
        best = int(np.argmax(gain))
        if gain[best] > 0:
            chosen.append((best, False))
            covered |= painted[best]
        elif stencils:
            blank = ~painted & free  # the zero cells each piece would explain
            ok = ~(blank & need).any(axis=1)
            zeros = np.where(ok, blank.sum(axis=1), 0)
            best = int(np.argmax(zeros))
            if zeros[best] == 0:
                return None
            chosen.append((best, True))
            covered |= blank[best]
        else:
            return None
        if covered[need].all():
            break
    if not covered[need].all() or len(chosen) < 2:
        return None
    return chosen
