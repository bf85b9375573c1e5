"""Outputs deduced as outer products of two searched images (an idea from icecuber's solver).

Some outputs are a grid of equal-sized blocks, made from two smaller images:
- `tile_where(mask, tile)`: block (i, j) is the tile where the mask's cell (i, j) is non-zero,
  else empty;
- `shape_in_colours(colours, shape)`: block (i, j) is the shape's cells painted in the colour
  of cell (i, j).
Each demonstration's output is split into those two factors, for every block size that divides
it evenly. When two image states of the search hold the factors on every demonstration (the
mask and the shape by their non-zero cells, the tile and the colours exactly), the product of
their test values is the answer: a program that reproduces every demonstration, found without
searching the product itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import numpy as np

from .image import ok_shape
from .ranking import COSTS, Fit

MAX_OUTER_FITS = 8  # fits kept per pass, in the order the block sizes are tried


class Factors(NamedTuple):
    kind: str  # "tile_where" or "shape_in_colours"
    outer: np.ndarray  # (nh, nw) uint8: the mask, or the colours
    inner: np.ndarray  # (bh, bw) uint8: the tile, or the shape (1 where set)


def _blocks(out: np.ndarray, bh: int, bw: int) -> np.ndarray:
    """(nh, nw, bh, bw) view of the output's blocks."""
    h, w = out.shape
    return out.reshape(h // bh, bh, w // bw, bw).transpose(0, 2, 1, 3)


def split_tile_where(out: np.ndarray, bh: int, bw: int) -> Factors | None:
    """The output as a tile repeated where a mask is set, or None when its non-empty blocks differ."""
    blocks = _blocks(out, bh, bw)
    filled = blocks.any(axis=(2, 3))
    if not filled.any():
        return None
    tiles = blocks[filled]
    if not (tiles == tiles[0]).all():
        return None
    return Factors("tile_where", np.asarray(filled, dtype=np.uint8), np.array(tiles[0], dtype=np.uint8))


def split_shape_in_colours(out: np.ndarray, bh: int, bw: int) -> Factors | None:
    """The output as one shape painted in each block's colour, or None when a block has two
    colours or the non-empty blocks' shapes differ."""
    blocks = _blocks(out, bh, bw)
    colours = blocks.max(axis=(2, 3))
    painted = blocks != 0
    if not (np.where(painted, blocks, colours[..., None, None]) == colours[..., None, None]).all():
        return None
    filled = colours != 0
    if not filled.any():
        return None
    shapes = painted[filled]
    if not (shapes == shapes[0]).all():
        return None
    return Factors("shape_in_colours", colours.astype(np.uint8), shapes[0].astype(np.uint8))


SPLITS = (split_tile_where, split_shape_in_colours)


def product(kind: str, outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """The grid two factors make (the inverse of the splits above)."""
    if kind == "tile_where":
        return np.kron(outer != 0, inner).astype(np.uint8)
    return np.kron(outer, inner != 0).astype(np.uint8)


def _block_sizes(shape: tuple[int, int]) -> list[tuple[int, int]]:
    """Block sizes that divide the shape evenly, neither one cell nor the whole grid."""
    h, w = shape
    sizes = [(bh, bw) for bh in range(1, h + 1) if h % bh == 0 for bw in range(1, w + 1) if w % bw == 0]
    return [s for s in sizes if s != (1, 1) and s != (h, w)]


def _divides(block: tuple[int, int], shape: tuple[int, int]) -> bool:
    """Whether blocks of this size, more than one cell, tile the shape evenly."""
    (bh, bw), (h, w) = block, shape
    return bh >= 1 and bw >= 1 and bh * bw > 1 and h % bh == 0 and w % bw == 0


def _worth_a_product(factors: list[Factors]) -> bool:
    """Both factors hold more than one cell somewhere, and the one read by its cells (the mask,
    the shape) leaves a cell out somewhere: else the product is a plain tiling or scaling."""
    binary = [f.outer if f.kind == "tile_where" else f.inner for f in factors]
    return (
        any(np.count_nonzero(f.outer) > 1 for f in factors)
        and any(np.count_nonzero(f.inner) > 1 for f in factors)
        and any(not b.all() for b in binary)
    )


def deduce_factors(targets: Sequence[np.ndarray]) -> list[list[Factors]]:
    """Every way to split all the outputs alike: one block size for all, or one block count for
    all; each way as one `Factors` per demonstration. Plain tilings and scalings are left out:
    the library searches those (`_worth_a_product`)."""
    first = targets[0]
    ways = []
    for bh, bw in _block_sizes(first.shape):
        same_size = [(bh, bw)] * len(targets)
        nh, nw = first.shape[0] // bh, first.shape[1] // bw
        same_count = [(t.shape[0] // nh, t.shape[1] // nw) for t in targets]
        if any((sh * nh, sw * nw) != t.shape for t, (sh, sw) in zip(targets, same_count)):
            same_count = same_size  # an output these counts do not divide: only one block size
        per_demo_options = [same_size] if same_count == same_size else [same_size, same_count]
        for sizes in per_demo_options:
            if not all(_divides(size, t.shape) for t, size in zip(targets, sizes)):
                continue
            for split in SPLITS:
                factors = [split(t, sh, sw) for t, (sh, sw) in zip(targets, sizes)]
                if any(f is None for f in factors):
                    continue
                kept = [f for f in factors if f is not None]
                if _worth_a_product(kept):
                    ways.append(kept)
    return ways


class StateIndex:
    """Image states looked up by their demonstration values: exactly, or by their non-zero cells.
    The first state (the shortest program, earliest in library order) wins a key."""

    def __init__(self, states: Sequence, n_train: int):
        self.n_train = n_train
        self.by_shape: dict[tuple, list] = {}
        for s in states:
            self.by_shape.setdefault(tuple(v.a.shape for v in s.values[:n_train]), []).append(s)
        self._tables: dict[tuple, dict[bytes, object]] = {}

    def find(self, grids: Sequence[np.ndarray], by_mask: bool):
        shapes = tuple(g.shape for g in grids)
        table = self._tables.get((shapes, by_mask))
        if table is None:
            table = {}
            for s in self.by_shape.get(shapes, []):
                table.setdefault(self._key([v.a for v in s.values[: self.n_train]], by_mask), s)
            self._tables[(shapes, by_mask)] = table
        return table.get(self._key(grids, by_mask))

    @staticmethod
    def _key(grids: Sequence[np.ndarray], by_mask: bool) -> bytes:
        return b"|".join((g != 0).tobytes() if by_mask else g.tobytes() for g in grids)


def outer_product_fits(
    states: Sequence, targets: Sequence[np.ndarray], check_time: Callable[[], None]
) -> Iterator[Fit]:
    """Fits made as the product of two image states (see the module's doc), yielded as they are
    found (at most MAX_OUTER_FITS), so that a caller stopped by the deadline keeps the earlier ones.

    states: image states (`values` one Img per example, demonstrations first; `program`;
    `depth`). check_time raises `timing.OutOfTime` when the deadline passed.
    """
    ways = deduce_factors(targets)
    if not ways:
        return
    n_train = len(targets)
    index = StateIndex(states, n_train)
    seen: set[str] = set()
    for way in ways:
        check_time()
        kind = way[0].kind
        outer = index.find([f.outer for f in way], by_mask=kind == "tile_where")
        inner = index.find([f.inner for f in way], by_mask=kind == "shape_in_colours")
        if outer is None or inner is None:
            continue
        tests = [product(kind, o.a, i.a) for o, i in zip(outer.values[n_train:], inner.values[n_train:])]
        program = f"{kind}({outer.program}, {inner.program})"
        if program in seen or not all(ok_shape(t) for t in tests):
            continue
        seen.add(program)
        # The product is a step fitted to the outputs, ranked like the block arrangements.
        yield Fit(program, outer.depth + inner.depth, 1, False, tests, COSTS.fitted_step)
        if len(seen) == MAX_OUTER_FITS:
            return
