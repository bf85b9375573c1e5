"""Join: a list back into one image: composed or pasted on the input, overlaid, combined cell by
cell, stacked, or shrunk to one cell per grid cell."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, LIST, TaskParams, Transform, as_img


def compose_on_input_canvas(vs: tuple, ctx) -> Img | None:
    """Every element at its position on an empty canvas of the input's size (later on top)."""
    base = np.zeros_like(ctx)
    for v in vs:
        box = v.box_in(base.shape)
        if box is None:
            return None
        np.copyto(base[box], v.a, where=v.a != 0)
    return Img(base)


def paste_on_input(vs: tuple, ctx) -> Img | None:
    """Every element's whole box (zeros included) pasted on the input at its position."""
    base = ctx.copy()
    for v in vs:
        box = v.box_in(base.shape)
        if box is None:
            return None
        base[box] = v.a
    return Img(base)


def grid_of_cells(vs: tuple, ctx) -> Img | None:
    """Elements laid out in rows and columns (grid cells) shrunk to one pixel each, in the
    element's commonest non-zero colour (0 when empty)."""
    ys = sorted({v.y for v in vs})
    xs = sorted({v.x for v in vs})
    if len(ys) * len(xs) != len(vs) or len({(v.y, v.x) for v in vs}) != len(vs) or len(vs) < 2:
        return None
    out = np.zeros((len(ys), len(xs)), dtype=np.uint8)
    for v in vs:
        counts = K.colour_counts(v.a)
        counts[0] = 0
        out[ys.index(v.y), xs.index(v.x)] = int(np.argmax(counts)) if counts.any() else 0
    return Img(out)


def overlay_all(vs: tuple, ctx) -> Img | None:
    """Equal-shaped elements overlaid, first on top (colour 0 transparent)."""
    if len(vs) < 2:
        return None
    shape = vs[0].a.shape
    if any(v.a.shape != shape for v in vs):
        return None
    out = vs[-1].a.copy()
    for v in vs[-2::-1]:
        np.copyto(out, v.a, where=v.a != 0)
    return Img(out)


def _boolean(op: str):
    """Cell-wise logic over equal-shaped elements; result is a colour-1 mask."""

    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        shape = vs[0].a.shape
        if any(v.a.shape != shape for v in vs):
            return None
        masks = np.stack([v.a != 0 for v in vs])
        if op == "and":
            m = masks.all(axis=0)
        elif op == "or":
            m = masks.any(axis=0)
        elif op == "xor":
            m = masks.sum(axis=0) == 1
        elif op == "nor":
            m = ~masks.any(axis=0)
        else:
            raise ValueError(op)
        return Img(np.asarray(m, dtype=np.uint8))

    return f


def _stack(axis: int):
    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        if axis == 0 and any(v.a.shape[1] != vs[0].a.shape[1] for v in vs):
            return None
        if axis == 1 and any(v.a.shape[0] != vs[0].a.shape[0] for v in vs):
            return None
        return as_img(np.concatenate([v.a for v in vs], axis=axis))

    return f


def join_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("compose", LIST, IMAGE, compose_on_input_canvas),
        Transform("paste_on_input", LIST, IMAGE, paste_on_input),
        Transform("grid_of_cells", LIST, IMAGE, grid_of_cells),
        Transform("overlay_all", LIST, IMAGE, overlay_all),
        *(Transform(f"cells_{op}", LIST, IMAGE, _boolean(op)) for op in ("and", "or", "xor", "nor")),
    ]


def stack_ops(task: TaskParams) -> list[Transform]:
    return [Transform("stack_v", LIST, IMAGE, _stack(0)), Transform("stack_h", LIST, IMAGE, _stack(1))]
