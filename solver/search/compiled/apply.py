"""The compiled ops: one numba function applies op `code` with integer `param` to a flat image.

Each op here is the compiled twin of a library op of the same name (`opcodes` pairs them);
the library's numpy version is its reference, and tests/test_search_compiled_twins.py checks the two
agree on random grids. Images are flat row-major uint8 runs (`src[y * w + x]`) so that they can
live in one arena buffer; an op writes its result into `dst` and returns its shape, or (0, 0)
when the reference would return None. The compiled levels do not track positions: their images
are only ever read as the outputs themselves (same shape), where positions play no part;
`result_position` gives them for the Python levels (`batch`), as the reference does. The pixel
work of each op lives in `pixels`; codes from 26 on, the ops only the Python levels batch, in
`batch_only`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .batch_only import AT_ORIGIN, FIRST_CODE, apply_batch_only
from .pixels import (
    box,
    colour_counts,
    copy_box,
    dedupe,
    dihedral,
    drop_empty,
    edges,
    fg_by_count,
    gravity,
    hull,
    outline,
    outside_mask,
    scale_down,
    select,
    self_kron,
    shift,
    symmetrize,
    tile,
    tile_scaled,
)

# Op codes (the param's meaning in brackets).
DIHEDRAL = 0  # [dihedral id, solver.arc.dihedral numbering]
CROP = 1  # bounding box of the non-zero cells
CROP_FG = 2  # bounding box of the cells not of the majority colour
TRIM_FRAME = 3  # drop the outermost ring
KEEP_COLOUR = 4  # [colour]
ERASE_COLOUR = 5  # [colour]
KEEP_RANK = 6  # [rank among non-zero colours by count]
PAINT = 7  # [colour] every non-zero cell
INVERT = 8  # zero <-> the commonest non-zero colour
HALF = 9  # [0 top, 1 bottom, 2 left, 3 right]
DEDUPE_ROWS_COLS = 10
DROP_EMPTY_ROWS_COLS = 11
SCALE_UP = 12  # [factor]
SCALE_DOWN = 13  # [factor]
TILE = 14  # [ry * 8 + rx]
MIRROR_TILE = 15  # [ry * 8 + rx]
GRAVITY = 16  # [0 down, 1 up, 2 right, 3 left]
FILL_ENCLOSED = 17  # [colour]
HOLES = 18
BORDER_CELLS = 19
INTERIOR_CELLS = 20
OUTLINE = 21  # [colour * 2 + diagonal]
SYMMETRIZE = 22  # [0 h, 1 v, 2 hv, 3 diag]: zero cells take the mirror's colour
SHIFT = 23  # [0 down, 1 up, 2 right, 3 left] by one cell
SELF_KRON = 24  # [1: in the zero cells' blocks]
HULL = 25  # the non-zero cells' box filled with their commonest colour
# Codes from 26 on: the twins only the Python levels use (`batch_only`).

FAIL = (0, 0)


@njit(cache=True)
def result_shape(code, param, h, w):
    """The result's shape when the input's shape alone decides it, else (-1, -1): lets the last
    level drop an op whose result cannot have the output's shape without running it."""
    if code == DIHEDRAL:
        return (w, h) if param == 1 or param == 3 or param == 6 or param == 7 else (h, w)
    if code == SCALE_UP:
        return h * param, w * param
    if code in (TILE, MIRROR_TILE):
        return h * (param // 8), w * (param % 8)
    if code == TRIM_FRAME:
        return h - 2, w - 2
    if code == HALF:
        return (h // 2, w) if param < 2 else (h, w // 2)
    if code == SCALE_DOWN:
        return h // param, w // param
    if code in (KEEP_COLOUR, ERASE_COLOUR, KEEP_RANK, PAINT, INVERT, GRAVITY, FILL_ENCLOSED, HOLES):
        return h, w
    if code in (BORDER_CELLS, INTERIOR_CELLS, OUTLINE, SYMMETRIZE, SHIFT, HULL):
        return h, w
    if code == SELF_KRON:
        return h * h, w * w
    return -1, -1


@njit(cache=True)
def result_position(code, param, src, h, w, y, x):
    """Where the result of op `code` on the (h, w) image src at (y, x) lies on the source
    canvas, as the reference op puts it: a crop moves it by the part cut away; a rescaled,
    tiled or deduplicated image starts again at (0, 0); every other op keeps it in place."""
    if code in (DEDUPE_ROWS_COLS, DROP_EMPTY_ROWS_COLS, SCALE_UP, SCALE_DOWN, TILE, MIRROR_TILE, SELF_KRON):
        return 0, 0
    if code in AT_ORIGIN:
        return 0, 0
    if code in (CROP, CROP_FG):
        bg = int(np.argmax(colour_counts(src, h * w))) if code == CROP_FG else 0
        r0, _, c0, _ = box(src, h, w, bg)
        return y + r0, x + c0
    if code == TRIM_FRAME:
        return y + 1, x + 1
    if code == HALF and param == 1:
        return y + (h + 1) // 2, x
    if code == HALF and param == 3:
        return y, x + (w + 1) // 2
    return y, x


@njit(cache=True)
def apply_op(code, param, src, h, w, dst):
    """Op `code` with `param` on the (h, w) image src (flat), written to dst; (height, width), or (0, 0)."""
    n = h * w
    if code == DIHEDRAL:
        return dihedral(param, src, h, w, dst)
    if code in (CROP, CROP_FG):
        bg = int(np.argmax(colour_counts(src, n))) if code == CROP_FG else 0
        r0, r1, c0, c1 = box(src, h, w, bg)
        if r0 < 0:
            return FAIL
        return copy_box(src, w, r0, r1, c0, c1, dst)
    if code == TRIM_FRAME:
        if h < 3 or w < 3:
            return FAIL
        return copy_box(src, w, 1, h - 1, 1, w - 1, dst)
    if code in (KEEP_COLOUR, ERASE_COLOUR):
        return (h, w) if select(src, n, dst, code == KEEP_COLOUR, param) else FAIL
    if code == KEEP_RANK:
        order, m = fg_by_count(colour_counts(src, n))
        if m <= param:
            return FAIL
        select(src, n, dst, True, order[param])
        return h, w
    if code == PAINT:
        for i in range(n):
            dst[i] = param if src[i] != 0 else 0
        return h, w
    if code == INVERT:
        order, m = fg_by_count(colour_counts(src, n))
        if m == 0:
            return FAIL
        for i in range(n):
            dst[i] = order[0] if src[i] == 0 else 0
        return h, w
    if code == HALF:
        if param == 0:
            return FAIL if h // 2 == 0 else copy_box(src, w, 0, h // 2, 0, w, dst)
        if param == 1:
            return FAIL if h // 2 == 0 else copy_box(src, w, (h + 1) // 2, h, 0, w, dst)
        if param == 2:
            return FAIL if w // 2 == 0 else copy_box(src, w, 0, h, 0, w // 2, dst)
        return FAIL if w // 2 == 0 else copy_box(src, w, 0, h, (w + 1) // 2, w, dst)
    if code == DEDUPE_ROWS_COLS:
        return dedupe(src, h, w, dst)
    if code == DROP_EMPTY_ROWS_COLS:
        return drop_empty(src, h, w, dst)
    if code == SCALE_UP:
        return tile_scaled(param, src, h, w, dst)
    if code == SCALE_DOWN:
        return scale_down(param, src, h, w, dst)
    if code in (TILE, MIRROR_TILE):
        return tile(param // 8, param % 8, code == MIRROR_TILE, src, h, w, dst)
    if code == GRAVITY:
        return gravity(param, src, h, w, dst)
    if code in (FILL_ENCLOSED, HOLES):
        outside = outside_mask(src, h, w)
        found = False
        for i in range(n):
            hole = src[i] == 0 and not outside[i]
            found = found or hole
            if code == HOLES:
                dst[i] = 1 if hole else 0
            else:
                dst[i] = param if hole else src[i]
        return FAIL if code == HOLES and not found else (h, w)
    if code in (BORDER_CELLS, INTERIOR_CELLS):
        return edges(code == INTERIOR_CELLS, src, h, w, dst)
    if code == OUTLINE:
        return outline(param // 2, param % 2 == 1, src, h, w, dst)
    if code == SYMMETRIZE:
        return symmetrize(param, src, h, w, dst)
    if code == SHIFT:
        return shift(param, src, h, w, dst)
    if code == SELF_KRON:
        return self_kron(param == 1, src, h, w, dst)
    if code == HULL:
        return hull(src, h, w, dst)
    if code >= FIRST_CODE:
        return apply_batch_only(code, param, src, h, w, dst)
    return FAIL
