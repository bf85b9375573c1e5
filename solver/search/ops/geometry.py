"""Geometry: rotations and reflections, crops, halves, windows, and dropping repeated or empty rows."""

from __future__ import annotations

import numpy as np

from solver.arc.dihedral import (
    ANTITRANSPOSE,
    DIHEDRAL_NAMES,
    FLIP_H,
    FLIP_V,
    ROT90,
    ROT180,
    ROT270,
    TRANSPOSE,
    dihedral,
)

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform, as_img, bbox, majority_colour


def _rigid(k: int):
    def f(v: Img, ctx) -> Img | None:
        return as_img(dihedral(v.a, k), v.y, v.x)  # in place: matters when mapped over objects

    return f


# The rotations and reflections, in the order the library has always listed them.
RIGID_ORDER = (ROT90, ROT180, ROT270, FLIP_V, FLIP_H, TRANSPOSE, ANTITRANSPOSE)


def crop(v: Img, ctx) -> Img | None:
    """Bounding box of the non-zero cells."""
    b = bbox(v.a != 0)
    if b is None:
        return None
    r0, r1, c0, c1 = b
    return as_img(v.a[r0:r1, c0:c1], v.y + r0, v.x + c0)


def crop_fg(v: Img, ctx) -> Img | None:
    """Bounding box of the cells not of the majority colour."""
    bg = majority_colour(v.a)
    b = bbox(v.a != bg)
    if b is None:
        return None
    r0, r1, c0, c1 = b
    return as_img(v.a[r0:r1, c0:c1], v.y + r0, v.x + c0)


def trim_frame(v: Img, ctx) -> Img | None:
    """Drop the outermost row and column on every side (what lies inside a frame)."""
    h, w = v.a.shape
    if h < 3 or w < 3:
        return None
    return as_img(v.a[1:-1, 1:-1].copy(), v.y + 1, v.x + 1)


def inside_frame(v: Img, ctx) -> Img | None:
    """What lies inside the largest rectangle whose border is one colour (a frame)."""
    area, r0, r1, c0, c1 = K.largest_frame(v.a)
    if area == 0:
        return None
    return as_img(v.a[r0 + 1 : r1 - 1, c0 + 1 : c1 - 1].copy(), v.y + r0 + 1, v.x + c0 + 1)


def _half(which: str):
    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if which == "top":
            return as_img(a[: h // 2], v.y, v.x)
        if which == "bottom":
            return as_img(a[(h + 1) // 2 :], v.y + (h + 1) // 2, v.x)
        if which == "left":
            return as_img(a[:, : w // 2], v.y, v.x)
        return as_img(a[:, (w + 1) // 2 :], v.y, v.x + (w + 1) // 2)

    return f


def dedupe_rows_cols(v: Img, ctx) -> Img | None:
    """Drop every row/column equal to the one before it."""
    a = v.a
    keep_r = np.ones(a.shape[0], dtype=bool)
    keep_r[1:] = (a[1:] != a[:-1]).any(axis=1)
    a = a[keep_r]
    keep_c = np.ones(a.shape[1], dtype=bool)
    keep_c[1:] = (a[:, 1:] != a[:, :-1]).any(axis=0)
    a = a[:, keep_c]
    if a.shape == v.a.shape:
        return None
    return as_img(a)


def drop_empty_rows_cols(v: Img, ctx) -> Img | None:
    """Drop every all-zero row and column."""
    a = v.a
    a = a[(a != 0).any(axis=1)]
    if a.size == 0:
        return None
    a = a[:, (a != 0).any(axis=0)]
    if a.shape == v.a.shape:
        return None
    return as_img(a)


def _crop_at(where: str, oh: int, ow: int):
    """An oh x ow window at a corner or the centre of the image."""

    def f(v: Img, ctx) -> Img | None:
        h, w = v.a.shape
        if h < oh or w < ow or (h, w) == (oh, ow):
            return None
        y = 0 if where[0] == "t" else (h - oh if where[0] == "b" else (h - oh) // 2)
        x = 0 if where[1] == "l" else (w - ow if where[1] == "r" else (w - ow) // 2)
        return Img(np.ascontiguousarray(v.a[y : y + oh, x : x + ow]), v.y + y, v.x + x)

    return f


def rigid_ops(task: TaskParams) -> list[Transform]:
    return [Transform(DIHEDRAL_NAMES[k], IMAGE, IMAGE, _rigid(k)) for k in RIGID_ORDER]


def crop_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("crop", IMAGE, IMAGE, crop),
        Transform("crop_fg", IMAGE, IMAGE, crop_fg),
        Transform("trim_frame", IMAGE, IMAGE, trim_frame),
        Transform("inside_frame", IMAGE, IMAGE, inside_frame),
    ]


def half_ops(task: TaskParams) -> list[Transform]:
    return [Transform(f"half[{which}]", IMAGE, IMAGE, _half(which)) for which in ("top", "bottom", "left", "right")]


def compress_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("dedupe_rows_cols", IMAGE, IMAGE, dedupe_rows_cols),
        Transform("drop_empty_rows_cols", IMAGE, IMAGE, drop_empty_rows_cols),
    ]


def window_ops(task: TaskParams) -> list[Transform]:
    """Windows of the output's size, when every demonstration's output has the same one."""
    if task.out_shape is None:
        return []
    oh, ow = task.out_shape
    return [
        Transform(f"window[{where},{oh}x{ow}]", IMAGE, IMAGE, _crop_at(where, oh, ow))
        for where in ("tl", "tr", "bl", "br", "cc")
    ]
