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


def _complete_symmetry(hole: int, patch_only: bool):
    """Fill the cells of colour `hole` from the symmetries the rest of the image obeys
    (`kernels.symmetry_fill`); with patch_only, return just the filled content of the
    hole's bounding box (tasks that ask "what is under the patch")."""

    def f(v: Img, ctx) -> Img | None:
        mask = v.a == hole
        if not mask.any():
            return None
        out, complete = K.symmetry_fill(v.a, hole, SYMMETRY_MIN_OVERLAP)
        if not complete:
            return None
        if not patch_only:
            return Img(out, v.y, v.x)
        r0, r1, c0, c1 = bbox(mask)
        return as_img(out[r0:r1, c0:c1].copy(), v.y + r0, v.x + c0)

    return f


def _periodic(hole_rank: int):
    """Fill the cells of one colour (0, or the least frequent colour) from the pattern's period."""

    def f(v: Img, ctx) -> Img | None:
        if hole_rank == 0:
            hole = 0
        else:
            counts = K.colour_counts(v.a)
            present = [c for c in range(10) if counts[c] > 0]
            if len(present) < 2:
                return None
            hole = min(present, key=lambda c: (counts[c], c))
        if not (v.a == hole).any():
            return None
        out, found = K.periodic_fill(v.a, hole)
        if not found:
            return None
        return Img(out, v.y, v.x)

    return f


def _diagonal_periodic(sign: int):
    """Fill zero cells from the smallest period p along diagonals: cells with the same
    (y + sign * x) mod p share a colour (stripes running diagonally)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if not (a == 0).any():
            return None
        ys, xs = np.indices(a.shape)
        diag = np.asarray(ys + sign * xs + (w if sign < 0 else 0))
        known = a != 0
        for p in range(2, h + w):
            cls = np.asarray(diag % p)
            table: np.ndarray = np.zeros(p, dtype=np.int64)
            np.maximum.at(table, cls[known], a[known])
            if np.array_equal(table[cls][known], a[known]) and (table > 0).all():
                out = table[cls].astype(np.uint8)
                return Img(out, v.y, v.x)
        return None

    return f


def mirror_ops(task: TaskParams) -> list[Transform]:
    ops = [
        Transform(f"symmetrize[{kind}]", IMAGE, IMAGE, _symmetrize(kind)) for kind in ("h", "v", "hv", "diag", "rot")
    ]
    for c in [0, *task.fg]:
        ops.append(Transform(f"complete_symmetry[{c}]", IMAGE, IMAGE, _complete_symmetry(c, False)))
        ops.append(Transform(f"symmetry_patch[{c}]", IMAGE, IMAGE, _complete_symmetry(c, True)))
    return ops


def periodic_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("periodic_fill[0]", IMAGE, IMAGE, _periodic(0)),
        Transform("periodic_fill[rarest]", IMAGE, IMAGE, _periodic(1)),
        Transform("diagonal_periodic_fill", IMAGE, IMAGE, _diagonal_periodic(1)),
        Transform("antidiagonal_periodic_fill", IMAGE, IMAGE, _diagonal_periodic(-1)),
    ]
