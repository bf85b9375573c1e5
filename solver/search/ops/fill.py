"""Fills and outlines: enclosed holes, object edges and interiors, hulls and boxes, noise removal,
the largest empty rectangle."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform, bbox, fg_colours_by_count, pad1


def _fill_enclosed(c: int):
    """Paint the zero cells not reachable from the border (4-neighbourhood) with c."""

    def f(v: Img, ctx) -> Img | None:
        outside = K.outside_mask(v.a, 0, False)
        holes = (v.a == 0) & ~outside
        out = v.a.copy()
        out[holes] = c
        return Img(out, v.y, v.x)

    return f


def holes(v: Img, ctx) -> Img | None:
    """Only the enclosed zero cells, as colour 1 (a mask; the final colour map names it)."""
    outside = K.outside_mask(v.a, 0, False)
    m = (v.a == 0) & ~outside
    if not m.any():
        return None
    return Img(m.astype(np.uint8), v.y, v.x)


def fill_holes_own(v: Img, ctx) -> Img | None:
    """Fill each object's enclosed cells with that object's colour (icecuber's Fill): the
    nearest non-zero colour above, the enclosing object's in the common case."""
    return Img(K.fill_holes_own(v.a), v.y, v.x)


def border_cells(v: Img, ctx) -> Img | None:
    """Non-zero cells with a zero (or off-grid) 4-neighbour."""
    a = v.a
    p = pad1(a)
    inner = (p[:-2, 1:-1] != 0) & (p[2:, 1:-1] != 0) & (p[1:-1, :-2] != 0) & (p[1:-1, 2:] != 0)
    m = (a != 0) & ~inner
    if not m.any():
        return None
    return Img(np.where(m, a, 0).astype(np.uint8), v.y, v.x)


def interior_cells(v: Img, ctx) -> Img | None:
    """Non-zero cells whose 4 neighbours are all non-zero."""
    a = v.a
    p = pad1(a)
    inner = (p[:-2, 1:-1] != 0) & (p[2:, 1:-1] != 0) & (p[1:-1, :-2] != 0) & (p[1:-1, 2:] != 0)
    m = (a != 0) & inner
    if not m.any():
        return None
    return Img(np.where(m, a, 0).astype(np.uint8), v.y, v.x)


def _outline(c: int, diagonal: bool):
    """Paint zero cells next to non-zero cells with c."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        p = pad1(a != 0)
        near = p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
        if diagonal:
            near = near | p[:-2, :-2] | p[:-2, 2:] | p[2:, :-2] | p[2:, 2:]
        m = near & (a == 0)
        if not m.any():
            return None
        out = a.copy()
        out[m] = c
        return Img(out, v.y, v.x)

    return f


def hull(v: Img, ctx) -> Img | None:
    """Fill the bounding box of the non-zero cells with their majority colour."""
    b = bbox(v.a != 0)
    if b is None:
        return None
    cols = fg_colours_by_count(v.a)
    out = v.a.copy()
    r0, r1, c0, c1 = b
    out[r0:r1, c0:c1] = cols[0]
    return Img(out, v.y, v.x)


def remove_singletons(v: Img, ctx) -> Img | None:
    """Erase non-zero cells with no non-zero 8-neighbour (noise)."""
    labels, n = K.label_components(v.a, 0, True, True)
    boxes = K.component_boxes(labels, n)
    small = np.flatnonzero(boxes[:, 4] == 1)
    if small.size == 0 or small.size == n:
        return None
    out = v.a.copy()
    out[np.isin(labels, small)] = 0
    return Img(out, v.y, v.x)


def largest_rect_zero(v: Img, ctx) -> Img | None:
    """Mask (colour 1) of the largest all-zero axis-aligned rectangle (first on ties)."""
    area, r0, r1, c0, c1 = K.largest_zero_rect(v.a)
    if area < 2:
        return None
    out = np.zeros_like(v.a)
    out[r0:r1, c0:c1] = 1
    return Img(out, v.y, v.x)


def _fill_bbox(c: int):
    """Paint the zero cells inside each object's bounding box with c."""

    def f(v: Img, ctx) -> Img | None:
        labels, n = K.label_components(v.a, 0, True, True)
        if n == 0:
            return None
        boxes = K.component_boxes(labels, n)
        out = v.a.copy()
        for r0, c0, r1, c1, _ in boxes:
            region = out[r0:r1, c0:c1]
            region[region == 0] = c
        return Img(out, v.y, v.x)

    return f


def enclosure_ops(task: TaskParams) -> list[Transform]:
    return [
        *(Transform(f"fill_enclosed[{c}]", IMAGE, IMAGE, _fill_enclosed(c)) for c in task.fg),
        Transform("holes", IMAGE, IMAGE, holes),
        Transform("fill_holes_own", IMAGE, IMAGE, fill_holes_own),
    ]


def edge_ops(task: TaskParams) -> list[Transform]:
    ops = [
        Transform("border_cells", IMAGE, IMAGE, border_cells),
        Transform("interior_cells", IMAGE, IMAGE, interior_cells),
    ]
    for c in task.fg:
        ops.append(Transform(f"outline4[{c}]", IMAGE, IMAGE, _outline(c, False)))
        ops.append(Transform(f"outline8[{c}]", IMAGE, IMAGE, _outline(c, True)))
    return ops


def hull_ops(task: TaskParams) -> list[Transform]:
    return [Transform("hull", IMAGE, IMAGE, hull)]


def cleanup_ops(task: TaskParams) -> list[Transform]:
    """Noise removal, and the largest empty rectangle as a mask."""
    return [
        Transform("remove_singletons", IMAGE, IMAGE, remove_singletons),
        Transform("largest_rect_zero", IMAGE, IMAGE, largest_rect_zero),
    ]


def fill_bbox_ops(task: TaskParams) -> list[Transform]:
    return [Transform(f"fill_bbox[{c}]", IMAGE, IMAGE, _fill_bbox(c)) for c in task.fg]
