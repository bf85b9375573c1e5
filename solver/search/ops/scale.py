"""Scale and tiling: scaling up and down, tiling, mirror-tiling, block reduction, the tile unit, self-copies."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..canvas import period
from ..image import Img
from .base import IMAGE, TaskParams, Transform, as_img


def _scale_up(k: int):
    def f(v: Img, ctx) -> Img | None:
        return as_img(np.repeat(np.repeat(v.a, k, axis=0), k, axis=1))

    return f


def _scale_up_by_colours(v: Img, ctx) -> Img | None:
    """Scale up by the number of non-zero colours in the image (each cell a k x k block)."""
    k = int(np.count_nonzero(K.colour_counts(v.a)[1:]))
    if k < 2:
        return None
    return as_img(np.repeat(np.repeat(v.a, k, axis=0), k, axis=1))


def _scale_down(k: int):
    """Inverse of scale_up: only when every k x k block is one colour."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if h % k or w % k:
            return None
        small = a[::k, ::k]
        if not np.array_equal(np.repeat(np.repeat(small, k, axis=0), k, axis=1), a):
            return None
        return as_img(small)

    return f


def _tile(ry: int, rx: int, mode: str):
    """Tile ry x rx copies; mode 'plain' or 'mirror' (neighbouring copies flipped)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        if mode == "plain":
            return as_img(np.tile(a, (ry, rx)))
        rows = []
        for i in range(ry):
            row = []
            for j in range(rx):
                b = a
                if i % 2:
                    b = b[::-1, :]
                if j % 2:
                    b = b[:, ::-1]
                row.append(b)
            rows.append(np.concatenate(row, axis=1))
        return as_img(np.concatenate(rows, axis=0))

    return f


BLOCK_SIDES = (2, 3)  # block_reduce[k]


def _block_reduce(k: int):
    """Each k x k block becomes one cell: its most frequent non-zero colour (0 if none)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if h % k or w % k or (h == k and w == k):
            return None
        blocks = a.reshape(h // k, k, w // k, k).transpose(0, 2, 1, 3).reshape(h // k, w // k, k * k)
        counts = np.stack([(blocks == c).sum(axis=2) for c in range(1, 10)], axis=2)
        best = counts.argmax(axis=2) + 1
        return as_img(np.where(counts.max(axis=2) > 0, best, 0).astype(np.uint8))

    return f


def tile_unit(v: Img, ctx) -> Img | None:
    """The smallest block whose tiling (cut at the edges) reproduces the image."""
    a = v.a
    py, px = period(a), period(a.T)
    if (py, px) == a.shape:
        return None
    return as_img(a[:py, :px].copy())


def _self_kron(on_zero: bool):
    """A copy of the image in every block whose cell is non-zero (or zero)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if h * h > 30 or w * w > 30:
            return None
        mask = (a == 0) if on_zero else (a != 0)
        return as_img(np.kron(mask.astype(np.uint8), np.ones_like(a)) * np.tile(a, (h, w)))

    return f


def scale_ops(task: TaskParams) -> list[Transform]:
    return [
        *(Transform(f"scale_up[{k}]", IMAGE, IMAGE, _scale_up(k)) for k in (2, 3, 4)),
        Transform("scale_up_by_colours", IMAGE, IMAGE, _scale_up_by_colours),
        *(Transform(f"scale_down[{k}]", IMAGE, IMAGE, _scale_down(k)) for k in (2, 3)),
    ]


def tile_ops(task: TaskParams) -> list[Transform]:
    plain = ((1, 2), (2, 1), (2, 2), (3, 3), (1, 3), (3, 1))
    mirrored = ((1, 2), (2, 1), (2, 2))
    return [
        *(Transform(f"tile[{ry}x{rx}]", IMAGE, IMAGE, _tile(ry, rx, "plain")) for ry, rx in plain),
        *(Transform(f"mirror_tile[{ry}x{rx}]", IMAGE, IMAGE, _tile(ry, rx, "mirror")) for ry, rx in mirrored),
    ]


def block_reduce_ops(task: TaskParams) -> list[Transform]:
    return [Transform(f"block_reduce[{k}]", IMAGE, IMAGE, _block_reduce(k)) for k in BLOCK_SIDES]


def tile_unit_ops(task: TaskParams) -> list[Transform]:
    return [Transform("tile_unit", IMAGE, IMAGE, tile_unit)]


def self_kron_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("self_kron", IMAGE, IMAGE, _self_kron(False)),
        Transform("self_kron_inverse", IMAGE, IMAGE, _self_kron(True)),
    ]
