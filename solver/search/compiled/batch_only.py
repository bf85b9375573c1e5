"""Compiled twins that only the Python levels use: rays, connected pairs, sliding objects,
filled object boxes, the tiling's unit, block majorities, the rotational overlay, objects
labelled by a property, holes filled with their object's colour and periodic fills.

Those ops cost the Python levels about two fifths of their op calls' time when run one example
at a time (20-300 us a call, most of it around the kernel). Run in the batch of a state's twins
(`batch`) they cost the kernel alone. The compiled levels do not run them, so the programs
searched are the same as without these twins: adding them to the compiled levels' third step
would widen the search, which is a change of its own to measure (docs/RESULTS.md, "tenth
session"). Each calls the same kernel as its library op (`ops.lines`, `ops.motion`,
`ops.fill`, `ops.colour`, `ops.symmetry`), or does its numpy work, on the flat image seen as (h, w);
tests/test_search_compiled_twins.py checks each against that op.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import kernels as K
from ..ops.motion import SLIDE_DIRS

# Op codes after `apply`'s (the param's meaning in brackets).
RAYS = 26  # [direction mask * 2 + 1 when a ray stops at the first non-zero cell]
CONNECT = 27  # [1 horizontal + 2 vertical + 4 diagonal]
SLIDE = 28  # [direction * 2 + 1 when the largest object stays put]: 0 down, 1 up, 2 right, 3 left
SLIDE_TO_COLOUR = 29  # [colour]
FILL_BBOX = 30  # [colour]
TILE_UNIT = 31  # the smallest block whose tiling reproduces the image; at (0, 0)
BLOCK_REDUCE = 32  # [block side]: each block's commonest non-zero colour; at (0, 0)
SYMMETRIZE_ROT = 33  # a square image overlaid with its three turns (zero cells take theirs)
LABEL_BY = 34  # [`kernels.LABEL_PROPS` index]: `ops.colour.label_by`
FILL_HOLES_OWN = 35  # each enclosed zero cell takes the colour above it: `ops.fill.fill_holes_own`
PERIODIC_FILL = 36  # [0: the zero cells, 1: the rarest colour's] from the 2-D period: `ops.symmetry`
DIAGONAL_PERIODIC_FILL = 37  # [0 diagonal, 1 antidiagonal] stripes fill the zero cells
FIRST_CODE = RAYS
AT_ORIGIN = (TILE_UNIT, BLOCK_REDUCE)  # codes whose result starts again at (0, 0)

SLIDE_STEPS = tuple(SLIDE_DIRS.values())  # (dy, dx) by direction
MAX_SLIDING_OBJECTS = 40  # as the library op: more objects than that is no rigid motion


@njit(cache=True)
def _written(out, dst):
    """out, an (h, w) grid, written flat into dst; its shape."""
    h, w = out.shape
    for y in range(h):
        for x in range(w):
            dst[y * w + x] = out[y, x]
    return h, w


@njit(cache=True)
def apply_batch_only(code, param, src, h, w, dst):
    """Op `code` with `param` on the (h, w) flat image src, written to dst; (height, width),
    or (0, 0) when the library op returns None."""
    grid = src[: h * w].copy().reshape((h, w))
    if code == RAYS:
        return _written(K.rays(grid, 0, param // 2, param % 2 == 1), dst)
    if code == CONNECT:
        return _written(K.connect_pairs(grid, 0, param & 1 != 0, param & 2 != 0, param & 4 != 0), dst)
    if code == SLIDE:
        labels, n = K.label_components(grid, 0, True, True)
        if n == 0 or n > MAX_SLIDING_OBJECTS:
            return 0, 0
        fixed = -1
        if param % 2 == 1:
            cells = K.component_boxes(labels, n)[:, 4]
            if n < 2 or np.count_nonzero(cells == cells.max()) > 1:
                return 0, 0
            fixed = int(np.argmax(cells))
        dy, dx = SLIDE_STEPS[param // 2]
        return _written(K.slide_objects(grid, labels, n, dy, dx, fixed), dst)
    if code == SLIDE_TO_COLOUR:
        return _slide_to_colour(param, grid, dst)
    if code == FILL_BBOX:
        labels, n = K.label_components(grid, 0, True, True)
        if n == 0:
            return 0, 0
        boxes = K.component_boxes(labels, n)
        out = grid.copy()
        for k in range(n):
            for y in range(boxes[k, 0], boxes[k, 2]):
                for x in range(boxes[k, 1], boxes[k, 3]):
                    if out[y, x] == 0:
                        out[y, x] = param
        return _written(out, dst)
    if code == TILE_UNIT:
        py, px = _row_period(grid), _row_period(grid.T)
        if py == h and px == w:
            return 0, 0
        return _written(grid[:py, :px], dst)
    if code == BLOCK_REDUCE:
        return _block_reduce(param, grid, dst)
    if code == SYMMETRIZE_ROT:
        if h != w:
            return 0, 0
        out = grid.copy()
        n = h - 1
        for y in range(h):  # numpy's rot90 by one, two and three quarter turns, in that order
            for x in range(w):
                for turned in (grid[x, n - y], grid[n - y, n - x], grid[n - x, y]):
                    if out[y, x] == 0:
                        out[y, x] = turned
        return _written(out, dst)
    if code == LABEL_BY:
        out, labelled = K.label_objects_by(grid, param)
        return _written(out, dst) if labelled else (0, 0)
    if code == FILL_HOLES_OWN:
        return _written(K.fill_holes_own(grid), dst)
    if code == PERIODIC_FILL:
        out, found = K.periodic_fill_hole(grid, param == 1)
        return _written(out, dst) if found else (0, 0)
    if code == DIAGONAL_PERIODIC_FILL:
        out, found = K.diagonal_periodic_fill(grid, 1 if param == 0 else -1)
        return _written(out, dst) if found else (0, 0)
    return 0, 0


@njit(cache=True)
def _row_period(a):
    """Smallest p with a[i] == a[i - p] for every row i >= p (`canvas.period`)."""
    n, m = a.shape
    for p in range(1, n):
        same = True
        for i in range(p, n):
            for j in range(m):
                if a[i, j] != a[i - p, j]:
                    same = False
                    break
            if not same:
                break
        if same:
            return p
    return n


@njit(cache=True)
def _block_reduce(k, grid, dst):
    """Each k x k block becomes its most frequent non-zero colour (the lowest on ties; 0 if none)."""
    h, w = grid.shape
    if h % k or w % k or (h == k and w == k):
        return 0, 0
    out = np.zeros((h // k, w // k), dtype=np.uint8)
    for by in range(h // k):
        for bx in range(w // k):
            counts = np.zeros(10, dtype=np.int64)
            for y in range(by * k, by * k + k):
                for x in range(bx * k, bx * k + k):
                    counts[grid[y, x]] += 1
            best, most = 0, 0
            for c in range(1, 10):
                if counts[c] > most:
                    best, most = c, counts[c]
            out[by, bx] = best
    return _written(out, dst)


@njit(cache=True)
def _slide_to_colour(colour, grid, dst):
    """Every object not of `colour` moves towards the box of that colour's cells."""
    h, w = grid.shape
    t0, t1, l0, l1 = h, -1, w, -1
    others = grid.copy()
    for y in range(h):
        for x in range(w):
            if grid[y, x] == colour:
                others[y, x] = 0
                t0, t1, l0, l1 = min(t0, y), max(t1, y + 1), min(l0, x), max(l1, x + 1)
    if t1 < 0:
        return 0, 0
    labels, n = K.label_components(others, 0, True, True)
    if n == 0 or n > MAX_SLIDING_OBJECTS:
        return 0, 0
    return _written(K.slide_to_box(grid, labels, n, t0, t1, l0, l1), dst)
