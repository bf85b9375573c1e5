"""The levels past Python's: the compiled ops on the last Python level's image states.

Python's levels (`enumeration`) run the whole library, lists and objects included, to
depth 2. The compiled levels then extend every image state of that frontier by every
op of `opcodes.LEVEL_TWINS`, level by level up to the search's depth, in chunks of states with
the deadline checked between chunks. Only the states that fit every demonstration's output
(shape and colour table) come back; for each, the program is rebuilt and run again with the
library's own numpy ops, whose result is read and fitted like any other state's. So a
compiled op that disagreed with its reference could lose a fit but never make a wrong one.

The last level also hands back pieces (`level`): their painted and wrong cells come from the kernel, and
a piece's values are rebuilt by the library's ops only when a cover uses it (`pieces`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..image import Img
from ..ops import Transform, build_library
from .level import FITS_USED, FULL, MAX_CELLS, PIECES_USED, grow, seed_table
from .opcodes import CompiledOps, compiled_ops

WORK_PER_CALL = 16384  # op applications (state x op x example) per kernel call: milliseconds between deadline checks
MAX_FITS_PER_CALL = 4096
# Fits one pass's compiled levels hand back at most: a task where nearly every state fits
# (a one-colour output) would otherwise fill memory with equivalent programs.
MAX_FITS_PER_PASS = 20_000
REBUILDS_PER_TIME_CHECK = 256
MAX_PIECES_PER_PASS = 4096  # pieces the last level keeps (their masks: a row of output cells each) ...
MAX_PIECE_MASK_BYTES = 20_000_000  # ... and at most this many bytes of masks (a cover stacks two bool copies)


@dataclass
class CompiledFit:
    """A state made by compiled ops that fits the demonstrations' shapes and colours."""

    program: str
    values: tuple  # one Img per example, made by the library's reference ops
    depth: int


@dataclass
class CompiledPiece:
    """A last-level state that paints more cells right than wrong, and nothing where the
    outputs are 0 (`level`)."""

    mask: np.ndarray  # (N,) uint8 over every demonstration output cell: 0, PAINTED_RIGHT or PAINTED_WRONG
    parent: int
    row: int
    depth: int


class CompiledLevels:
    """The arena for one pass: every Python image state (to drop duplicates of them), the
    frontier's states to expand, and room for the states the compiled levels add."""

    def __init__(
        self,
        library: list[Transform],
        inputs: list,
        targets: list,
        python_states: list,
        frontier: list,
        room_states: int,
        room_bytes: int,
        want_pieces: bool = False,
    ):
        self.library = library
        self.inputs = inputs
        self.ops: CompiledOps = compiled_ops(library, levels=True)
        # Frontier last, in its order (the promising states first when time runs out).
        in_frontier = {id(s) for s in frontier}
        self.python = [s for s in python_states if id(s) not in in_frontier] + list(frontier)
        self.frontier = (len(self.python) - len(frontier), len(self.python))
        n_ex = len(inputs)
        self.tbuf, self.targets = pack_grids(targets)
        n_pieces = min(MAX_PIECES_PER_PASS, MAX_PIECE_MASK_BYTES // max(1, len(self.tbuf))) if want_pieces else 0
        self.piece_rows = np.empty((n_pieces, 2), dtype=np.int64)
        self.piece_masks = np.zeros((len(self.piece_rows), len(self.tbuf)), dtype=np.uint8)
        self.piece_depth = 0
        cells, boxes = pack_grids([v.a for st in self.python for v in st.values])
        used, n_images = len(cells), len(boxes)
        cap_states = len(self.python) + room_states
        self.buf = np.empty(used + room_bytes + n_ex * MAX_CELLS * (len(self.ops) + 2), dtype=np.uint8)
        self.buf[:used] = cells
        self.images = np.empty((cap_states * n_ex, 3), dtype=np.int64)
        self.images[:n_images] = boxes
        self.states = np.empty((cap_states, n_ex), dtype=np.int64)
        self.states[: len(self.python)] = np.arange(n_images).reshape(len(self.python), n_ex)
        self.parent = np.full(cap_states, -1, dtype=np.int64)
        self.op_of = np.full(cap_states, -1, dtype=np.int64)
        self.counters = np.array([n_images, used, len(self.python), 0, 0, 0], dtype=np.int64)
        # At most half full: every state stored, plus the fits and pieces of a last level.
        keys = cap_states + MAX_FITS_PER_PASS + MAX_FITS_PER_CALL + len(self.piece_rows)
        self.table = np.zeros(1 << max(10, int(4 * keys - 1).bit_length()), dtype=np.uint64)
        self.counters[4] = seed_table(self.buf, self.images, self.states, len(self.python), self.table)
        self.fits = np.empty((MAX_FITS_PER_CALL, 3), dtype=np.int64)
        self.tried = 0
        self.fits_found = 0
        self.cap_hit = False
        self.added_states = 0
        self._programs: dict[int, str] = {}
        self._values: dict[int, tuple | None] = {}

    def run_level(
        self, depth: int, last: bool, check_time: Callable[[], None], on_fit: Callable[[CompiledFit], None]
    ) -> bool:
        """Expand the frontier by every compiled op, handing each fitting state to `on_fit` as
        it is found; the new states become the next frontier. check_time runs between chunks
        (it raises OutOfTime to stop). Returns whether the whole level was searched. When the
        caps leave no room to store a state, the rest of the level still reports its fits."""
        if len(self.ops) == 0:
            return True
        lo, hi = self.frontier
        first_new = int(self.counters[2])
        chunk = max(1, WORK_PER_CALL // (len(self.ops) * self.states.shape[1]))
        s = lo
        pieces = self.piece_rows if last else self.piece_rows[:0]  # the search's last level only
        self.piece_depth = depth if last else self.piece_depth
        while s < hi:
            check_time()
            self.counters[FITS_USED] = 0
            status, nxt = grow(
                self.buf, self.images, self.states, self.parent, self.op_of, self.counters, s, min(s + chunk, hi),
                self.ops.table, len(self.targets), self.tbuf, self.targets, last, self.table, self.fits,
                pieces, self.piece_masks,
            )  # fmt: skip
            self.tried += (nxt - s) * len(self.ops)
            for i, (p, k, n) in enumerate(self.fits[: self.counters[FITS_USED]].tolist()):
                if i % REBUILDS_PER_TIME_CHECK == REBUILDS_PER_TIME_CHECK - 1:
                    check_time()
                fit = self._rebuild(p, k, n, depth)
                if fit is not None:
                    on_fit(fit)
            self.fits_found += int(self.counters[FITS_USED])
            if self.fits_found >= MAX_FITS_PER_PASS:
                self.cap_hit = True
                break
            if status == FULL and nxt == s and self.counters[FITS_USED] == 0:  # no room even for one state
                self.cap_hit = True
                if last:
                    break
                last = True  # nothing more can be stored: the rest of the level only reports fits
            s = nxt
        self.frontier = (first_new, int(self.counters[2]))
        self.added_states += self.frontier[1] - self.frontier[0]
        return s >= hi

    def pieces(self) -> list[CompiledPiece]:
        """The pieces the last level kept, in the order it met them."""
        rows = self.piece_rows[: self.counters[PIECES_USED]].tolist()
        return [CompiledPiece(self.piece_masks[i], p, k, self.piece_depth) for i, (p, k) in enumerate(rows)]

    def rebuild_piece(self, piece: CompiledPiece) -> CompiledFit | None:
        """A piece's program and values, made by the library's ops (None when one fails)."""
        return self._rebuild(piece.parent, piece.row, -1, piece.depth)

    def _rebuild(self, parent: int, row: int, new: int, depth: int) -> CompiledFit | None:
        values = self._state_values(parent)
        if values is None:
            return None
        t = self._transform(row)
        out = self._apply(t, values)
        if out is None:
            return None
        program = f"{t.name}({self._program(parent)})"
        if new >= 0:
            self._values[new], self._programs[new] = out, program
        return CompiledFit(program, out, depth)

    def _transform(self, row) -> Transform:
        """The library op behind row `row` of the op table."""
        return self.library[int(self.ops.library_index[row])]

    def _apply(self, t: Transform, values: tuple) -> tuple | None:
        out = []
        for v, ctx in zip(values, self.inputs):
            r = t.fn(v, ctx)
            if r is None:
                return None
            out.append(r)
        return tuple(out)

    def _state_values(self, s: int) -> tuple | None:
        if s < len(self.python):
            return self.python[s].values
        if s not in self._values:
            parent = int(self.parent[s])
            base = self._state_values(parent)
            self._values[s] = None if base is None else self._apply(self._transform(self.op_of[s]), base)
        return self._values[s]

    def _program(self, s: int) -> str:
        if s < len(self.python):
            return self.python[s].program
        if s not in self._programs:
            name = self._transform(self.op_of[s]).name
            self._programs[s] = f"{name}({self._program(int(self.parent[s]))})"
        return self._programs[s]


def pack_grids(grids: list) -> tuple[np.ndarray, np.ndarray]:
    """uint8 grids laid end to end: (N,) uint8 cells (writable, as the kernels take them), and
    (G, 3) int64 rows of offset, height, width."""
    shapes = np.array([g.shape for g in grids], dtype=np.int64).reshape(-1, 2)
    sizes = shapes[:, 0] * shapes[:, 1]
    # One join of every grid's bytes: faster than a view of each for np.concatenate (tens of
    # thousands of small grids per pass).
    cells = np.frombuffer(bytearray().join([g.tobytes() for g in grids]), dtype=np.uint8)
    if len(cells) != int(sizes.sum()):
        raise ValueError("pack_grids takes uint8 grids")
    boxes = np.zeros((len(grids), 3), dtype=np.int64)
    boxes[:, 0] = np.cumsum(sizes) - sizes
    boxes[:, 1:] = shapes
    return cells, boxes


@dataclass
class _Seed:
    values: tuple
    program: str


def warmup() -> None:
    """Compile (or load from numba's cache) the compiled levels' kernels, on a tiny task."""
    g = np.array([[0, 1], [2, 0]], dtype=np.uint8)
    root = _Seed((Img(g),), "input")
    levels = CompiledLevels(build_library([0, 1, 2]), [g], [g.T.copy()], [root], [root], 64, 1 << 16)
    levels.run_level(1, False, lambda: None, lambda fit: None)
    levels.run_level(2, True, lambda: None, lambda fit: None)
