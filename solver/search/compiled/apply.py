"""The compiled ops: one numba function applies op `code` with integer `param` to a flat image.

Each op here is the compiled twin of a library op of the same name (`opcodes` pairs them);
the library's numpy version is its reference, and tests/test_search_compiled_twins.py checks the two
agree on random grids. Images are flat row-major uint8 runs (`src[y * w + x]`) so that they can
live in one arena buffer; an op writes its result into `dst` and returns its shape, or (0, 0)
when the reference would return None. Positions are not tracked: a compiled step's images are
only ever read as the outputs themselves (same shape), where positions play no part.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.arc.tasks import MAX_SIDE

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
NUM_CODES = 26

FAIL = (0, 0)


@njit(cache=True)
def _counts(src, n):
    counts = np.zeros(10, dtype=np.int64)
    for i in range(n):
        counts[src[i]] += 1
    return counts


@njit(cache=True)
def _fg_by_count(counts):
    """Non-zero colours present, most frequent first (ties: lower colour first); -1 padded."""
    order = np.full(9, -1, dtype=np.int64)
    n = 0
    for c in range(1, 10):
        if counts[c] > 0:
            order[n] = c
            n += 1
    for i in range(1, n):  # insertion sort: stable, so equal counts keep colour order
        c = order[i]
        j = i - 1
        while j >= 0 and counts[order[j]] < counts[c]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = c
    return order, n


@njit(cache=True)
def _dihedral(k, src, h, w, dst):
    swap = k == 1 or k == 3 or k == 6 or k == 7
    oh, ow = (w, h) if swap else (h, w)
    for i in range(oh):
        for j in range(ow):
            if k == 1:  # rot90 (counter-clockwise)
                y, x = j, w - 1 - i
            elif k == 2:
                y, x = h - 1 - i, w - 1 - j
            elif k == 3:
                y, x = h - 1 - j, i
            elif k == 4:  # flip_h
                y, x = i, w - 1 - j
            elif k == 5:  # flip_v
                y, x = h - 1 - i, j
            elif k == 6:
                y, x = j, i
            elif k == 7:
                y, x = h - 1 - j, w - 1 - i
            else:
                y, x = i, j
            dst[i * ow + j] = src[y * w + x]
    return oh, ow


@njit(cache=True)
def _box(src, h, w, bg):
    """(r0, r1, c0, c1) of the cells not `bg`; r0 = -1 when there are none."""
    r0, r1, c0, c1 = -1, -1, w, -1
    for y in range(h):
        for x in range(w):
            if src[y * w + x] != bg:
                if r0 < 0:
                    r0 = y
                r1 = y + 1
                c0 = min(c0, x)
                c1 = max(c1, x + 1)
    return r0, r1, c0, c1


@njit(cache=True)
def _copy_box(src, w, r0, r1, c0, c1, dst):
    ow = c1 - c0
    for y in range(r0, r1):
        for x in range(c0, c1):
            dst[(y - r0) * ow + (x - c0)] = src[y * w + x]
    return r1 - r0, ow


@njit(cache=True)
def _select(src, n, dst, keep, c):
    """keep: cells of colour c stay, others 0; else cells of c become 0. (0, 0) when c is absent."""
    found = False
    for i in range(n):
        v = src[i]
        if v == c:
            found = True
        dst[i] = (v if v == c else 0) if keep else (0 if v == c else v)
    return found


@njit(cache=True)
def _gather(src, h, w, rows, nr, cols, nc, dst):
    """The kept rows x kept columns; (0, 0) when every row and column was kept (no change)."""
    if nr == h and nc == w:
        return 0, 0
    for r in range(nr):
        for c in range(nc):
            dst[r * nc + c] = src[rows[r] * w + cols[c]]
    return nr, nc


@njit(cache=True)
def _dedupe(src, h, w, dst):
    rows = np.empty(h, dtype=np.int64)
    nr = 0
    for y in range(h):
        same = y > 0
        if same:
            for x in range(w):
                if src[y * w + x] != src[(y - 1) * w + x]:
                    same = False
                    break
        if not same:
            rows[nr] = y
            nr += 1
    cols = np.empty(w, dtype=np.int64)
    nc = 0
    for x in range(w):
        same = x > 0
        if same:
            for r in range(nr):
                if src[rows[r] * w + x] != src[rows[r] * w + x - 1]:
                    same = False
                    break
        if not same:
            cols[nc] = x
            nc += 1
    return _gather(src, h, w, rows, nr, cols, nc, dst)


@njit(cache=True)
def _drop_empty(src, h, w, dst):
    rows = np.empty(h, dtype=np.int64)
    nr = 0
    for y in range(h):
        for x in range(w):
            if src[y * w + x] != 0:
                rows[nr] = y
                nr += 1
                break
    if nr == 0:
        return 0, 0
    cols = np.empty(w, dtype=np.int64)
    nc = 0
    for x in range(w):
        for r in range(nr):
            if src[rows[r] * w + x] != 0:
                cols[nc] = x
                nc += 1
                break
    return _gather(src, h, w, rows, nr, cols, nc, dst)


@njit(cache=True)
def _scale_down(k, src, h, w, dst):
    if h % k or w % k:
        return 0, 0
    oh, ow = h // k, w // k
    for y in range(h):
        for x in range(w):
            if src[y * w + x] != src[(y - y % k) * w + (x - x % k)]:
                return 0, 0
    for y in range(oh):
        for x in range(ow):
            dst[y * ow + x] = src[y * k * w + x * k]
    return oh, ow


@njit(cache=True)
def _tile(ry, rx, mirror, src, h, w, dst):
    oh, ow = h * ry, w * rx
    if oh > MAX_SIDE or ow > MAX_SIDE:
        return 0, 0
    for y in range(oh):
        by, sy = y // h, y % h
        if mirror and by % 2:
            sy = h - 1 - sy
        for x in range(ow):
            bx, sx = x // w, x % w
            if mirror and bx % 2:
                sx = w - 1 - sx
            dst[y * ow + x] = src[sy * w + sx]
    return oh, ow


@njit(cache=True)
def _gravity(d, src, h, w, dst):
    """0 down, 1 up, 2 right, 3 left: non-zero cells fall that way, keeping their order.
    Columns (down, up) or rows (right, left) are lines, walked from the end they fall to."""
    for i in range(h * w):
        dst[i] = 0
    n_lines, length, line_step, cell_step = (w, h, 1, w) if d < 2 else (h, w, w, 1)
    to_end = d == 0 or d == 2  # falling towards the line's last cell
    for line in range(n_lines):
        base = line * line_step
        k = length - 1 if to_end else 0
        for t in range(length):
            v = src[base + (length - 1 - t if to_end else t) * cell_step]
            if v != 0:
                dst[base + k * cell_step] = v
                k += -1 if to_end else 1
    return h, w


@njit(cache=True)
def _outside(src, h, w):
    """Zero cells reachable from the border through zero cells (4-neighbourhood)."""
    seen = np.zeros(h * w, dtype=np.bool_)
    stack = np.empty(h * w, dtype=np.int64)
    top = 0
    for y in range(h):
        for x in range(w):
            i = y * w + x
            if (y == 0 or x == 0 or y == h - 1 or x == w - 1) and src[i] == 0:
                seen[i] = True
                stack[top] = i
                top += 1
    while top > 0:
        top -= 1
        i = stack[top]
        y, x = i // w, i % w
        for d in range(4):
            ny = y + (-1 if d == 0 else (1 if d == 1 else 0))
            nx = x + (-1 if d == 2 else (1 if d == 3 else 0))
            if 0 <= ny < h and 0 <= nx < w:
                j = ny * w + nx
                if not seen[j] and src[j] == 0:
                    seen[j] = True
                    stack[top] = j
                    top += 1
    return seen


@njit(cache=True)
def _nonzero_at(src, h, w, y, x):
    return 0 <= y < h and 0 <= x < w and src[y * w + x] != 0


@njit(cache=True)
def _edges(interior, src, h, w, dst):
    """Non-zero cells with (border) or without (interior) a zero or off-grid 4-neighbour."""
    any_kept = False
    for y in range(h):
        for x in range(w):
            v = src[y * w + x]
            inner = (
                _nonzero_at(src, h, w, y - 1, x)
                and _nonzero_at(src, h, w, y + 1, x)
                and _nonzero_at(src, h, w, y, x - 1)
                and _nonzero_at(src, h, w, y, x + 1)
            )
            keep = v != 0 and inner == interior
            dst[y * w + x] = v if keep else 0
            any_kept = any_kept or keep
    return (h, w) if any_kept else (0, 0)


@njit(cache=True)
def _outline(c, diagonal, src, h, w, dst):
    painted = False
    for y in range(h):
        for x in range(w):
            v = src[y * w + x]
            near = False
            if v == 0:
                for dy in range(-1, 2):
                    for dx in range(-1, 2):
                        if (dy != 0 or dx != 0) and (diagonal or dy == 0 or dx == 0):
                            near = near or _nonzero_at(src, h, w, y + dy, x + dx)
            dst[y * w + x] = c if near else v
            painted = painted or near
    return (h, w) if painted else (0, 0)


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
def apply_op(code, param, src, h, w, dst):
    """Op `code` with `param` on the (h, w) image src (flat), written to dst; (height, width), or (0, 0)."""
    n = h * w
    if code == DIHEDRAL:
        return _dihedral(param, src, h, w, dst)
    if code in (CROP, CROP_FG):
        bg = int(np.argmax(_counts(src, n))) if code == CROP_FG else 0
        r0, r1, c0, c1 = _box(src, h, w, bg)
        if r0 < 0:
            return FAIL
        return _copy_box(src, w, r0, r1, c0, c1, dst)
    if code == TRIM_FRAME:
        if h < 3 or w < 3:
            return FAIL
        return _copy_box(src, w, 1, h - 1, 1, w - 1, dst)
    if code in (KEEP_COLOUR, ERASE_COLOUR):
        return (h, w) if _select(src, n, dst, code == KEEP_COLOUR, param) else FAIL
    if code == KEEP_RANK:
        order, m = _fg_by_count(_counts(src, n))
        if m <= param:
            return FAIL
        _select(src, n, dst, True, order[param])
        return h, w
    if code == PAINT:
        for i in range(n):
            dst[i] = param if src[i] != 0 else 0
        return h, w
    if code == INVERT:
        order, m = _fg_by_count(_counts(src, n))
        if m == 0:
            return FAIL
        for i in range(n):
            dst[i] = order[0] if src[i] == 0 else 0
        return h, w
    if code == HALF:
        if param == 0:
            return FAIL if h // 2 == 0 else _copy_box(src, w, 0, h // 2, 0, w, dst)
        if param == 1:
            return FAIL if h // 2 == 0 else _copy_box(src, w, (h + 1) // 2, h, 0, w, dst)
        if param == 2:
            return FAIL if w // 2 == 0 else _copy_box(src, w, 0, h, 0, w // 2, dst)
        return FAIL if w // 2 == 0 else _copy_box(src, w, 0, h, (w + 1) // 2, w, dst)
    if code == DEDUPE_ROWS_COLS:
        return _dedupe(src, h, w, dst)
    if code == DROP_EMPTY_ROWS_COLS:
        return _drop_empty(src, h, w, dst)
    if code == SCALE_UP:
        return _tile_scaled(param, src, h, w, dst)
    if code == SCALE_DOWN:
        return _scale_down(param, src, h, w, dst)
    if code in (TILE, MIRROR_TILE):
        return _tile(param // 8, param % 8, code == MIRROR_TILE, src, h, w, dst)
    if code == GRAVITY:
        return _gravity(param, src, h, w, dst)
    if code in (FILL_ENCLOSED, HOLES):
        outside = _outside(src, h, w)
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
        return _edges(code == INTERIOR_CELLS, src, h, w, dst)
    if code == OUTLINE:
        return _outline(param // 2, param % 2 == 1, src, h, w, dst)
    if code == SYMMETRIZE:
        return _symmetrize(param, src, h, w, dst)
    if code == SHIFT:
        return _shift(param, src, h, w, dst)
    if code == SELF_KRON:
        return _self_kron(param == 1, src, h, w, dst)
    if code == HULL:
        return _hull(src, h, w, dst)
    return FAIL


@njit(cache=True)
def _tile_scaled(k, src, h, w, dst):
    """Every cell as a k x k block."""
    oh, ow = h * k, w * k
    if oh > MAX_SIDE or ow > MAX_SIDE:
        return 0, 0
    for y in range(oh):
        for x in range(ow):
            dst[y * ow + x] = src[(y // k) * w + x // k]
    return oh, ow


@njit(cache=True)
def _symmetrize(kind, src, h, w, dst):
    if kind == 3 and h != w:
        return 0, 0
    for i in range(h * w):
        dst[i] = src[i]
    # hv: the left-right mirror, then the upside-down one, then the half turn, each filling zeros
    passes = 3 if kind == 2 else 1
    for p in range(passes):
        mode = kind if kind != 2 else p  # 0 h, 1 v, then (hv's third pass) the half turn
        prev = dst[: h * w].copy()
        for y in range(h):
            for x in range(w):
                if prev[y * w + x] != 0:
                    continue
                if mode == 0:
                    m = prev[y * w + (w - 1 - x)]
                elif mode == 1:
                    m = prev[(h - 1 - y) * w + x]
                elif mode == 2:
                    m = prev[(h - 1 - y) * w + (w - 1 - x)]
                else:
                    m = prev[x * w + y]
                dst[y * w + x] = m
    return h, w


@njit(cache=True)
def _shift(d, src, h, w, dst):
    dy = 1 if d == 0 else (-1 if d == 1 else 0)
    dx = 1 if d == 2 else (-1 if d == 3 else 0)
    if (dy != 0 and h <= 1) or (dx != 0 and w <= 1):
        return 0, 0
    for y in range(h):
        for x in range(w):
            sy, sx = y - dy, x - dx
            dst[y * w + x] = src[sy * w + sx] if 0 <= sy < h and 0 <= sx < w else 0
    return h, w


@njit(cache=True)
def _self_kron(on_zero, src, h, w, dst):
    """A copy of the image in every block whose cell is non-zero (or zero)."""
    if h * h > MAX_SIDE or w * w > MAX_SIDE:
        return 0, 0
    ow = w * w
    for by in range(h):
        for bx in range(w):
            on = (src[by * w + bx] == 0) == on_zero
            for y in range(h):
                for x in range(w):
                    dst[(by * h + y) * ow + bx * w + x] = src[y * w + x] if on else 0
    return h * h, ow


@njit(cache=True)
def _hull(src, h, w, dst):
    r0, r1, c0, c1 = _box(src, h, w, 0)
    if r0 < 0:
        return 0, 0
    order, _ = _fg_by_count(_counts(src, h * w))
    for i in range(h * w):
        dst[i] = src[i]
    for y in range(r0, r1):
        for x in range(c0, c1):
            dst[y * w + x] = order[0]
    return h, w
