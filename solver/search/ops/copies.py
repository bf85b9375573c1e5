"""Copies: a template (an object of two colours or more) drawn again where the image marks it:
its partial copies completed, or a copy centred on each marker cell (`kernels.templates`)."""

from __future__ import annotations

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform


def _copies(kernel):
    def f(v: Img, ctx) -> Img | None:
        out, done = kernel(v.a)
        return Img(out, v.y, v.x) if done else None

    return f


def copy_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("complete_copies", IMAGE, IMAGE, _copies(K.complete_copies)),
        Transform("stamp_at_markers", IMAGE, IMAGE, _copies(K.stamp_at_markers)),
    ]
