"""Motion: gravity, objects sliding as rigid bodies (to an edge, onto the largest, towards a colour), shifts."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform, bbox


def _gravity(direction: int):
    """0 down, 1 up, 2 right, 3 left."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        if direction == 0:
            out = K.gravity_down(a, 0)
        elif direction == 1:
            out = K.gravity_down(a[::-1].copy(), 0)[::-1]
        elif direction == 2:
            out = K.gravity_down(a.T.copy(), 0).T
        else:
            out = K.gravity_down(a[:, ::-1].T.copy(), 0).T[:, ::-1]
        return Img(np.ascontiguousarray(out), v.y, v.x)

    return f


SLIDE_DIRS = {"down": (1, 0), "up": (-1, 0), "right": (0, 1), "left": (0, -1)}


def _slide(dy: int, dx: int, largest_fixed: bool):
    """Objects (8-connected, any colours) move as rigid bodies until they meet the edge or
    another object; with largest_fixed, the largest object stays put (a wall to move onto)."""

    def f(v: Img, ctx) -> Img | None:
        labels, n = K.label_components(v.a, 0, True, True)
        if n == 0 or n > 40:
            return None
        fixed = -1
        if largest_fixed:
            cells = K.component_boxes(labels, n)[:, 4]
            if n < 2 or np.count_nonzero(cells == cells.max()) > 1:
                return None
            fixed = int(np.argmax(cells))
        return Img(K.slide_objects(v.a, labels, n, dy, dx, fixed), v.y, v.x)

    return f


def _slide_to_colour(c: int):
    """Every object not of colour c moves straight towards the cells of colour c (along the
    axis on which they overlap) until it touches them or another object."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        target = a == c
        box = bbox(target)
        if box is None:
            return None
        labels, n = K.label_components(np.where(target, 0, a).astype(np.uint8), 0, True, True)
        if n == 0 or n > 40:
            return None
        return Img(K.slide_to_box(a, labels, n, *box), v.y, v.x)

    return f


def _shift(dy: int, dx: int):
    """Move the content by (dy, dx) inside the same frame; cells pushed out are lost."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if abs(dy) >= h or abs(dx) >= w:
            return None
        out = np.zeros_like(a)
        out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = a[
            max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
        ]
        return Img(out, v.y, v.x)

    return f


def fall_ops(task: TaskParams) -> list[Transform]:
    ops = [
        Transform(f"gravity[{name}]", IMAGE, IMAGE, _gravity(d))
        for d, name in enumerate(["down", "up", "right", "left"])
    ]
    for name, (dy, dx) in SLIDE_DIRS.items():
        ops.append(Transform(f"slide[{name}]", IMAGE, IMAGE, _slide(dy, dx, False)))
        ops.append(Transform(f"slide_onto_largest[{name}]", IMAGE, IMAGE, _slide(dy, dx, True)))
    ops += [Transform(f"slide_to_colour[{c}]", IMAGE, IMAGE, _slide_to_colour(c)) for c in task.fg]
    return ops


def shift_ops(task: TaskParams) -> list[Transform]:
    return [Transform(f"shift[{name}]", IMAGE, IMAGE, _shift(dy, dx)) for name, (dy, dx) in SLIDE_DIRS.items()]
