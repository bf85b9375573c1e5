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
    box = v.box_in(base.shape)
    if box is None:
        return None
    np.copyto(base[box], v.a, where=v.a != 0)
    return Img(base)


def erase_from_input(v: Img, ctx) -> Img | None:
    """The input with the image's non-zero cells (at its position) set to zero."""
    base = ctx.copy()
    box = v.box_in(base.shape)
    if box is None:
        return None
    base[box][v.a != 0] = 0
    return Img(base)


def place_on_blank(v: Img, ctx) -> Img | None:
    """The image at its position on an empty canvas of the input's size."""
    base = np.zeros_like(ctx)
    box = v.box_in(base.shape)
    if box is None or (v.y == 0 and v.x == 0 and v.a.shape == base.shape):
        return None
    base[box] = v.a
    return Img(base)


def _on_output_canvas(size_rule: SizeRule):
    """The image at its position on a blank canvas of the example's output size."""

    def f(v: Img, ctx) -> Img | None:
        shape = size_rule(ctx.shape)
        if shape is None or shape == v.a.shape:
            return None
        box = v.box_in(shape)
        if box is None:
            return None
        out = np.zeros(shape, dtype=np.uint8)
        out[box] = v.a
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
