"""Kernels along straight lines: gravity, rays, connecting pairs, what a cell sees each way."""

from __future__ import annotations

import numpy as np
from numba import njit

from .objects import NEIGHBOUR_DX, NEIGHBOUR_DY


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
    3 right, 4..7 diagonals, as in NEIGHBOUR_DY/NEIGHBOUR_DX). A ray only paints `bg` cells; with
    stop_at_obstacle it stops at the first non-`bg` cell, otherwise it passes over them.
    Where rays cross, the ray of the first cell in row-major order paints. Returns (H, W) uint8.

    Linear time: rather than walking each ray, each cell takes, per direction, the cells whose
    ray reaches it (found one step back along the direction), and the first of them in
    row-major order paints it.
    """
    h, w = grid.shape
    none = h * w  # no painter; painters are numbered y * w + x
    painter = np.full(h * w, none, dtype=np.int64)
    reach = np.empty(h * w, dtype=np.int64)  # per direction: the first painter whose ray reaches the cell
    for d in range(8):
        if not (dirs_mask >> d) & 1:
            continue
        dy, dx = NEIGHBOUR_DY[d], NEIGHBOUR_DX[d]
        # Visit each cell after the one a step back along the ray.
        for i in range(h):
            y = h - 1 - i if dy < 0 else i
            for j in range(w):
                x = w - 1 - j if dy == 0 and dx < 0 else j
                py, px = y - dy, x - dx
                r = none
                if 0 <= py < h and 0 <= px < w:
                    q = py * w + px
                    if grid[py, px] != bg:
                        r = q if stop_at_obstacle else min(q, reach[q])
                    else:
                        r = reach[q]
                reach[y * w + x] = r
                if r < painter[y * w + x]:
                    painter[y * w + x] = r
    out = grid.copy()
    for y in range(h):
        for x in range(w):
            r = painter[y * w + x]
            if grid[y, x] == bg and r < none:
                out[y, x] = grid[r // w, r % w]
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
                dy = NEIGHBOUR_DY[d]
                dx = NEIGHBOUR_DX[d]
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
def first_hits(grid, bg, none):
    """What each cell would see looking along each direction: the colour of the first
    non-`bg` cell strictly beyond it, or `none` when the ray leaves the grid first.

    grid: (H, W) uint8. Returns (8, H, W) int64, directions ordered as in NEIGHBOUR_DY/NEIGHBOUR_DX.
    """
    h, w = grid.shape
    out = np.full((8, h, w), none, dtype=np.int64)
    for d in range(8):
        for y in range(h):
            for x in range(w):
                ny = y + NEIGHBOUR_DY[d]
                nx = x + NEIGHBOUR_DX[d]
                while 0 <= ny < h and 0 <= nx < w:
                    if grid[ny, nx] != bg:
                        out[d, y, x] = grid[ny, nx]
                        break
                    ny += NEIGHBOUR_DY[d]
                    nx += NEIGHBOUR_DX[d]
    return out
