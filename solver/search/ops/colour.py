"""Colour: keep, erase or paint colours, invert, and paint each object or region with a code
of one of its properties (for the final colour map to name)."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform, fg_colours_by_count


def _keep_colour(c: int):
    def f(v: Img, ctx) -> Img | None:
        m = v.a == c
        if not m.any():
            return None
        return Img(np.where(m, v.a, 0).astype(np.uint8), v.y, v.x)

    return f


def _erase_colour(c: int):
    def f(v: Img, ctx) -> Img | None:
        m = v.a == c
        if not m.any():
            return None
        out = v.a.copy()
        out[m] = 0
        return Img(out, v.y, v.x)

    return f


def _keep_rank(r: int):
    """Keep only the r-th most frequent non-zero colour."""

    def f(v: Img, ctx) -> Img | None:
        cols = fg_colours_by_count(v.a)
        if len(cols) <= r:
            return None
        return Img(np.where(v.a == cols[r], v.a, 0).astype(np.uint8), v.y, v.x)

    return f


def _paint(c: int):  # "paint[c]"
    def f(v: Img, ctx) -> Img | None:
        out = np.where(v.a != 0, c, 0).astype(np.uint8)
        return Img(out, v.y, v.x)

    return f


def invert(v: Img, ctx) -> Img | None:
    """Swap zero and the most frequent non-zero colour; other colours become zero."""
    cols = fg_colours_by_count(v.a)
    if not cols:
        return None
    return Img(np.where(v.a == 0, cols[0], 0).astype(np.uint8), v.y, v.x)


def zero_regions_by_size(v: Img, ctx) -> Img | None:
    """Each 4-connected region of zero cells painted with its cell count (at most 9);
    non-zero cells become 0. The final colour map names the sizes."""
    inv = (v.a == 0).astype(np.uint8)
    labels, n = K.label_components(inv, 0, False, False)
    if n < 2:
        return None
    boxes = K.component_boxes(labels, n)
    lut = np.concatenate([[0], np.minimum(boxes[:, 4], 9)]).astype(np.uint8)
    return Img(lut[labels + 1], v.y, v.x)


def _label_by(prop: str):
    """Paint every object (single-colour component, 8-connected) with a code of one of its
    properties, for the final colour map to name: its size rank ('rank', largest 1), its cell
    count ('cells', at most 9), or whether it touches the border ('border', 1 or 2)."""
    code = K.LABEL_PROPS.index(prop)

    def f(v: Img, ctx) -> Img | None:
        out, labelled = K.label_objects_by(v.a, code)
        return Img(out, v.y, v.x) if labelled else None

    return f


def colour_ops(task: TaskParams) -> list[Transform]:
    return [
        *(Transform(f"keep_colour[{c}]", IMAGE, IMAGE, _keep_colour(c)) for c in task.fg),
        *(Transform(f"erase_colour[{c}]", IMAGE, IMAGE, _erase_colour(c)) for c in task.fg),
        *(Transform(f"keep_rank[{r}]", IMAGE, IMAGE, _keep_rank(r)) for r in range(2)),
        *(Transform(f"paint[{c}]", IMAGE, IMAGE, _paint(c)) for c in task.fg),
    ]


def invert_ops(task: TaskParams) -> list[Transform]:
    return [Transform("invert", IMAGE, IMAGE, invert)]


def zero_region_ops(task: TaskParams) -> list[Transform]:
    return [Transform("zero_regions_by_size", IMAGE, IMAGE, zero_regions_by_size)]


def label_by_ops(task: TaskParams) -> list[Transform]:
    return [Transform(f"label_by[{prop}]", IMAGE, IMAGE, _label_by(prop)) for prop in K.LABEL_PROPS]
