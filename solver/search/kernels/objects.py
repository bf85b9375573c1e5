"""Kernels on objects: connected components, their boxes, the background outside them, what they
wall in, sliding them."""

from __future__ import annotations

import numpy as np
from numba import njit

# Neighbour offsets: the first four are the 4-neighbourhood, all eight the 8-neighbourhood.
NEIGHBOUR_DY = np.array([-1, 1, 0, 0, -1, -1, 1, 1], dtype=np.int64)
NEIGHBOUR_DX = np.array([0, 0, -1, 1, -1, 1, -1, 1], dtype=np.int64)


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
                    ny = y + NEIGHBOUR_DY[d]
                    nx = x + NEIGHBOUR_DX[d]
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
            ny = y + NEIGHBOUR_DY[d]
            nx = x + NEIGHBOUR_DX[d]
            if 0 <= ny < h and 0 <= nx < w and not seen[ny, nx] and grid[ny, nx] == bg:
                seen[ny, nx] = True
                stack_y[top] = ny
                stack_x[top] = nx
                top += 1
    return seen


@njit(cache=True)
def components_enclosing(labels, n):
    """Per component: whether it walls in some cell, i.e. a cell outside it that cannot reach
    the border through cells outside it (4-neighbourhood). labels: as `label_components`.
    Returns (n,) bool."""
    h, w = labels.shape
    encloses = np.zeros(n, dtype=np.bool_)
    seen = np.zeros((h, w), dtype=np.bool_)
    stack_y = np.empty(h * w, dtype=np.int64)
    stack_x = np.empty(h * w, dtype=np.int64)
    for k in range(n):
        seen[:, :] = False
        top = 0
        free = 0
        for y in range(h):
            for x in range(w):
                if labels[y, x] != k:
                    free += 1
                    if y == 0 or x == 0 or y == h - 1 or x == w - 1:
                        seen[y, x] = True
                        stack_y[top] = y
                        stack_x[top] = x
                        top += 1
        reached = top
        while top > 0:
            top -= 1
            y = stack_y[top]
            x = stack_x[top]
            for d in range(4):
                ny = y + NEIGHBOUR_DY[d]
                nx = x + NEIGHBOUR_DX[d]
                if 0 <= ny < h and 0 <= nx < w and not seen[ny, nx] and labels[ny, nx] != k:
                    seen[ny, nx] = True
                    stack_y[top] = ny
                    stack_x[top] = nx
                    top += 1
                    reached += 1
        encloses[k] = reached < free
    return encloses


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
def slide_to_box(grid, labels, n, t0, t1, l0, l1):
    """Move every labelled object straight towards the box rows t0:t1, columns l0:l1 (along
    the axis on which its own box overlaps it) until the next step would leave the grid or
    meet a non-zero cell; objects move one after another, in label order. An object whose
    box overlaps the target box on neither axis stays.

    grid: (H, W) uint8; labels: (H, W) int32 from `label_components` (n objects).
    Returns (H, W) uint8.
    """
    h, w = grid.shape
    out = grid.copy()
    for k in range(n):
        r0, r1, c0, c1 = h, 0, w, 0
        for y in range(h):
            for x in range(w):
                if labels[y, x] == k:
                    r0, r1, c0, c1 = min(r0, y), max(r1, y + 1), min(c0, x), max(c1, x + 1)
        if r0 < t1 and t0 < r1:  # rows overlap: move sideways
            dy, dx = 0, (1 if c1 <= l0 else -1)
        elif c0 < l1 and l0 < c1:  # columns overlap: move up or down
            dy, dx = (1 if r1 <= t0 else -1), 0
        else:
            continue
        for y in range(h):
            for x in range(w):
                if labels[y, x] == k:
                    out[y, x] = 0
        step = 0
        blocked = False
        while not blocked:
            for y in range(h):
                for x in range(w):
                    if labels[y, x] != k:
                        continue
                    ny, nx = y + (step + 1) * dy, x + (step + 1) * dx
                    if ny < 0 or nx < 0 or ny >= h or nx >= w or out[ny, nx] != 0:
                        blocked = True
            if not blocked:
                step += 1
        for y in range(h):
            for x in range(w):
                if labels[y, x] == k:
                    out[y + step * dy, x + step * dx] = grid[y, x]
    return out


LABEL_PROPS = ("rank", "cells", "border")  # what `label_objects_by` paints, by index


@njit(cache=True)
def label_objects_by(grid, prop):
    """Every single-colour object (8-connected, on background 0) painted with a code of one of
    its properties, `LABEL_PROPS[prop]`: its size rank (largest 1), its cell count (at most 9),
    or 1 when it touches the border, else 2. Returns (painted (H, W) uint8, ok): not ok with
    fewer than two objects, or more than 9 sizes to rank."""
    h, w = grid.shape
    out = np.zeros((h, w), dtype=np.uint8)
    labels, n = label_components(grid, 0, True, False)
    if n < 2:
        return out, False
    boxes = component_boxes(labels, n)
    cells = boxes[:, 4]
    code = np.empty(n, dtype=np.int64)
    if prop == 0:
        sizes = np.unique(cells)  # ascending
        if len(sizes) > 9:
            return out, False
        for k in range(n):
            code[k] = len(sizes) - np.searchsorted(sizes, cells[k])
    elif prop == 1:
        for k in range(n):
            code[k] = min(cells[k], 9)
    else:
        for k in range(n):
            touch = boxes[k, 0] == 0 or boxes[k, 1] == 0 or boxes[k, 2] == h or boxes[k, 3] == w
            code[k] = 1 if touch else 2
    for y in range(h):
        for x in range(w):
            if labels[y, x] >= 0:
                out[y, x] = code[labels[y, x]]
    return out, True


@njit(cache=True)
def fill_holes_own(grid):
    """Each zero cell not reachable from the border through zero cells (4-neighbours) takes the
    nearest non-zero colour above it, in row-major order (a hole above, filled already, passes
    its colour down; 0 when there is none). (H, W) uint8 -> (H, W) uint8."""
    h, w = grid.shape
    outside = outside_mask(grid, 0, False)
    out = grid.copy()
    for y in range(h):
        for x in range(w):
            if grid[y, x] == 0 and not outside[y, x]:
                yy = y
                while yy >= 0 and out[yy, x] == 0:
                    yy -= 1
                out[y, x] = out[yy, x] if yy >= 0 else 0
    return out
