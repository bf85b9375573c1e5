"""A template drawn again where the image marks it: partial copies completed, markers stamped.

A template is an object (8-connected, colour 0 the background) of two colours or more. The
rest of the image is read as marks of where copies go:
- `complete_copies`: each one-colour object is part of a copy: the template laid where its
  cells agree with the marks. Placements are taken greedily, the one explaining most marks
  first; the image is refused when two placements explain the same marks differently, or when
  some mark is explained by none.
- `stamp_at_markers`: each single cell of a colour the template lacks is the centre of a copy.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .objects import component_boxes, label_components

MAX_OBJECTS = 40  # as the other object ops: more objects than that is no scene of shapes
# Bounds on the work (placements: marks x template cells, each checked cell by cell, once per
# placement taken): about 4 million cell checks at most, a few milliseconds.
MAX_TEMPLATE_CELLS = 64  # over all templates
MAX_MARKS = 32


@njit(cache=True)
def _object_colours(grid, labels, n):
    """(n,) bit set of the colours of each object."""
    bits = np.zeros(n, dtype=np.int64)
    h, w = grid.shape
    for y in range(h):
        for x in range(w):
            k = labels[y, x]
            if k >= 0:
                bits[k] |= 1 << grid[y, x]
    return bits


@njit(cache=True)
def _is_template(bits):
    """Whether a colour bit set holds two colours or more."""
    return bits & (bits - 1) != 0


@njit(cache=True)
def _template_cells(grid, labels, k):
    """(m, 3) int64 rows (y, x, colour) of object k, row-major."""
    h, w = grid.shape
    m = 0
    for y in range(h):
        for x in range(w):
            if labels[y, x] == k:
                m += 1
    cells = np.empty((m, 3), dtype=np.int64)
    i = 0
    for y in range(h):
        for x in range(w):
            if labels[y, x] == k:
                cells[i, 0], cells[i, 1], cells[i, 2] = y, x, grid[y, x]
                i += 1
    return cells


@njit(cache=True)
def _placement_marks(grid, is_mark, cells, dy, dx, covered):
    """Marks not yet covered that the template `cells` moved by (dy, dx) explains, or -1 when the
    copy would leave the grid or disagree with a cell it lands on (one that is not 0 and not a
    mark of the same colour)."""
    h, w = grid.shape
    count = 0
    for i in range(cells.shape[0]):
        y, x = cells[i, 0] + dy, cells[i, 1] + dx
        if y < 0 or y >= h or x < 0 or x >= w:
            return -1
        g = grid[y, x]
        if g != 0:
            if g != cells[i, 2] or not is_mark[y, x]:
                return -1
            if not covered[y, x]:
                count += 1
    return count


@njit(cache=True)
def _conflict(a_cells, ady, adx, b_cells, bdy, bdx, is_mark, covered):
    """Whether two placed templates both explain some mark not yet covered, and do not paint
    the same cells the same colours: two readings of one mark."""
    h, w = is_mark.shape
    paint = np.zeros((h, w), dtype=np.int64)
    for i in range(a_cells.shape[0]):
        paint[a_cells[i, 0] + ady, a_cells[i, 1] + adx] = a_cells[i, 2] + 1
    shared, same = False, a_cells.shape[0] == b_cells.shape[0]
    for i in range(b_cells.shape[0]):
        y, x = b_cells[i, 0] + bdy, b_cells[i, 1] + bdx
        if paint[y, x] != b_cells[i, 2] + 1:
            same = False
        elif is_mark[y, x] and not covered[y, x]:
            shared = True
    return shared and not same


@njit(cache=True)
def complete_copies(grid):
    """Every one-colour object completed as a copy of a template (module doc); (out, done):
    done is False, and out the grid, when the image has no such reading."""
    labels, n = label_components(grid, 0, True, True)
    if n < 2 or n > MAX_OBJECTS:
        return grid, False
    bits = _object_colours(grid, labels, n)
    h, w = grid.shape
    is_mark = np.zeros((h, w), dtype=np.bool_)
    marks = 0
    for y in range(h):
        for x in range(w):
            k = labels[y, x]
            if k >= 0 and not _is_template(bits[k]):
                is_mark[y, x] = True
                marks += 1
    templates = [k for k in range(n) if _is_template(bits[k])]
    if marks == 0 or marks > MAX_MARKS or len(templates) == 0:
        return grid, False
    cells_of = [_template_cells(grid, labels, k) for k in templates]
    total = 0
    for cells in cells_of:
        total += cells.shape[0]
    if total > MAX_TEMPLATE_CELLS:
        return grid, False
    out = grid.copy()
    covered = np.zeros((h, w), dtype=np.bool_)
    left, changed = marks, False
    while left > 0:
        best, best_t, best_dy, best_dx, ambiguous = 0, -1, 0, 0, False
        for t in range(len(cells_of)):
            cells = cells_of[t]
            for my in range(h):
                for mx in range(w):
                    if not is_mark[my, mx] or covered[my, mx]:
                        continue
                    for i in range(cells.shape[0]):
                        if cells[i, 2] != grid[my, mx]:
                            continue
                        dy, dx = my - cells[i, 0], mx - cells[i, 1]
                        count = _placement_marks(grid, is_mark, cells, dy, dx, covered)
                        if count > best:
                            best, best_t, best_dy, best_dx, ambiguous = count, t, dy, dx, False
                        elif (
                            count == best
                            and count > 0
                            and (t != best_t or dy != best_dy or dx != best_dx)
                            and _conflict(cells_of[best_t], best_dy, best_dx, cells, dy, dx, is_mark, covered)
                        ):
                            ambiguous = True
        if best == 0 or ambiguous:
            return grid, False
        cells = cells_of[best_t]
        for i in range(cells.shape[0]):
            y, x = cells[i, 0] + best_dy, cells[i, 1] + best_dx
            if is_mark[y, x] and not covered[y, x]:
                covered[y, x] = True
                left -= 1
            if out[y, x] != cells[i, 2]:
                out[y, x] = cells[i, 2]
                changed = True
    return out, changed


@njit(cache=True)
def stamp_at_markers(grid):
    """The largest template (the only one of its size, odd on both sides) stamped centred on every
    single cell of a colour it lacks, clipped at the edges; (out, done)."""
    labels, n = label_components(grid, 0, True, True)
    if n < 2 or n > MAX_OBJECTS:
        return grid, False
    bits = _object_colours(grid, labels, n)
    boxes = component_boxes(labels, n)  # top, left, bottom, right, cells
    best, k_best, ties = 0, -1, 0
    for k in range(n):
        if _is_template(bits[k]):
            if boxes[k, 4] > best:
                best, k_best, ties = boxes[k, 4], k, 1
            elif boxes[k, 4] == best:
                ties += 1
    if k_best < 0 or ties > 1:
        return grid, False
    th, tw = boxes[k_best, 2] - boxes[k_best, 0], boxes[k_best, 3] - boxes[k_best, 1]
    if th % 2 == 0 or tw % 2 == 0:
        return grid, False
    cells = _template_cells(grid, labels, k_best)
    cy, cx = boxes[k_best, 0] + th // 2, boxes[k_best, 1] + tw // 2
    centre = grid[cy, cx] if labels[cy, cx] == k_best else 0
    h, w = grid.shape
    out = grid.copy()
    found = False
    for k in range(n):
        if boxes[k, 4] != 1 or bits[k] & bits[k_best] != 0:
            continue
        my, mx = boxes[k, 0], boxes[k, 1]
        out[my, mx] = centre
        for i in range(cells.shape[0]):
            y, x = my + cells[i, 0] - cy, mx + cells[i, 1] - cx
            if 0 <= y < h and 0 <= x < w:
                out[y, x] = cells[i, 2]
        found = True  # the marker itself changed: its colour is not the template's
    if not found:
        return grid, False
    return out, True
