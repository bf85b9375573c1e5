"""Select: one element of a list (the largest, the unique one, the one holding a colour), the
input's cells under it, or the list without some elements."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from solver.arc.voting import grid_key

from .. import kernels as K
from ..image import Img, Value
from .base import IMAGE, LIST, TaskParams, Transform, cell_count


def _fg_colours(v: Img) -> tuple:
    """The non-zero colours an image holds, ascending."""
    return tuple(np.unique(v.a[v.a != 0]).tolist())


PICK_KEYS: dict[str, Callable[[Img], int]] = {
    "cells": cell_count,
    "area": lambda v: v.a.size,
    "colours": lambda v: len(v.memo(_fg_colours)),  # shares the set with `pick_unique_colour`
    "height": lambda v: v.a.shape[0],
    "width": lambda v: v.a.shape[1],
    "top": lambda v: -v.y,
    "left": lambda v: -v.x,
    "holes": lambda v: int(((v.a == 0) & ~K.outside_mask(v.a, 0, False)).sum()),
    "empty": lambda v: int((v.a == 0).sum()),
}


def _pick(key: Callable[[Img], int], sign: int):
    """The element with the largest (sign 1) or smallest (sign -1) key; must be unique."""

    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        ks = [sign * v.memo(key) for v in vs]
        best = max(ks)
        if ks.count(best) != 1:
            return None
        return vs[ks.index(best)]

    return f


def _shape_key(v: Img) -> bytes:
    return grid_key(v.a)


def _mask_key(v: Img) -> bytes:
    return bytes(v.a.shape) + (v.a != 0).tobytes()


def _pick_by_frequency(keyf, rarest: bool):
    """The element whose pattern (by keyf) occurs once (rarest) / most often; unique."""

    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        keys = [v.memo(keyf) for v in vs]
        counts: dict = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        if rarest:
            idx = [i for i, k in enumerate(keys) if counts[k] == 1]
            if len(idx) != 1:
                return None
            return vs[idx[0]]
        top = max(counts.values())
        winners = [k for k in counts if counts[k] == top]
        if len(winners) != 1 or top < 2:
            return None
        return vs[keys.index(winners[0])]

    return f


def _symmetries(v: Img) -> int:
    """Bit set of the mirror symmetries an image has: 1 left-right, 2 up-down, 4 diagonal."""
    return K.mirror_symmetries(np.ascontiguousarray(v.a))  # the layout the kernel is compiled for


# Properties by which one element can stand out from the others ("the only asymmetric one").
UNIQUE_KEYS: dict[str, Callable[[Img], object]] = {
    "symmetry": lambda v: v.memo(_symmetries) != 0,  # shares the bits with "symmetries"
    "symmetries": _symmetries,
    "colours": PICK_KEYS["colours"],
    "cells": cell_count,
    "shape_size": lambda v: v.a.shape,
}


def _colours(v: Img) -> frozenset:
    """The colours an image holds, 0 included."""
    return frozenset(np.unique(v.a).tolist())


def _pick_having_colour(c: int):
    """The one element that holds colour c (an object marked by a cell of that colour)."""

    def f(vs: tuple, ctx) -> Img | None:
        having = [v for v in vs if c in v.memo(_colours)]
        return having[0] if len(having) == 1 and len(vs) > 1 else None

    return f


def pick_unique_colour(vs: tuple, ctx) -> Img | None:
    """The one element with a colour set no other element has."""
    if len(vs) < 2:
        return None
    sets = [v.memo(_fg_colours) for v in vs]
    idx = [i for i, s in enumerate(sets) if sets.count(s) == 1]
    if len(idx) != 1:
        return None
    return vs[idx[0]]


def _region_under(pick: Callable[[Value, np.ndarray], Value | None]):
    """The input's cells under the bounding box of the element `pick` chooses (an object
    that marks a region: a frame, corners, a highlighted block)."""

    def f(vs: Value, ctx: np.ndarray) -> Img | None:
        v = pick(vs, ctx)
        if not isinstance(v, Img):
            return None
        box = v.box_in(ctx.shape)
        if box is None:
            return None
        return Img(ctx[box].copy(), v.y, v.x)

    return f


def _drop(key: Callable[[Img], int], sign: int):
    """Drop the element(s) with the extreme key; keep the rest."""

    def f(vs: tuple, ctx) -> tuple | None:
        if len(vs) < 2:
            return None
        ks = [sign * v.memo(key) for v in vs]
        best = max(ks)
        out = tuple(v for v, k in zip(vs, ks) if k != best)
        return out or None

    return f


def _keep_touching_border(touching: bool):
    def f(vs: tuple, ctx) -> tuple | None:
        H, W = ctx.shape
        out = tuple(
            v for v in vs if (v.y == 0 or v.x == 0 or v.y + v.a.shape[0] == H or v.x + v.a.shape[1] == W) == touching
        )
        if not out or len(out) == len(vs):
            return None
        return out

    return f


def pick_ops(task: TaskParams) -> list[Transform]:
    ops = []
    for kname, key in PICK_KEYS.items():
        ops.append(Transform(f"largest[{kname}]", LIST, IMAGE, _pick(key, 1)))
        ops.append(Transform(f"smallest[{kname}]", LIST, IMAGE, _pick(key, -1)))
    ops += [
        Transform("unique_shape", LIST, IMAGE, _pick_by_frequency(_shape_key, True)),
        Transform("unique_mask", LIST, IMAGE, _pick_by_frequency(_mask_key, True)),
        Transform("commonest_shape", LIST, IMAGE, _pick_by_frequency(_shape_key, False)),
        Transform("unique_colour", LIST, IMAGE, pick_unique_colour),
    ]
    ops += [Transform(f"having_colour[{c}]", LIST, IMAGE, _pick_having_colour(c)) for c in task.fg]
    ops += [
        Transform(f"unique[{kname}]", LIST, IMAGE, _pick_by_frequency(ukey, True))
        for kname, ukey in UNIQUE_KEYS.items()
    ]
    return ops


def region_ops(library: list[Transform]) -> list[Transform]:
    """Every pick in `library` again, answering with the input's cells under the picked element's box."""
    picks = [t for t in library if t.takes == LIST and t.gives == IMAGE]
    return [Transform(f"region[{t.name}]", LIST, IMAGE, _region_under(t.fn)) for t in picks]


def filter_ops(task: TaskParams) -> list[Transform]:
    ops = []
    for kname in ("cells", "area"):
        ops.append(Transform(f"drop_largest[{kname}]", LIST, LIST, _drop(PICK_KEYS[kname], 1)))
        ops.append(Transform(f"drop_smallest[{kname}]", LIST, LIST, _drop(PICK_KEYS[kname], -1)))
    ops.append(Transform("touching_border", LIST, LIST, _keep_touching_border(True)))
    ops.append(Transform("not_touching_border", LIST, LIST, _keep_touching_border(False)))
    return ops
