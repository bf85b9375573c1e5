"""Per-object edits: an image op applied to every element of a list (`map[rot90]`)."""

from __future__ import annotations

import numpy as np

from ..image import Value
from .base import IMAGE, LIST, Transform


def map_over(t: Transform) -> Transform:
    """An image transform applied to every element of a list; an element it does not
    apply to stays as it is."""
    fn = t.fn

    def f(vs: Value, ctx: np.ndarray) -> Value | None:
        assert isinstance(vs, tuple)  # a LIST transform
        out = []
        for v in vs:
            r = fn(v, ctx)
            out.append(v if r is None else r)
        return tuple(out)

    return Transform(f"map[{t.name}]", LIST, LIST, f)


# Image transforms worth mapping over the objects of a list (per-object edits).
MAPPABLE_PREFIXES = (
    "rot90",
    "rot180",
    "rot270",
    "flip_v",
    "flip_h",
    "transpose",
    "crop",
    "fill_enclosed",
    "holes",
    "fill_holes_own",
    "border_cells",
    "interior_cells",
    "outline8",
    "symmetrize",
    "hull",
    "fill_bbox",
    "paint",
    "gravity",
    "rays",
    "shift",
)


def map_ops(library: list[Transform]) -> list[Transform]:
    """`map_over` every image op of `library` worth applying per object."""
    return [
        map_over(t) for t in library if t.takes == IMAGE and t.gives == IMAGE and t.name.startswith(MAPPABLE_PREFIXES)
    ]
