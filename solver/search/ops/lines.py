"""Lines: rays from every cell (stopping at obstacles or passing through), and lines connecting
pairs of same-coloured cells."""

from __future__ import annotations

from .. import kernels as K
from ..image import Img
from .base import IMAGE, TaskParams, Transform

RAY_DIRS = {
    "up": 1,
    "down": 2,
    "left": 4,
    "right": 8,
    "vertical": 3,
    "horizontal": 12,
    "cross": 15,
    "up_left": 16,
    "up_right": 32,
    "down_left": 64,
    "down_right": 128,
    "diagonals": 240,
    "star": 255,
}
# connect[kind]: which lines join a pair, as (horizontal, vertical, diagonal).
CONNECT_KINDS = {
    "h": (True, False, False),
    "v": (False, True, False),
    "hv": (True, True, False),
    "diag": (False, False, True),
}


def _rays(dirs: int, stop: bool):
    def f(v: Img, ctx) -> Img | None:
        out = K.rays(v.a, 0, dirs, stop)
        return Img(out, v.y, v.x)

    return f


def _connect(hz: bool, vt: bool, dg: bool):
    def f(v: Img, ctx) -> Img | None:
        out = K.connect_pairs(v.a, 0, hz, vt, dg)
        return Img(out, v.y, v.x)

    return f


def line_ops(task: TaskParams) -> list[Transform]:
    ops = []
    for name, dirs in RAY_DIRS.items():
        ops.append(Transform(f"rays[{name}]", IMAGE, IMAGE, _rays(dirs, True)))
        ops.append(Transform(f"rays_through[{name}]", IMAGE, IMAGE, _rays(dirs, False)))
    for name, flags in CONNECT_KINDS.items():
        ops.append(Transform(f"connect[{name}]", IMAGE, IMAGE, _connect(*flags)))
    return ops
