"""Split: an image into a list: its objects, its colours, the cells of a grid drawn with lines,
equal parts."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, LIST, TaskParams, Transform, bbox


def _components(diagonal: bool, multicolour: bool):
    def f(v: Img, ctx) -> tuple | None:
        a = v.a
        labels, n = K.label_components(a, 0, diagonal, multicolour)
        if n == 0 or n > 40:
            return None
        boxes = K.component_boxes(labels, n)
        out = []
        for k in range(n):
            r0, c0, r1, c1 = boxes[k, 0], boxes[k, 1], boxes[k, 2], boxes[k, 3]
            sub = np.where(labels[r0:r1, c0:c1] == k, a[r0:r1, c0:c1], 0).astype(np.uint8)
            out.append(Img(sub, v.y + int(r0), v.x + int(c0)))
        return tuple(out)

    return f


def split_colours(v: Img, ctx) -> tuple | None:
    """One image per non-zero colour: its cells, cropped to their bounding box."""
    a = v.a
    out = []
    for c in range(1, 10):
        m = a == c
        b = bbox(m)
        if b is None:
            continue
        r0, r1, c0, c1 = b
        out.append(Img(np.where(m[r0:r1, c0:c1], a[r0:r1, c0:c1], 0).astype(np.uint8), v.y + r0, v.x + c0))
    if not out:
        return None
    return tuple(out)


def _separator_lines(a: np.ndarray):
    """Rows and columns that are one non-zero colour from edge to edge (grid lines)."""
    rows = [y for y in range(a.shape[0]) if a[y, 0] != 0 and (a[y] == a[y, 0]).all()]
    cols = [x for x in range(a.shape[1]) if a[0, x] != 0 and (a[:, x] == a[0, x]).all()]
    return rows, cols


def _spans(n: int, cuts: list[int]):
    spans, start = [], 0
    for c in cuts + [n]:
        if c > start:
            spans.append((start, c))
        start = c + 1
    return spans


def split_grid(v: Img, ctx) -> tuple | None:
    """Cells between separator lines, in row-major order."""
    a = v.a
    rows, cols = _separator_lines(a)
    if not rows and not cols:
        return None
    rs, cs = _spans(a.shape[0], rows), _spans(a.shape[1], cols)
    if len(rs) * len(cs) < 2:
        return None
    return tuple(Img(a[r0:r1, c0:c1].copy(), v.y + r0, v.x + c0) for r0, r1 in rs for c0, c1 in cs)


def _split_even(n: int, axis: int):
    """n equal parts along an axis (rows if 0), allowing one-cell gaps between them."""

    def f(v: Img, ctx) -> tuple | None:
        a = v.a
        size = a.shape[axis]
        for gap in (0, 1):
            part = size - gap * (n - 1)
            if part <= 0 or part % n:
                continue
            part //= n
            out = []
            for i in range(n):
                s = i * (part + gap)
                if axis == 0:
                    out.append(Img(a[s : s + part].copy(), v.y + s, v.x))
                else:
                    out.append(Img(a[:, s : s + part].copy(), v.y, v.x + s))
            return tuple(out)
        return None

    return f


def split_ops(task: TaskParams) -> list[Transform]:
    ops = []
    for diag in (False, True):
        for multi in (False, True):
            name = f"objects{'8' if diag else '4'}{'_multi' if multi else ''}"
            ops.append(Transform(name, IMAGE, LIST, _components(diag, multi)))
    ops.append(Transform("split_colours", IMAGE, LIST, split_colours))
    ops.append(Transform("split_grid", IMAGE, LIST, split_grid))
    for n in (2, 3):
        ops.append(Transform(f"split_rows[{n}]", IMAGE, LIST, _split_even(n, 0)))
        ops.append(Transform(f"split_cols[{n}]", IMAGE, LIST, _split_even(n, 1)))
    return ops
