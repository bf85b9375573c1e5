"""Symmetry and periodic patterns: mirror overlays, completing a symmetric or periodic pattern
under a hole."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform, as_img, bbox


def _symmetrize(kind: str):
    """Overlay the image with its mirror (zero cells take the mirror's colour)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        if kind == "h":
            m = a[:, ::-1]
        elif kind == "v":
            m = a[::-1, :]
        elif kind == "hv":
            m1 = np.where(a != 0, a, a[:, ::-1])
            m2 = np.where(m1 != 0, m1, m1[::-1, :])
            return Img(np.where(m2 != 0, m2, m2[::-1, ::-1]).astype(np.uint8), v.y, v.x)
        elif kind == "diag":
            if a.shape[0] != a.shape[1]:
                return None
            m = a.T
        elif kind == "rot":
            if a.shape[0] != a.shape[1]:
                return None
            out = a.copy()
            for k in (1, 2, 3):
                r = np.rot90(a, k)
                out = np.where(out != 0, out, r)
            return Img(out.astype(np.uint8), v.y, v.x)
        else:
            raise ValueError(kind)
        return Img(np.where(a != 0, a, m).astype(np.uint8), v.y, v.x)

    return f


SYMMETRY_MIN_OVERLAP = 0.5  # a symmetry must relate at least half of the known cells


class _SymmetryFills:
    """`kernels.symmetry_fill` of the latest images, by hole colour: complete_symmetry[c] and
    symmetry_patch[c] run one after the other on the same state's images and share the fill.
    Holds the images themselves, so that an id is never reused while it is a key here."""

    SIZE = 64  # more than one state's examples

    def __init__(self) -> None:
        self.fills: dict[int, tuple[Img, np.ndarray, bool]] = {}

    def __call__(self, v: Img, hole: int) -> tuple[np.ndarray, bool]:
        hit = self.fills.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1], hit[2]
        if len(self.fills) >= self.SIZE:
            self.fills.clear()
        out, complete = K.symmetry_fill(v.a, hole, SYMMETRY_MIN_OVERLAP)
        self.fills[id(v)] = (v, out, complete)
        return out, complete


def _complete_symmetry(hole: int, patch_only: bool, fills: _SymmetryFills):
    """Fill the cells of colour `hole` from the symmetries the rest of the image obeys
    (`kernels.symmetry_fill`); with patch_only, return just the filled content of the
    hole's bounding box (tasks that ask "what is under the patch")."""

    def f(v: Img, ctx) -> Img | None:
        mask = v.a == hole
        if not mask.any():
            return None
        out, complete = fills(v, hole)
        if not complete:
            return None
        if not patch_only:
            return Img(out.copy(), v.y, v.x)
        r0, r1, c0, c1 = bbox(mask)
        return as_img(out[r0:r1, c0:c1].copy(), v.y + r0, v.x + c0)

    return f


def _periodic(hole_rank: int):
    """Fill the cells of one colour (0, or the least frequent colour) from the pattern's period."""

    def f(v: Img, ctx) -> Img | None:
        out, found = K.periodic_fill_hole(v.a, hole_rank == 1)
        return Img(out, v.y, v.x) if found else None

    return f


def _diagonal_periodic(sign: int):
    """Fill zero cells from the smallest period p along diagonals: cells with the same
    (y + sign * x) mod p share a colour (stripes running diagonally)."""

    def f(v: Img, ctx) -> Img | None:
        out, found = K.diagonal_periodic_fill(v.a, sign)
        return Img(out, v.y, v.x) if found else None

    return f


def mirror_ops(task: TaskParams) -> list[Transform]:
    ops = [
        Transform(f"symmetrize[{kind}]", IMAGE, IMAGE, _symmetrize(kind)) for kind in ("h", "v", "hv", "diag", "rot")
    ]
    for c in [0, *task.fg]:
        fills = _SymmetryFills()  # one per hole colour: the pair below shares it
        ops.append(Transform(f"complete_symmetry[{c}]", IMAGE, IMAGE, _complete_symmetry(c, False, fills)))
        ops.append(Transform(f"symmetry_patch[{c}]", IMAGE, IMAGE, _complete_symmetry(c, True, fills)))
    return ops


def periodic_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("periodic_fill[0]", IMAGE, IMAGE, _periodic(0)),
        Transform("periodic_fill[rarest]", IMAGE, IMAGE, _periodic(1)),
        Transform("diagonal_periodic_fill", IMAGE, IMAGE, _diagonal_periodic(1)),
        Transform("antidiagonal_periodic_fill", IMAGE, IMAGE, _diagonal_periodic(-1)),
    ]
