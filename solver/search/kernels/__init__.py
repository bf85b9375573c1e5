"""Grid primitives as numba kernels on small uint8 arrays.

Every kernel takes (H, W) uint8 grids (H, W <= 30 in ARC, but nothing here assumes it)
and returns new arrays; none mutates its input. The kernels are the loops that numpy
cannot vectorise well (component labelling, flood fills, gravity, rays); everything
else lives in `transforms.py` as plain numpy.

Compilation: `cache=True` writes machine code next to this file (`__pycache__`). When that
folder is read-only (Kaggle mounts datasets read-only under /kaggle/input), numba falls back,
silently, to NUMBA_CACHE_DIR when it is set, else to its user-wide cache dir
(~/.cache/numba/search_<hash>/); both verified with a read-only bind mount. So on Kaggle the
first process compiles once (~10 s for all kernels on a busy 2-core machine) and later
processes load the cache (~1 s). `warmup()` compiles (or loads) every kernel up front so
that the first task's time limit is not spent compiling.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Neighbour offsets: the first four are the 4-neighbourhood, all eight the 8-neighbourhood.
_DY = np.array([-1, 1, 0, 0, -1, -1, 1, 1], dtype=np.int64)
_DX = np.array([0, 0, -1, 1, -1, 1, -1, 1], dtype=np.int64)


@njit(cache=True)
def label_components(grid, bg, diagonal, multicolour):
    """Connected components of the cells whose colour is not `bg`.

    grid: (H, W) uint8. bg: background colour, or -1 for none (every cell belongs to some
    component). diagonal: 8-neighbourhood if True, else 4. multicolour: neighbours of any
    non-background colour join, else only neighbours of the same colour.
    Returns (labels (H, W) int32 with -1 for background, n_components); components are
    numbered in row-major order of their first cell.
    """
    h, w = grid.shape
    labels = np.full((h, w), -1, dtype=np.int32)
    stack_y = np.empty(h * w, dtype=np.int64)
    stack_x = np.empty(h * w, dtype=np.int64)
    n_dirs = 8 if diagonal else 4
    n = 0
    for sy in range(h):
        for sx in range(w):
            if labels[sy, sx] >= 0 or grid[sy, sx] == bg:
                continue
            labels[sy, sx] = n
            top = 0
            stack_y[0] = sy
            stack_x[0] = sx
            top = 1
            while top > 0:
                top -= 1
                y = stack_y[top]
                x = stack_x[top]
                c = grid[y, x]
                for d in range(n_dirs):
                    ny = y + _DY[d]
                    nx = x + _DX[d]
                    if ny < 0 or ny >= h or nx < 0 or nx >= w or labels[ny, nx] >= 0:
                        continue
                    nc = grid[ny, nx]
                    if nc == bg:
                        continue
                    if not multicolour and nc != c:
                        continue
                    labels[ny, nx] = n
                    stack_y[top] = ny
                    stack_x[top] = nx
                    top += 1
            n += 1
    return labels, n


@njit(cache=True)
def component_boxes(labels, n):
    """Bounding boxes and cell counts of labelled components.

    labels: (H, W) int32 from `label_components`. Returns (n, 5) int64 rows
    (top, left, bottom_exclusive, right_exclusive, cells).
    """
    h, w = labels.shape
    out = np.zeros((n, 5), dtype=np.int64)
    for i in range(n):
        out[i, 0] = h
        out[i, 1] = w
    for y in range(h):
        for x in range(w):
            k = labels[y, x]
            if k < 0:
                continue
            if y < out[k, 0]:
                out[k, 0] = y
            if x < out[k, 1]:
                out[k, 1] = x
            if y + 1 > out[k, 2]:
                out[k, 2] = y + 1
            if x + 1 > out[k, 3]:
                out[k, 3] = x + 1
            out[k, 4] += 1
    return out


@njit(cache=True)
def outside_mask(grid, bg, diagonal):
    """Cells of colour `bg` reachable from the border through `bg` cells.

    grid: (H, W) uint8. Returns (H, W) bool. The complement among `bg` cells is what an
    enclosed-region fill paints.
    """
    h, w = grid.shape
    seen = np.zeros((h, w), dtype=np.bool_)
    stack_y = np.empty(h * w, dtype=np.int64)
    stack_x = np.empty(h * w, dtype=np.int64)
    top = 0
    for y in range(h):
        for x in range(w):
            if (y == 0 or x == 0 or y == h - 1 or x == w - 1) and grid[y, x] == bg:
                seen[y, x] = True
                stack_y[top] = y
                stack_x[top] = x
                top += 1
    n_dirs = 8 if diagonal else 4
    while top > 0:
        top -= 1
        y = stack_y[top]
        x = stack_x[top]
        for d in range(n_dirs):
            ny = y + _DY[d]
            nx = x + _DX[d]
            if 0 <= ny < h and 0 <= nx < w and not seen[ny, nx] and grid[ny, nx] == bg:
                seen[ny, nx] = True
                stack_y[top] = ny
                stack_x[top] = nx
                top += 1
    return seen


@njit(cache=True)
def gravity_down(grid, bg):
    """Every non-`bg` cell falls to the bottom of its column, keeping column order.

    grid: (H, W) uint8 -> (H, W) uint8. Other directions are rotations of this one.
    """
    h, w = grid.shape
    out = np.full((h, w), bg, dtype=np.uint8)
    for x in range(w):
        k = h - 1
        for y in range(h - 1, -1, -1):
            if grid[y, x] != bg:
                out[k, x] = grid[y, x]
                k -= 1
    return out


@njit(cache=True)
def rays(grid, bg, dirs_mask, stop_at_obstacle):
    """From every non-`bg` cell, paint its colour along the chosen directions.

    grid: (H, W) uint8. dirs_mask: bit d set for direction d (0 up, 1 down, 2 left,
    3 right, 4..7 diagonals, as in _DY/_DX). A ray only paints `bg` cells; with
    stop_at_obstacle it stops at the first non-`bg` cell, otherwise it passes over them.
    Returns (H, W) uint8.
    """
    h, w = grid.shape
    out = grid.copy()
    for y in range(h):
        for x in range(w):
            c = grid[y, x]
            if c == bg:
                continue
            for d in range(8):
                if not (dirs_mask >> d) & 1:
                    continue
                ny = y + _DY[d]
                nx = x + _DX[d]
                while 0 <= ny < h and 0 <= nx < w:
                    if grid[ny, nx] != bg:
                        if stop_at_obstacle:
                            break
                    elif out[ny, nx] == bg:
                        out[ny, nx] = c
                    ny += _DY[d]
                    nx += _DX[d]
    return out


@njit(cache=True)
def connect_pairs(grid, bg, horizontal, vertical, diagonal):
    """Draw a segment between every two cells of the same colour on one row/column/diagonal
    with only `bg` cells between them. grid: (H, W) uint8 -> (H, W) uint8."""
    h, w = grid.shape
    out = grid.copy()
    for y in range(h):
        for x in range(w):
            c = grid[y, x]
            if c == bg:
                continue
            for d in range(8):
                dy = _DY[d]
                dx = _DX[d]
                # Only look forward (right, down, down-diagonals) so each pair is seen once.
                if not (
                    (dy == 0 and dx == 1 and horizontal)
                    or (dy == 1 and dx == 0 and vertical)
                    or (dy == 1 and dx != 0 and diagonal)
                ):
                    continue
                ny = y + dy
                nx = x + dx
                while 0 <= ny < h and 0 <= nx < w and grid[ny, nx] == bg:
                    ny += dy
                    nx += dx
                if 0 <= ny < h and 0 <= nx < w and grid[ny, nx] == c:
                    py = y + dy
                    px = x + dx
                    while py != ny or px != nx:
                        out[py, px] = c
                        py += dy
                        px += dx
    return out


@njit(cache=True)
def colour_counts(grid):
    """Cells per colour: (H, W) uint8 -> (10,) int64."""
    counts = np.zeros(10, dtype=np.int64)
    h, w = grid.shape
    for y in range(h):
        for x in range(w):
            counts[grid[y, x]] += 1
    return counts


@njit(cache=True)
def periodic_fill(grid, hole):
    """Fill the cells of colour `hole` from the smallest 2-D period that the other cells obey.

    grid: (H, W) uint8. Tries periods (py, px) by increasing py * px (then py); a period
    fits when all known cells with the same (y % py, x % px) agree and every residue class
    has a known cell. Returns (filled (H, W) uint8, found).
    """
    h, w = grid.shape
    best_py = 0
    best_px = 0
    best_area = h * w + 1
    cls = np.full((h, w), -1, dtype=np.int64)
    for py in range(1, h + 1):
        for px in range(1, w + 1):
            if py * px >= best_area or (py == h and px == w):
                continue
            for i in range(py):
                for j in range(px):
                    cls[i, j] = -1
            ok = True
            for y in range(h):
                if not ok:
                    break
                for x in range(w):
                    c = grid[y, x]
                    if c == hole:
                        continue
                    k = cls[y % py, x % px]
                    if k == -1:
                        cls[y % py, x % px] = c
                    elif k != c:
                        ok = False
                        break
            if not ok:
                continue
            for i in range(py):
                for j in range(px):
                    if cls[i, j] == -1:
                        ok = False
            if ok:
                best_py = py
                best_px = px
                best_area = py * px
    out = grid.copy()
    if best_py == 0:
        return out, False
    # Recompute the classes of the best period and fill.
    for i in range(best_py):
        for j in range(best_px):
            cls[i, j] = -1
    for y in range(h):
        for x in range(w):
            if grid[y, x] != hole:
                cls[y % best_py, x % best_px] = grid[y, x]
    for y in range(h):
        for x in range(w):
            if grid[y, x] == hole:
                out[y, x] = cls[y % best_py, x % best_px]
    return out, True


@njit(cache=True)
def largest_zero_rect(grid):
    """Largest all-zero axis-aligned rectangle (first found on ties, scanning rows).

    grid: (H, W) uint8. Returns (area, top, bottom_exclusive, left, right_exclusive).
    """
    h, w = grid.shape
    heights = np.zeros(w, dtype=np.int64)
    best_area, bt, bb, bl, br = 0, 0, 0, 0, 0
    for y in range(h):
        for x in range(w):
            heights[x] = heights[x] + 1 if grid[y, x] == 0 else 0
        for x0 in range(w):
            mh = h + 1
            for x1 in range(x0, w):
                if heights[x1] < mh:
                    mh = heights[x1]
                if mh == 0:
                    break
                area = mh * (x1 - x0 + 1)
                if area > best_area:
                    best_area, bt, bb, bl, br = area, y - mh + 1, y + 1, x0, x1 + 1
    return best_area, bt, bb, bl, br


@njit(cache=True)
def slide_objects(grid, labels, n, dy, dx, fixed):
    """Move every labelled object in direction (dy, dx) until it meets the edge or another
    object. Objects nearest the edge they move towards go first, the others stay where they
    are as obstacles until their turn; passes repeat until nothing moves (an object may
    stop behind one that moves on later).

    grid: (H, W) uint8; labels: (H, W) int32 from `label_components` (n objects). fixed:
    label of an object that does not move (an obstacle), or -1. Returns (H, W) uint8.
    """
    h, w = grid.shape
    lead = np.full(n, -(1 << 30), dtype=np.int64)  # how far along (dy, dx) each object reaches
    for y in range(h):
        for x in range(w):
            k = labels[y, x]
            if k >= 0:
                lead[k] = max(lead[k], y * dy + x * dx)
    order = np.arange(n)
    for i in range(1, n):  # stable insertion sort: furthest lead first, then label
        j = i
        while j > 0 and lead[order[j - 1]] < lead[order[j]]:
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1
    occupied = labels.copy()
    shift = np.zeros(n, dtype=np.int64)
    for _ in range(h + w):
        moved = False
        for i in range(n):
            k = order[i]
            if k == fixed:
                continue
            step = 0
            while True:
                ok = True
                for y in range(h):
                    for x in range(w):
                        if occupied[y, x] != k:
                            continue
                        ny = y + (step + 1) * dy
                        nx = x + (step + 1) * dx
                        off_grid = ny < 0 or ny >= h or nx < 0 or nx >= w
                        if off_grid or (occupied[ny, nx] != -1 and occupied[ny, nx] != k):
                            ok = False
                            break
                    if not ok:
                        break
                if not ok:
                    break
                step += 1
            if step == 0:
                continue
            moved = True
            shift[k] += step
            for y in range(h):  # lift the object, then set it down further on
                for x in range(w):
                    if occupied[y, x] == k:
                        occupied[y, x] = -1
            for y in range(h):
                for x in range(w):
                    if labels[y, x] == k:
                        occupied[y + shift[k] * dy, x + shift[k] * dx] = k
        if not moved:
            break
    out = np.zeros((h, w), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            k = labels[y, x]
            if k >= 0:
                out[y + shift[k] * dy, x + shift[k] * dx] = grid[y, x]
    return out


@njit(cache=True)
def colour_table(result, target, table):
    """Extend `table` (10,) int64, with -1 for "not seen yet", so that table[result] ==
    target cell by cell. result, target: (H, W) uint8 of one shape. Returns False (table
    then partly filled) when one result colour would need two target colours."""
    h, w = result.shape
    for y in range(h):
        for x in range(w):
            r = result[y, x]
            t = target[y, x]
            if table[r] == -1:
                table[r] = t
            elif table[r] != t:
                return False
    return True


@njit(cache=True)
def largest_frame(grid):
    """The largest axis-aligned rectangle (at least 3 x 3) whose border cells all have one
    non-zero colour. grid: (H, W) uint8. Returns (area, top, bottom_exclusive, left,
    right_exclusive); area 0 when there is none. Ties: the first found scanning rows."""
    h, w = grid.shape
    right = np.zeros((h, w + 1), dtype=np.int64)  # same-colour run length to the right
    down = np.zeros((h + 1, w), dtype=np.int64)  # ... and downwards
    for y in range(h - 1, -1, -1):
        for x in range(w - 1, -1, -1):
            right[y, x] = 1 + (right[y, x + 1] if x + 1 < w and grid[y, x + 1] == grid[y, x] else 0)
            down[y, x] = 1 + (down[y + 1, x] if y + 1 < h and grid[y + 1, x] == grid[y, x] else 0)
    best, bt, bb, bl, br = 0, 0, 0, 0, 0
    for y0 in range(h):
        for x0 in range(w):
            c = grid[y0, x0]
            if c == 0:
                continue
            for y1 in range(y0 + 2, y0 + down[y0, x0]):
                for x1 in range(x0 + 2, x0 + right[y0, x0]):
                    area = (y1 - y0 + 1) * (x1 - x0 + 1)
                    if area <= best:
                        continue
                    if grid[y1, x0] == c and right[y1, x0] > x1 - x0 and grid[y0, x1] == c and down[y0, x1] > y1 - y0:
                        best, bt, bb, bl, br = area, y0, y1 + 1, x0, x1 + 1
    return best, bt, bb, bl, br


# Symmetry families tried by `symmetry_fill`, each with one offset parameter (or two).
SYM_FLIP_H = 0  # x' = a - x
SYM_FLIP_V = 1  # y' = a - y
SYM_TRANSPOSE = 2  # (y', x') = (x + a, y - a)
SYM_ANTI_TRANSPOSE = 3  # (y', x') = (a - x, a - y)
SYM_ROT180 = 4  # (y', x') = (a - y, b - x)
ROT180_CENTRE_SLACK = 6  # rot180 centres within this many half-cells of the grid centre


@njit(cache=True)
def _sym_image(kind, a, b, y, x):
    if kind == SYM_FLIP_H:
        return y, a - x
    if kind == SYM_FLIP_V:
        return a - y, x
    if kind == SYM_TRANSPOSE:
        return x + a, y - a
    if kind == SYM_ANTI_TRANSPOSE:
        return a - x, a - y
    return a - y, b - x


@njit(cache=True)
def symmetry_fill(grid, hole, min_overlap):
    """Fill the cells of colour `hole` from the mirror/diagonal/rotation symmetries that the
    other cells obey (a symmetric pattern partly hidden under a patch).

    grid: (H, W) uint8. A symmetry (family and axis offset) is kept when every pair of known
    cells it relates agrees and at least `min_overlap` (a fraction of the known cells) are
    related. Hole cells take the colour of a known image under a kept symmetry, repeated
    until nothing changes (symmetries compose). Returns (filled (H, W) uint8, complete):
    complete is False when no symmetry was kept or some hole cell stayed unfilled.
    """
    h, w = grid.shape
    known = 0
    for y in range(h):
        for x in range(w):
            if grid[y, x] != hole:
                known += 1
    out = grid.copy()
    if known == h * w or known == 0:
        return out, False
    need = max(1, int(min_overlap * known))
    kinds = np.zeros(512, dtype=np.int64)
    offs_a = np.zeros(512, dtype=np.int64)
    offs_b = np.zeros(512, dtype=np.int64)
    n_kept = 0
    for kind in range(5):
        if kind == SYM_FLIP_H:
            a_lo, a_hi = 0, 2 * w - 2
        elif kind == SYM_FLIP_V:
            a_lo, a_hi = 0, 2 * h - 2
        elif kind == SYM_TRANSPOSE:
            a_lo, a_hi = -(w - 1), h - 1
        elif kind == SYM_ANTI_TRANSPOSE:
            a_lo, a_hi = 0, h + w - 2
        else:
            a_lo, a_hi = max(0, h - 1 - ROT180_CENTRE_SLACK), min(2 * h - 2, h - 1 + ROT180_CENTRE_SLACK)
        b_lo, b_hi = 0, 0
        if kind == SYM_ROT180:
            b_lo, b_hi = max(0, w - 1 - ROT180_CENTRE_SLACK), min(2 * w - 2, w - 1 + ROT180_CENTRE_SLACK)
        for a in range(a_lo, a_hi + 1):
            for b in range(b_lo, b_hi + 1):
                agree = 0
                ok = True
                for y in range(h):
                    if not ok:
                        break
                    for x in range(w):
                        c = grid[y, x]
                        if c == hole:
                            continue
                        yy, xx = _sym_image(kind, a, b, y, x)
                        if yy < 0 or yy >= h or xx < 0 or xx >= w or (yy == y and xx == x):
                            continue  # off the grid, or on the axis (a cell agrees with itself)
                        d = grid[yy, xx]
                        if d == hole:
                            continue
                        if d != c:
                            ok = False
                            break
                        agree += 1
                if ok and agree >= need and n_kept < 512:
                    kinds[n_kept] = kind
                    offs_a[n_kept] = a
                    offs_b[n_kept] = b
                    n_kept += 1
    if n_kept == 0:
        return out, False
    filled = np.zeros((h, w), dtype=np.bool_)
    for y in range(h):
        for x in range(w):
            filled[y, x] = grid[y, x] != hole
    changed = True
    while changed:
        changed = False
        for y in range(h):
            for x in range(w):
                if filled[y, x]:
                    continue
                for k in range(n_kept):
                    yy, xx = _sym_image(kinds[k], offs_a[k], offs_b[k], y, x)
                    if 0 <= yy < h and 0 <= xx < w and filled[yy, xx]:
                        out[y, x] = out[yy, xx]
                        filled[y, x] = True
                        changed = True
                        break
    for y in range(h):
        for x in range(w):
            if not filled[y, x]:
                return out, False
    return out, True


@njit(cache=True)
def first_hits(grid, bg, none):
    """What each cell would see looking along each direction: the colour of the first
    non-`bg` cell strictly beyond it, or `none` when the ray leaves the grid first.

    grid: (H, W) uint8. Returns (8, H, W) int64, directions ordered as in _DY/_DX.
    """
    h, w = grid.shape
    out = np.full((8, h, w), none, dtype=np.int64)
    for d in range(8):
        for y in range(h):
            for x in range(w):
                ny = y + _DY[d]
                nx = x + _DX[d]
                while 0 <= ny < h and 0 <= nx < w:
                    if grid[ny, nx] != bg:
                        out[d, y, x] = grid[ny, nx]
                        break
                    ny += _DY[d]
                    nx += _DX[d]
    return out


_HASH_MULTIPLIER = 0x2545F4914F6CDD1D  # odd, below 2**63 so that numba keeps int64 arithmetic


@njit(cache=True)
def rule_table_sizes(columns, colour, vals, sets, base):
    """For each feature set: how many distinct keys (colour, its features) the cells show,
    or -1 when one key comes with two values (no rule on that set reproduces the cells).

    columns: (F, N) int64 feature codes < base. colour, vals: (N,) int64. sets: (S, K) int64
    feature indices, -1 padded. Returns (S,) int64. Keys go in an open-addressing table.
    """
    n = colour.shape[0]
    size = 1
    while size < 2 * n:
        size *= 2
    slot_key = np.full(size, -1, dtype=np.int64)  # keys are non-negative
    slot_val = np.zeros(size, dtype=np.int64)
    used = np.empty(n, dtype=np.int64)
    out = np.empty(sets.shape[0], dtype=np.int64)
    for s in range(sets.shape[0]):
        distinct = 0
        for i in range(n):
            key = colour[i]
            for j in range(sets.shape[1]):
                f = sets[s, j]
                if f < 0:
                    break
                key = key * base + columns[f, i]
            h = (key * _HASH_MULTIPLIER) & (size - 1)  # int64 product wraps: still mixes the bits
            while slot_key[h] >= 0 and slot_key[h] != key:
                h = (h + 1) & (size - 1)
            if slot_key[h] < 0:
                slot_key[h] = key
                slot_val[h] = vals[i]
                used[distinct] = h
                distinct += 1
            elif slot_val[h] != vals[i]:
                out[s] = -1
                break
        else:
            out[s] = distinct
        for k in range(distinct):  # empty the table for the next set
            slot_key[used[k]] = -1
    return out


def warmup() -> None:
    """Compile (or load from the cache) every kernel once, on a tiny grid."""
    g = np.array([[0, 1], [2, 0]], dtype=np.uint8)
    labels, n = label_components(g, 0, True, True)
    component_boxes(labels, n)
    outside_mask(g, 0, False)
    gravity_down(g, 0)
    rays(g, 0, 3, True)
    connect_pairs(g, 0, True, True, True)
    colour_counts(g)
    periodic_fill(g, 0)
    largest_zero_rect(g)
    symmetry_fill(g, 0, 0.5)
    largest_frame(g)
    colour_table(g, g, np.full(10, -1, dtype=np.int64))
    slide_objects(g, labels, n, 1, 0, -1)
    first_hits(g, 0, 10)
    one = np.zeros(1, dtype=np.int64)
    rule_table_sizes(np.zeros((1, 1), dtype=np.int64), one, one, np.zeros((1, 1), dtype=np.int64), 2)
