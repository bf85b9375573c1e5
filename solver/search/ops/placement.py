"""Placement: an image drawn on, or erased from, the example's input, or laid on a blank canvas
(the input's size, or the output's by the task's size rule)."""

from __future__ import annotations

import numpy as np

from ..canvas import SizeRule
from ..image import Img
from .base import IMAGE, TaskParams, Transform


def overlay_on_input(v: Img, ctx) -> Img | None:
    """Draw the image's non-zero cells on the input at the image's position."""
    base = ctx.copy()
    h, w = v.a.shape
    if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
        return None
    region = base[v.y : v.y + h, v.x : v.x + w]
    np.copyto(region, v.a, where=v.a != 0)
    return Img(base)


def erase_from_input(v: Img, ctx) -> Img | None:
    """The input with the image's non-zero cells (at its position) set to zero."""
    base = ctx.copy()
    h, w = v.a.shape
    if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
        return None
    region = base[v.y : v.y + h, v.x : v.x + w]
    region[v.a != 0] = 0
    return Img(base)


def place_on_blank(v: Img, ctx) -> Img | None:
    """The image at its position on an empty canvas of the input's size."""
    base = np.zeros_like(ctx)
    h, w = v.a.shape
    if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
        return None
    if v.y == 0 and v.x == 0 and v.a.shape == base.shape:
        return None
    base[v.y : v.y + h, v.x : v.x + w] = v.a
    return Img(base)


def _on_output_canvas(size_rule: SizeRule):
    """The image at its position on a blank canvas of the example's output size."""

    def f(v: Img, ctx) -> Img | None:
        shape = size_rule(ctx.shape)
        h, w = v.a.shape
        if shape is None or shape == v.a.shape or v.y + h > shape[0] or v.x + w > shape[1] or min(v.y, v.x) < 0:
            return None
        out = np.zeros(shape, dtype=np.uint8)
        out[v.y : v.y + h, v.x : v.x + w] = v.a
        return Img(out)

    return f


def input_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("overlay_on_input", IMAGE, IMAGE, overlay_on_input),
        Transform("erase_from_input", IMAGE, IMAGE, erase_from_input),
        Transform("place_on_blank", IMAGE, IMAGE, place_on_blank),
    ]


def output_canvas_ops(task: TaskParams) -> list[Transform]:
    """A step onto the output's canvas, when the task has a size rule, so that later steps can draw on it."""
    if task.size_rule is None:
        return []
    return [Transform("on_output_canvas", IMAGE, IMAGE, _on_output_canvas(task.size_rule))]
