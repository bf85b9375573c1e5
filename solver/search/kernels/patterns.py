"""Kernels that complete or find patterns: periodic and symmetric fills, empty rectangles, frames."""

from __future__ import annotations

import numpy as np
from numba import njit

from .tables import colour_counts


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
def periodic_fill_hole(grid, rarest):
    """`periodic_fill` of the cells of colour 0 or, with rarest, of the least frequent colour
    present (the lower on ties; two colours at least must be present). Returns (filled, found):
    not found when there is no such cell or no period fits."""
    hole = 0
    if rarest:
        counts = colour_counts(grid)
        present, fewest = 0, grid.size + 1
        for c in range(10):
            if counts[c] > 0:
                present += 1
                if counts[c] < fewest:
                    hole, fewest = c, counts[c]
        if present < 2:
            return grid.copy(), False
    if np.count_nonzero(grid == hole) == 0:
        return grid.copy(), False
    return periodic_fill(grid, hole)


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
def _sym_overlap(kind, a, b, h, w):
    """(y0, y1, x0, x1), half-open: the cells whose image under the symmetry lies on the grid
    (`_sym_image`); every other cell relates to none."""
    if kind == SYM_FLIP_H:
        return 0, h, max(0, a - w + 1), min(w, a + 1)
    if kind == SYM_FLIP_V:
        return max(0, a - h + 1), min(h, a + 1), 0, w
    if kind == SYM_TRANSPOSE:
        return max(0, a), min(h, w + a), max(0, -a), min(w, h - a)
    if kind == SYM_ANTI_TRANSPOSE:
        return max(0, a - w + 1), min(h, a + 1), max(0, a - h + 1), min(w, a + 1)
    return max(0, a - h + 1), min(h, a + 1), max(0, b - w + 1), min(w, b + 1)


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
                # Only the cells of the overlap can agree: too few, and the scan is skipped.
                y0, y1, x0, x1 = _sym_overlap(kind, a, b, h, w)
                if y1 <= y0 or x1 <= x0 or (y1 - y0) * (x1 - x0) < need:
                    continue
                agree = 0
                ok = True
                for y in range(y0, y1):
                    if not ok:
                        break
                    for x in range(x0, x1):
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
def diagonal_periodic_fill(grid, sign):
    """Fill the zero cells from the smallest period p >= 2 along diagonals: cells with the same
    (y + sign * x) mod p share a colour (stripes running diagonally; sign 1 or -1).

    A period fits when the non-zero cells of each class agree and every class has one.
    grid: (H, W) uint8. Returns (filled (H, W) uint8, found); not found when no cell is zero
    (nothing to fill).
    """
    h, w = grid.shape
    shift = w if sign < 0 else 0  # keeps y + sign * x + shift non-negative
    out = grid.copy()
    if np.count_nonzero(grid == 0) == 0:
        return out, False
    for p in range(2, h + w):
        table = np.zeros(p, dtype=np.int64)
        ok = True
        for y in range(h):
            for x in range(w):
                c = grid[y, x]
                if c != 0:
                    k = (y + sign * x + shift) % p
                    if table[k] == 0:
                        table[k] = c
                    elif table[k] != c:
                        ok = False
                        break
            if not ok:
                break
        for k in range(p):
            if table[k] == 0:
                ok = False
        if ok:
            for y in range(h):
                for x in range(w):
                    out[y, x] = table[(y + sign * x + shift) % p]
            return out, True
    return out, False


@njit(cache=True)
def mirror_symmetries(grid):
    """Bit set of the mirror symmetries a (H, W) uint8 grid has: 1 left-right, 2 up-down,
    4 about the main diagonal (square grids only)."""
    h, w = grid.shape
    bits = 7 if h == w else 3
    for y in range(h):
        for x in range(w):
            if bits & 1 and grid[y, x] != grid[y, w - 1 - x]:
                bits &= ~1
            if bits & 2 and grid[y, x] != grid[h - 1 - y, x]:
                bits &= ~2
            if bits & 4 and grid[y, x] != grid[x, y]:
                bits &= ~4
            if bits == 0:
                return 0
    return bits
