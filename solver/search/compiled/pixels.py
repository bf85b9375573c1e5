"""The pixel work behind each compiled op (`apply.apply_op` dispatches to these).

Images are flat row-major uint8 runs (`src[y * w + x]`); each function writes its result
into `dst` and returns its shape, or (0, 0) when the library's reference would return None.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.arc.tasks import MAX_SIDE


@njit(cache=True)
def colour_counts(src, n):
    counts = np.zeros(10, dtype=np.int64)
    for i in range(n):
        counts[src[i]] += 1
    return counts


@njit(cache=True)
def fg_by_count(counts):
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
def dihedral(k, src, h, w, dst):
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
def box(src, h, w, bg):
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
def copy_box(src, w, r0, r1, c0, c1, dst):
    ow = c1 - c0
    for y in range(r0, r1):
        for x in range(c0, c1):
            dst[(y - r0) * ow + (x - c0)] = src[y * w + x]
    return r1 - r0, ow


@njit(cache=True)
def select(src, n, dst, keep, c):
    """keep: cells of colour c stay, others 0; else cells of c become 0. (0, 0) when c is absent."""
    found = False
    for i in range(n):
        v = src[i]
        if v == c:
            found = True
        dst[i] = (v if v == c else 0) if keep else (0 if v == c else v)
    return found


@njit(cache=True)
def gather(src, h, w, rows, nr, cols, nc, dst):
    """The kept rows x kept columns; (0, 0) when every row and column was kept (no change)."""
    if nr == h and nc == w:
        return 0, 0
    for r in range(nr):
        for c in range(nc):
            dst[r * nc + c] = src[rows[r] * w + cols[c]]
    return nr, nc


@njit(cache=True)
def dedupe(src, h, w, dst):
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
    return gather(src, h, w, rows, nr, cols, nc, dst)


@njit(cache=True)
def drop_empty(src, h, w, dst):
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
    return gather(src, h, w, rows, nr, cols, nc, dst)


@njit(cache=True)
def scale_down(k, src, h, w, dst):
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
def tile(ry, rx, mirror, src, h, w, dst):
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
def gravity(d, src, h, w, dst):
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
def outside_mask(src, h, w):
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
def nonzero_at(src, h, w, y, x):
    return 0 <= y < h and 0 <= x < w and src[y * w + x] != 0


@njit(cache=True)
def edges(interior, src, h, w, dst):
    """Non-zero cells with (border) or without (interior) a zero or off-grid 4-neighbour."""
    any_kept = False
    for y in range(h):
        for x in range(w):
            v = src[y * w + x]
            inner = (
                nonzero_at(src, h, w, y - 1, x)
                and nonzero_at(src, h, w, y + 1, x)
                and nonzero_at(src, h, w, y, x - 1)
                and nonzero_at(src, h, w, y, x + 1)
            )
            keep = v != 0 and inner == interior
            dst[y * w + x] = v if keep else 0
            any_kept = any_kept or keep
    return (h, w) if any_kept else (0, 0)


@njit(cache=True)
def outline(c, diagonal, src, h, w, dst):
    painted = False
    for y in range(h):
        for x in range(w):
            v = src[y * w + x]
            near = False
            if v == 0:
                for dy in range(-1, 2):
                    for dx in range(-1, 2):
                        if (dy != 0 or dx != 0) and (diagonal or dy == 0 or dx == 0):
                            near = near or nonzero_at(src, h, w, y + dy, x + dx)
            dst[y * w + x] = c if near else v
            painted = painted or near
    return (h, w) if painted else (0, 0)


@njit(cache=True)
def tile_scaled(k, src, h, w, dst):
    """Every cell as a k x k block."""
    oh, ow = h * k, w * k
    if oh > MAX_SIDE or ow > MAX_SIDE:
        return 0, 0
    for y in range(oh):
        for x in range(ow):
            dst[y * ow + x] = src[(y // k) * w + x // k]
    return oh, ow


@njit(cache=True)
def symmetrize(kind, src, h, w, dst):
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
def shift(d, src, h, w, dst):
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
def self_kron(on_zero, src, h, w, dst):
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
def hull(src, h, w, dst):
    r0, r1, c0, c1 = box(src, h, w, 0)
    if r0 < 0:
        return 0, 0
    order, _ = fg_by_count(colour_counts(src, h * w))
    for i in range(h * w):
        dst[i] = src[i]
    for y in range(r0, r1):
        for x in range(c0, c1):
            dst[y * w + x] = order[0]
    return h, w
