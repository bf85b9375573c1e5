"""The transform library: one-argument functions over images and lists of images.

A `Transform` maps one value (an `Img` or a tuple of `Img`) of one example to another
value, or to None when it does not apply (empty result, too large, nothing to pick). An
edit with nothing to do on one example (no pair to connect, no hole to fill) returns the
image unchanged rather than None: one demonstration may need no edit while the others do,
and a state unchanged on every example is dropped by the search as a duplicate. A transform
may also read the example's original input grid (`ctx`), which lets a transform paint on
or cut from the input without being a two-argument function. Parameters (colours,
directions) are bound when the library is built, so every transform has a fixed readable
name: `keep_colour[3]`, `rays[down]`.

`build_library(colours)` returns the transforms for one task: colour parameters range
only over the colours the task uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from ..canvas import SizeRule, period
from ..image import Img, Value, ok_shape

IMAGE = "I"
LIST = "L"


@dataclass(frozen=True)
class Transform:
    name: str
    takes: str  # IMAGE or LIST
    gives: str  # IMAGE or LIST
    fn: Callable[[Value, np.ndarray], Value | None]
    cost: int = 1  # program length it adds


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


# ---------------------------------------------------------------------------- helpers


def _img(a: np.ndarray, y: int = 0, x: int = 0) -> Img | None:
    if not ok_shape(a):
        return None
    return Img(np.ascontiguousarray(a, dtype=np.uint8), y, x)


def _bbox(mask: np.ndarray):
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _pad1(a: np.ndarray) -> np.ndarray:
    """a with a one-cell border of zeros (np.pad is slow on tiny arrays)."""
    p = np.zeros((a.shape[0] + 2, a.shape[1] + 2), dtype=a.dtype)
    p[1:-1, 1:-1] = a
    return p


def majority_colour(a: np.ndarray) -> int:
    counts = K.colour_counts(a)
    return int(np.argmax(counts))  # ties: lowest colour


def _fg_colours_by_count(a: np.ndarray) -> list[int]:
    """Non-zero colours present, most frequent first (ties: lower colour first)."""
    counts = K.colour_counts(a)
    present = [c for c in range(1, 10) if counts[c] > 0]
    return sorted(present, key=lambda c: (-counts[c], c))


# ---------------------------------------------------------------------------- image -> image


def crop(v: Img, ctx) -> Img | None:
    """Bounding box of the non-zero cells."""
    b = _bbox(v.a != 0)
    if b is None:
        return None
    r0, r1, c0, c1 = b
    return _img(v.a[r0:r1, c0:c1], v.y + r0, v.x + c0)


def trim_frame(v: Img, ctx) -> Img | None:
    """Drop the outermost row and column on every side (what lies inside a frame)."""
    h, w = v.a.shape
    if h < 3 or w < 3:
        return None
    return _img(v.a[1:-1, 1:-1].copy(), v.y + 1, v.x + 1)


def inside_frame(v: Img, ctx) -> Img | None:
    """What lies inside the largest rectangle whose border is one colour (a frame)."""
    area, r0, r1, c0, c1 = K.largest_frame(v.a)
    if area == 0:
        return None
    return _img(v.a[r0 + 1 : r1 - 1, c0 + 1 : c1 - 1].copy(), v.y + r0 + 1, v.x + c0 + 1)


def crop_fg(v: Img, ctx) -> Img | None:
    """Bounding box of the cells not of the majority colour."""
    bg = majority_colour(v.a)
    b = _bbox(v.a != bg)
    if b is None:
        return None
    r0, r1, c0, c1 = b
    return _img(v.a[r0:r1, c0:c1], v.y + r0, v.x + c0)


def _rigid(k: int):
    def f(v: Img, ctx) -> Img | None:
        return _img(dihedral(v.a, k), v.y, v.x)  # in place: matters when mapped over objects

    return f


# The rotations and reflections, in the order the library has always listed them.
RIGID_ORDER = (ROT90, ROT180, ROT270, FLIP_V, FLIP_H, TRANSPOSE, ANTITRANSPOSE)


def _keep_colour(c: int):
    def f(v: Img, ctx) -> Img | None:
        m = v.a == c
        if not m.any():
            return None
        return Img(np.where(m, v.a, 0).astype(np.uint8), v.y, v.x)

    return f


def _erase_colour(c: int):
    def f(v: Img, ctx) -> Img | None:
        m = v.a == c
        if not m.any():
            return None
        out = v.a.copy()
        out[m] = 0
        return Img(out, v.y, v.x)

    return f


def _paint(c: int):  # "paint[c]"
    def f(v: Img, ctx) -> Img | None:
        out = np.where(v.a != 0, c, 0).astype(np.uint8)
        return Img(out, v.y, v.x)

    return f


def _keep_rank(r: int):
    """Keep only the r-th most frequent non-zero colour."""

    def f(v: Img, ctx) -> Img | None:
        cols = _fg_colours_by_count(v.a)
        if len(cols) <= r:
            return None
        return Img(np.where(v.a == cols[r], v.a, 0).astype(np.uint8), v.y, v.x)

    return f


def _fill_enclosed(c: int):
    """Paint the zero cells not reachable from the border (4-neighbourhood) with c."""

    def f(v: Img, ctx) -> Img | None:
        outside = K.outside_mask(v.a, 0, False)
        holes = (v.a == 0) & ~outside
        out = v.a.copy()
        out[holes] = c
        return Img(out, v.y, v.x)

    return f


def holes(v: Img, ctx) -> Img | None:
    """Only the enclosed zero cells, as colour 1 (a mask; the final colour map names it)."""
    outside = K.outside_mask(v.a, 0, False)
    m = (v.a == 0) & ~outside
    if not m.any():
        return None
    return Img(m.astype(np.uint8), v.y, v.x)


def fill_holes_own(v: Img, ctx) -> Img | None:
    """Fill each object's enclosed cells with that object's colour (icecuber's Fill)."""
    outside = K.outside_mask(v.a, 0, False)
    m = (v.a == 0) & ~outside
    out = v.a.copy()
    # Nearest non-zero colour upward is the enclosing object's colour in the common case.
    h, w = out.shape
    for y, x in zip(*np.nonzero(m)):
        yy = y
        while yy >= 0 and out[yy, x] == 0:
            yy -= 1
        out[y, x] = out[yy, x] if yy >= 0 else 0
    return Img(out, v.y, v.x)


def border_cells(v: Img, ctx) -> Img | None:
    """Non-zero cells with a zero (or off-grid) 4-neighbour."""
    a = v.a
    p = _pad1(a)
    inner = (p[:-2, 1:-1] != 0) & (p[2:, 1:-1] != 0) & (p[1:-1, :-2] != 0) & (p[1:-1, 2:] != 0)
    m = (a != 0) & ~inner
    if not m.any():
        return None
    return Img(np.where(m, a, 0).astype(np.uint8), v.y, v.x)


def interior_cells(v: Img, ctx) -> Img | None:
    """Non-zero cells whose 4 neighbours are all non-zero."""
    a = v.a
    p = _pad1(a)
    inner = (p[:-2, 1:-1] != 0) & (p[2:, 1:-1] != 0) & (p[1:-1, :-2] != 0) & (p[1:-1, 2:] != 0)
    m = (a != 0) & inner
    if not m.any():
        return None
    return Img(np.where(m, a, 0).astype(np.uint8), v.y, v.x)


def _outline(c: int, diagonal: bool):
    """Paint zero cells next to non-zero cells with c."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        p = _pad1(a != 0)
        near = p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
        if diagonal:
            near = near | p[:-2, :-2] | p[:-2, 2:] | p[2:, :-2] | p[2:, 2:]
        m = near & (a == 0)
        if not m.any():
            return None
        out = a.copy()
        out[m] = c
        return Img(out, v.y, v.x)

    return f


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
        box = _bbox(target)
        if box is None:
            return None
        t0, t1, l0, l1 = box
        labels, n = K.label_components(np.where(target, 0, a).astype(np.uint8), 0, True, True)
        if n == 0 or n > 40:
            return None
        out = a.copy()
        for k in range(n):
            mask = labels == k
            r0, r1, c0, c1 = _bbox(mask)
            if r0 < t1 and t0 < r1:  # rows overlap: move sideways
                dy, dx = 0, (1 if c1 <= l0 else -1)
            elif c0 < l1 and l0 < c1:  # columns overlap: move up or down
                dy, dx = (1 if r1 <= t0 else -1), 0
            else:
                continue
            colours = np.where(mask, a, 0)
            out[mask] = 0
            ys, xs = np.nonzero(mask)
            step = 0
            while True:
                ny, nx = ys + (step + 1) * dy, xs + (step + 1) * dx
                if ny.min() < 0 or nx.min() < 0 or ny.max() >= a.shape[0] or nx.max() >= a.shape[1]:
                    break
                if out[ny, nx].any():
                    break
                step += 1
            out[ys + step * dy, xs + step * dx] = colours[ys, xs]
        return Img(out, v.y, v.x)

    return f


def _scale_up(k: int):
    def f(v: Img, ctx) -> Img | None:
        return _img(np.repeat(np.repeat(v.a, k, axis=0), k, axis=1))

    return f


def _scale_up_by_colours(v: Img, ctx) -> Img | None:
    """Scale up by the number of non-zero colours in the image (each cell a k x k block)."""
    k = int(np.count_nonzero(K.colour_counts(v.a)[1:]))
    if k < 2:
        return None
    return _img(np.repeat(np.repeat(v.a, k, axis=0), k, axis=1))


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
        return _img(small)

    return f


def _tile(ry: int, rx: int, mode: str):
    """Tile ry x rx copies; mode 'plain' or 'mirror' (neighbouring copies flipped)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        if mode == "plain":
            return _img(np.tile(a, (ry, rx)))
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
        return _img(np.concatenate(rows, axis=0))

    return f


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
        r0, r1, c0, c1 = _bbox(mask)
        return _img(out[r0:r1, c0:c1].copy(), v.y + r0, v.x + c0)

    return f


def _half(which: str):
    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if which == "top":
            return _img(a[: h // 2], v.y, v.x)
        if which == "bottom":
            return _img(a[(h + 1) // 2 :], v.y + (h + 1) // 2, v.x)
        if which == "left":
            return _img(a[:, : w // 2], v.y, v.x)
        return _img(a[:, (w + 1) // 2 :], v.y, v.x + (w + 1) // 2)

    return f


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
    return _img(a)


def drop_empty_rows_cols(v: Img, ctx) -> Img | None:
    """Drop every all-zero row and column."""
    a = v.a
    a = a[(a != 0).any(axis=1)]
    if a.size == 0:
        return None
    a = a[:, (a != 0).any(axis=0)]
    if a.shape == v.a.shape:
        return None
    return _img(a)


def majority_cell(v: Img, ctx) -> Img | None:
    """1x1 grid of the most frequent non-zero colour."""
    cols = _fg_colours_by_count(v.a)
    if not cols:
        return None
    return Img(np.array([[cols[0]]], dtype=np.uint8))


def minority_cell(v: Img, ctx) -> Img | None:
    """1x1 grid of the least frequent non-zero colour."""
    cols = _fg_colours_by_count(v.a)
    if not cols:
        return None
    return Img(np.array([[cols[-1]]], dtype=np.uint8))


def invert(v: Img, ctx) -> Img | None:
    """Swap zero and the most frequent non-zero colour; other colours become zero."""
    cols = _fg_colours_by_count(v.a)
    if not cols:
        return None
    return Img(np.where(v.a == 0, cols[0], 0).astype(np.uint8), v.y, v.x)


def overlay_on_input(v: Img, ctx) -> Img | None:
    """Draw the image's non-zero cells on the input at the image's position."""
    base = ctx.copy()
    h, w = v.a.shape
    if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
        return None
    region = base[v.y : v.y + h, v.x : v.x + w]
    np.copyto(region, v.a, where=v.a != 0)
    return Img(base)


def erase_from_input(v: Img, ctx) -> Img | None:
    """The input with the image's non-zero cells (at its position) set to zero."""
    base = ctx.copy()
    h, w = v.a.shape
    if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
        return None
    region = base[v.y : v.y + h, v.x : v.x + w]
    region[v.a != 0] = 0
    return Img(base)


def place_on_blank(v: Img, ctx) -> Img | None:
    """The image at its position on an empty canvas of the input's size."""
    base = np.zeros_like(ctx)
    h, w = v.a.shape
    if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
        return None
    if v.y == 0 and v.x == 0 and v.a.shape == base.shape:
        return None
    base[v.y : v.y + h, v.x : v.x + w] = v.a
    return Img(base)


def hull(v: Img, ctx) -> Img | None:
    """Fill the bounding box of the non-zero cells with their majority colour."""
    b = _bbox(v.a != 0)
    if b is None:
        return None
    cols = _fg_colours_by_count(v.a)
    out = v.a.copy()
    r0, r1, c0, c1 = b
    out[r0:r1, c0:c1] = cols[0]
    return Img(out, v.y, v.x)


def remove_singletons(v: Img, ctx) -> Img | None:
    """Erase non-zero cells with no non-zero 8-neighbour (noise)."""
    labels, n = K.label_components(v.a, 0, True, True)
    boxes = K.component_boxes(labels, n)
    small = np.flatnonzero(boxes[:, 4] == 1)
    if small.size == 0 or small.size == n:
        return None
    out = v.a.copy()
    out[np.isin(labels, small)] = 0
    return Img(out, v.y, v.x)


def largest_rect_zero(v: Img, ctx) -> Img | None:
    """Mask (colour 1) of the largest all-zero axis-aligned rectangle (first on ties)."""
    area, r0, r1, c0, c1 = K.largest_zero_rect(v.a)
    if area < 2:
        return None
    out = np.zeros_like(v.a)
    out[r0:r1, c0:c1] = 1
    return Img(out, v.y, v.x)


def colour_count_row(v: Img, ctx) -> Img | None:
    """1 x N row of the most frequent non-zero colour, N = number of its components."""
    cols = _fg_colours_by_count(v.a)
    if not cols:
        return None
    labels, n = K.label_components(v.a, 0, True, True)
    if n == 0 or n > 30:
        return None
    return Img(np.full((1, n), cols[0], dtype=np.uint8))


def _fill_bbox(c: int):
    """Paint the zero cells inside each object's bounding box with c."""

    def f(v: Img, ctx) -> Img | None:
        labels, n = K.label_components(v.a, 0, True, True)
        if n == 0:
            return None
        boxes = K.component_boxes(labels, n)
        out = v.a.copy()
        for r0, c0, r1, c1, _ in boxes:
            region = out[r0:r1, c0:c1]
            region[region == 0] = c
        return Img(out, v.y, v.x)

    return f


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
        return _img(np.where(counts.max(axis=2) > 0, best, 0).astype(np.uint8))

    return f


def zero_regions_by_size(v: Img, ctx) -> Img | None:
    """Each 4-connected region of zero cells painted with its cell count (at most 9);
    non-zero cells become 0. The final colour map names the sizes."""
    inv = (v.a == 0).astype(np.uint8)
    labels, n = K.label_components(inv, 0, False, False)
    if n < 2:
        return None
    boxes = K.component_boxes(labels, n)
    lut = np.concatenate([[0], np.minimum(boxes[:, 4], 9)]).astype(np.uint8)
    return Img(lut[labels + 1], v.y, v.x)


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


def tile_unit(v: Img, ctx) -> Img | None:
    """The smallest block whose tiling (cut at the edges) reproduces the image."""
    a = v.a
    py, px = period(a), period(a.T)
    if (py, px) == a.shape:
        return None
    return _img(a[:py, :px].copy())


def cells_row(v: Img, ctx) -> Img | None:
    """1 x N row of the most frequent non-zero colour, N = number of non-zero cells."""
    cols = _fg_colours_by_count(v.a)
    n = int(np.count_nonzero(v.a))
    if not cols or n > 30:
        return None
    return Img(np.full((1, n), cols[0], dtype=np.uint8))


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


def _self_kron(on_zero: bool):
    """A copy of the image in every block whose cell is non-zero (or zero)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        h, w = a.shape
        if h * h > 30 or w * w > 30:
            return None
        mask = (a == 0) if on_zero else (a != 0)
        return _img(np.kron(mask.astype(np.uint8), np.ones_like(a)) * np.tile(a, (h, w)))

    return f


def _label_by(prop: str, diagonal: bool):
    """Paint every object (single-colour component) with a code of one of its properties,
    for the final colour map to name: its size rank ('rank', largest 1), its cell count
    ('cells', at most 9), or whether it touches the border ('border', 1 or 2)."""

    def f(v: Img, ctx) -> Img | None:
        a = v.a
        labels, n = K.label_components(a, 0, diagonal, False)
        if n < 2:
            return None
        boxes = K.component_boxes(labels, n)
        cells = boxes[:, 4]
        if prop == "rank":
            sizes = sorted(set(cells.tolist()), reverse=True)
            if len(sizes) > 9:
                return None
            code = np.array([sizes.index(c) + 1 for c in cells])
        elif prop == "cells":
            code = np.minimum(cells, 9)
        elif prop == "border":
            h, w = a.shape
            touch = (boxes[:, 0] == 0) | (boxes[:, 1] == 0) | (boxes[:, 2] == h) | (boxes[:, 3] == w)
            code = np.where(touch, 1, 2)
        else:
            raise ValueError(prop)
        lut = np.concatenate([[0], code]).astype(np.uint8)
        return Img(lut[labels + 1], v.y, v.x)

    return f


# ---------------------------------------------------------------------------- image -> list


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
        b = _bbox(m)
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


# ---------------------------------------------------------------------------- list -> image


def _cells(v: Img) -> int:
    return int(np.count_nonzero(v.a))


PICK_KEYS: dict[str, Callable[[Img], int]] = {
    "cells": _cells,
    "area": lambda v: v.a.size,
    "colours": lambda v: len(np.unique(v.a[v.a != 0])),
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
        ks = [sign * key(v) for v in vs]
        best = max(ks)
        if ks.count(best) != 1:
            return None
        return vs[ks.index(best)]

    return f


def _shape_key(v: Img) -> bytes:
    return bytes(v.a.shape) + v.a.tobytes()


def _mask_key(v: Img) -> bytes:
    return bytes(v.a.shape) + (v.a != 0).tobytes()


def _pick_by_frequency(keyf, rarest: bool):
    """The element whose pattern (by keyf) occurs once (rarest) / most often; unique."""

    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        keys = [keyf(v) for v in vs]
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
    a = v.a
    bits = int(np.array_equal(a, a[:, ::-1])) | 2 * int(np.array_equal(a, a[::-1, :]))
    if a.shape[0] == a.shape[1] and np.array_equal(a, a.T):
        bits |= 4
    return bits


# Properties by which one element can stand out from the others ("the only asymmetric one").
UNIQUE_KEYS: dict[str, Callable[[Img], object]] = {
    "symmetry": lambda v: _symmetries(v) != 0,
    "symmetries": _symmetries,
    "colours": PICK_KEYS["colours"],
    "cells": _cells,
    "shape_size": lambda v: v.a.shape,
}


def _pick_having_colour(c: int):
    """The one element that holds colour c (an object marked by a cell of that colour)."""

    def f(vs: tuple, ctx) -> Img | None:
        having = [v for v in vs if (v.a == c).any()]
        return having[0] if len(having) == 1 and len(vs) > 1 else None

    return f


def pick_unique_colour(vs: tuple, ctx) -> Img | None:
    """The one element with a colour set no other element has."""
    if len(vs) < 2:
        return None
    sets = [tuple(np.unique(v.a[v.a != 0])) for v in vs]
    idx = [i for i, s in enumerate(sets) if sets.count(s) == 1]
    if len(idx) != 1:
        return None
    return vs[idx[0]]


def _count_line(axis: int):
    """A line with one cell per element (1 x N, or N x 1 for axis 0), in the elements'
    commonest colour: "how many objects" answers."""

    def f(vs: tuple, ctx) -> Img | None:
        if not vs or len(vs) > 30:
            return None
        counts = sum(K.colour_counts(v.a) for v in vs)
        counts[0] = 0
        shape = (len(vs), 1) if axis == 0 else (1, len(vs))
        return Img(np.full(shape, int(np.argmax(counts)), dtype=np.uint8))

    return f


def _region_under(pick: Callable[[Value, np.ndarray], Value | None]):
    """The input's cells under the bounding box of the element `pick` chooses (an object
    that marks a region: a frame, corners, a highlighted block)."""

    def f(vs: Value, ctx: np.ndarray) -> Img | None:
        v = pick(vs, ctx)
        if not isinstance(v, Img):
            return None
        h, w = v.a.shape
        if v.y < 0 or v.x < 0 or v.y + h > ctx.shape[0] or v.x + w > ctx.shape[1]:
            return None
        return Img(ctx[v.y : v.y + h, v.x : v.x + w].copy(), v.y, v.x)

    return f


def _colours_by_size(axis: int):
    """One cell per element, in the element's commonest colour, largest element first (a
    legend: "list the shapes' colours by size"); N x 1 for axis 0, else 1 x N."""

    def f(vs: tuple, ctx) -> Img | None:
        if not vs or len(vs) > 30:
            return None
        sizes = [_cells(v) for v in vs]
        if len(set(sizes)) != len(sizes) or 0 in sizes:
            return None  # ties would make the order arbitrary; an empty element has no colour
        colours = [int(np.argmax(K.colour_counts(v.a)[1:])) + 1 for v in vs]
        line = np.array([colours[i] for i in np.argsort(sizes)[::-1]], dtype=np.uint8)
        return Img(line.reshape((-1, 1) if axis == 0 else (1, -1)))

    return f


def grid_of_cells(vs: tuple, ctx) -> Img | None:
    """Elements laid out in rows and columns (grid cells) shrunk to one pixel each, in the
    element's commonest non-zero colour (0 when empty)."""
    ys = sorted({v.y for v in vs})
    xs = sorted({v.x for v in vs})
    if len(ys) * len(xs) != len(vs) or len({(v.y, v.x) for v in vs}) != len(vs) or len(vs) < 2:
        return None
    out = np.zeros((len(ys), len(xs)), dtype=np.uint8)
    for v in vs:
        counts = K.colour_counts(v.a)
        counts[0] = 0
        out[ys.index(v.y), xs.index(v.x)] = int(np.argmax(counts)) if counts.any() else 0
    return Img(out)


def paste_on_input(vs: tuple, ctx) -> Img | None:
    """Every element's whole box (zeros included) pasted on the input at its position."""
    base = ctx.copy()
    for v in vs:
        h, w = v.a.shape
        if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
            return None
        base[v.y : v.y + h, v.x : v.x + w] = v.a
    return Img(base)


def compose_on_input_canvas(vs: tuple, ctx) -> Img | None:
    """Every element at its position on an empty canvas of the input's size (later on top)."""
    base = np.zeros_like(ctx)
    for v in vs:
        h, w = v.a.shape
        if v.y < 0 or v.x < 0 or v.y + h > base.shape[0] or v.x + w > base.shape[1]:
            return None
        region = base[v.y : v.y + h, v.x : v.x + w]
        np.copyto(region, v.a, where=v.a != 0)
    return Img(base)


def _boolean(op: str):
    """Cell-wise logic over equal-shaped elements; result is a colour-1 mask."""

    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        shape = vs[0].a.shape
        if any(v.a.shape != shape for v in vs):
            return None
        masks = np.stack([v.a != 0 for v in vs])
        if op == "and":
            m = masks.all(axis=0)
        elif op == "or":
            m = masks.any(axis=0)
        elif op == "xor":
            m = masks.sum(axis=0) == 1
        elif op == "nor":
            m = ~masks.any(axis=0)
        else:
            raise ValueError(op)
        return Img(np.asarray(m, dtype=np.uint8))

    return f


def overlay_all(vs: tuple, ctx) -> Img | None:
    """Equal-shaped elements overlaid, first on top (colour 0 transparent)."""
    if len(vs) < 2:
        return None
    shape = vs[0].a.shape
    if any(v.a.shape != shape for v in vs):
        return None
    out = vs[-1].a.copy()
    for v in vs[-2::-1]:
        np.copyto(out, v.a, where=v.a != 0)
    return Img(out)


def _stack(axis: int):
    def f(vs: tuple, ctx) -> Img | None:
        if len(vs) < 2:
            return None
        if axis == 0 and any(v.a.shape[1] != vs[0].a.shape[1] for v in vs):
            return None
        if axis == 1 and any(v.a.shape[0] != vs[0].a.shape[0] for v in vs):
            return None
        return _img(np.concatenate([v.a for v in vs], axis=axis))

    return f


# ---------------------------------------------------------------------------- list -> list


def _drop(key: Callable[[Img], int], sign: int):
    """Drop the element(s) with the extreme key; keep the rest."""

    def f(vs: tuple, ctx) -> tuple | None:
        if len(vs) < 2:
            return None
        ks = [sign * key(v) for v in vs]
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


# ---------------------------------------------------------------------------- the library


def _crop_at(where: str, oh: int, ow: int):
    """An oh x ow window at a corner or the centre of the image."""

    def f(v: Img, ctx) -> Img | None:
        h, w = v.a.shape
        if h < oh or w < ow or (h, w) == (oh, ow):
            return None
        y = 0 if where[0] == "t" else (h - oh if where[0] == "b" else (h - oh) // 2)
        x = 0 if where[1] == "l" else (w - ow if where[1] == "r" else (w - ow) // 2)
        return Img(a_copy(v.a[y : y + oh, x : x + ow]), v.y + y, v.x + x)

    return f


def _on_output_canvas(size_rule: SizeRule):
    """The image at its position on a blank canvas of the example's output size."""

    def f(v: Img, ctx) -> Img | None:
        shape = size_rule(ctx.shape)
        h, w = v.a.shape
        if shape is None or shape == v.a.shape or v.y + h > shape[0] or v.x + w > shape[1] or min(v.y, v.x) < 0:
            return None
        out = np.zeros(shape, dtype=np.uint8)
        out[v.y : v.y + h, v.x : v.x + w] = v.a
        return Img(out)

    return f


def a_copy(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a)


def build_library(
    colours: list[int], out_shape: tuple[int, int] | None = None, size_rule: SizeRule | None = None
) -> list[Transform]:
    """All transforms for a task whose grids use `colours` (sorted, 0 included or not).

    out_shape: the demonstrations' output shape when they all share one; it adds windows
    of that size. size_rule: the output's shape as a function of the input's
    (`canvas.fit_size_rule`); it adds a step that lays an image on the output's canvas,
    so that later steps can draw on it.
    """
    T: list[Transform] = []

    def add(name, takes, gives, fn):
        T.append(Transform(name, takes, gives, fn))

    fg = [c for c in colours if c != 0]
    # Whole-image geometry first: shortest programs of this kind are the most common.
    for k in RIGID_ORDER:
        add(DIHEDRAL_NAMES[k], IMAGE, IMAGE, _rigid(k))
    add("crop", IMAGE, IMAGE, crop)
    add("crop_fg", IMAGE, IMAGE, crop_fg)
    add("trim_frame", IMAGE, IMAGE, trim_frame)
    add("inside_frame", IMAGE, IMAGE, inside_frame)
    for c in fg:
        add(f"keep_colour[{c}]", IMAGE, IMAGE, _keep_colour(c))
    for c in fg:
        add(f"erase_colour[{c}]", IMAGE, IMAGE, _erase_colour(c))
    for r in range(2):
        add(f"keep_rank[{r}]", IMAGE, IMAGE, _keep_rank(r))
    for c in fg:
        add(f"paint[{c}]", IMAGE, IMAGE, _paint(c))
    for c in fg:
        add(f"fill_enclosed[{c}]", IMAGE, IMAGE, _fill_enclosed(c))
    add("holes", IMAGE, IMAGE, holes)
    add("fill_holes_own", IMAGE, IMAGE, fill_holes_own)
    add("border_cells", IMAGE, IMAGE, border_cells)
    add("interior_cells", IMAGE, IMAGE, interior_cells)
    for c in fg:
        add(f"outline4[{c}]", IMAGE, IMAGE, _outline(c, False))
        add(f"outline8[{c}]", IMAGE, IMAGE, _outline(c, True))
    for d, name in enumerate(["down", "up", "right", "left"]):
        add(f"gravity[{name}]", IMAGE, IMAGE, _gravity(d))
    for name, (dy, dx) in SLIDE_DIRS.items():
        add(f"slide[{name}]", IMAGE, IMAGE, _slide(dy, dx, False))
        add(f"slide_onto_largest[{name}]", IMAGE, IMAGE, _slide(dy, dx, True))
    for c in fg:
        add(f"slide_to_colour[{c}]", IMAGE, IMAGE, _slide_to_colour(c))
    for k in (2, 3, 4):
        add(f"scale_up[{k}]", IMAGE, IMAGE, _scale_up(k))
    add("scale_up_by_colours", IMAGE, IMAGE, _scale_up_by_colours)
    for k in (2, 3):
        add(f"scale_down[{k}]", IMAGE, IMAGE, _scale_down(k))
    for ry, rx in ((1, 2), (2, 1), (2, 2), (3, 3), (1, 3), (3, 1)):
        add(f"tile[{ry}x{rx}]", IMAGE, IMAGE, _tile(ry, rx, "plain"))
    for ry, rx in ((1, 2), (2, 1), (2, 2)):
        add(f"mirror_tile[{ry}x{rx}]", IMAGE, IMAGE, _tile(ry, rx, "mirror"))
    for kind in ("h", "v", "hv", "diag", "rot"):
        add(f"symmetrize[{kind}]", IMAGE, IMAGE, _symmetrize(kind))
    for c in [0, *fg]:
        add(f"complete_symmetry[{c}]", IMAGE, IMAGE, _complete_symmetry(c, False))
        add(f"symmetry_patch[{c}]", IMAGE, IMAGE, _complete_symmetry(c, True))
    for which in ("top", "bottom", "left", "right"):
        add(f"half[{which}]", IMAGE, IMAGE, _half(which))
    for name, dirs in RAY_DIRS.items():
        add(f"rays[{name}]", IMAGE, IMAGE, _rays(dirs, True))
        add(f"rays_through[{name}]", IMAGE, IMAGE, _rays(dirs, False))
    for name, flags in (("h", (1, 0, 0)), ("v", (0, 1, 0)), ("hv", (1, 1, 0)), ("diag", (0, 0, 1))):
        add(f"connect[{name}]", IMAGE, IMAGE, _connect(*map(bool, flags)))
    add("dedupe_rows_cols", IMAGE, IMAGE, dedupe_rows_cols)
    add("drop_empty_rows_cols", IMAGE, IMAGE, drop_empty_rows_cols)
    add("majority_cell", IMAGE, IMAGE, majority_cell)
    add("minority_cell", IMAGE, IMAGE, minority_cell)
    add("invert", IMAGE, IMAGE, invert)
    add("overlay_on_input", IMAGE, IMAGE, overlay_on_input)
    add("erase_from_input", IMAGE, IMAGE, erase_from_input)
    add("place_on_blank", IMAGE, IMAGE, place_on_blank)
    add("hull", IMAGE, IMAGE, hull)
    add("remove_singletons", IMAGE, IMAGE, remove_singletons)
    add("largest_rect_zero", IMAGE, IMAGE, largest_rect_zero)
    add("colour_count_row", IMAGE, IMAGE, colour_count_row)
    for c in fg:
        add(f"fill_bbox[{c}]", IMAGE, IMAGE, _fill_bbox(c))
    for k in (2, 3):
        add(f"block_reduce[{k}]", IMAGE, IMAGE, _block_reduce(k))
    add("zero_regions_by_size", IMAGE, IMAGE, zero_regions_by_size)
    for name, (dy, dx) in (("down", (1, 0)), ("up", (-1, 0)), ("right", (0, 1)), ("left", (0, -1))):
        add(f"shift[{name}]", IMAGE, IMAGE, _shift(dy, dx))
    add("tile_unit", IMAGE, IMAGE, tile_unit)
    add("cells_row", IMAGE, IMAGE, cells_row)
    add("periodic_fill[0]", IMAGE, IMAGE, _periodic(0))
    add("periodic_fill[rarest]", IMAGE, IMAGE, _periodic(1))
    add("diagonal_periodic_fill", IMAGE, IMAGE, _diagonal_periodic(1))
    add("antidiagonal_periodic_fill", IMAGE, IMAGE, _diagonal_periodic(-1))
    add("self_kron", IMAGE, IMAGE, _self_kron(False))
    add("self_kron_inverse", IMAGE, IMAGE, _self_kron(True))
    for prop in ("rank", "cells", "border"):
        add(f"label_by[{prop}]", IMAGE, IMAGE, _label_by(prop, True))
    if size_rule is not None:
        add("on_output_canvas", IMAGE, IMAGE, _on_output_canvas(size_rule))
    if out_shape is not None:
        for where in ("tl", "tr", "bl", "br", "cc"):
            add(f"window[{where},{out_shape[0]}x{out_shape[1]}]", IMAGE, IMAGE, _crop_at(where, *out_shape))
    # Image -> list.
    for diag in (False, True):
        for multi in (False, True):
            add(f"objects{'8' if diag else '4'}{'_multi' if multi else ''}", IMAGE, LIST, _components(diag, multi))
    add("split_colours", IMAGE, LIST, split_colours)
    add("split_grid", IMAGE, LIST, split_grid)
    for n in (2, 3):
        add(f"split_rows[{n}]", IMAGE, LIST, _split_even(n, 0))
        add(f"split_cols[{n}]", IMAGE, LIST, _split_even(n, 1))
    # List -> image.
    for kname, key in PICK_KEYS.items():
        add(f"largest[{kname}]", LIST, IMAGE, _pick(key, 1))
        add(f"smallest[{kname}]", LIST, IMAGE, _pick(key, -1))
    add("unique_shape", LIST, IMAGE, _pick_by_frequency(_shape_key, True))
    add("unique_mask", LIST, IMAGE, _pick_by_frequency(_mask_key, True))
    add("commonest_shape", LIST, IMAGE, _pick_by_frequency(_shape_key, False))
    add("unique_colour", LIST, IMAGE, pick_unique_colour)
    for c in fg:
        add(f"having_colour[{c}]", LIST, IMAGE, _pick_having_colour(c))
    for kname, ukey in UNIQUE_KEYS.items():
        add(f"unique[{kname}]", LIST, IMAGE, _pick_by_frequency(ukey, True))
    # The same picks, answering with the input's cells under the picked element's box.
    for t in [t for t in T if t.takes == LIST and t.gives == IMAGE]:
        add(f"region[{t.name}]", LIST, IMAGE, _region_under(t.fn))
    add("compose", LIST, IMAGE, compose_on_input_canvas)
    add("paste_on_input", LIST, IMAGE, paste_on_input)
    add("grid_of_cells", LIST, IMAGE, grid_of_cells)
    add("overlay_all", LIST, IMAGE, overlay_all)
    for op in ("and", "or", "xor", "nor"):
        add(f"cells_{op}", LIST, IMAGE, _boolean(op))
    add("count_column", LIST, IMAGE, _count_line(0))
    add("count_row", LIST, IMAGE, _count_line(1))
    add("colours_by_size_column", LIST, IMAGE, _colours_by_size(0))
    add("colours_by_size_row", LIST, IMAGE, _colours_by_size(1))
    add("stack_v", LIST, IMAGE, _stack(0))
    add("stack_h", LIST, IMAGE, _stack(1))
    # List -> list.
    for kname in ("cells", "area"):
        add(f"drop_largest[{kname}]", LIST, LIST, _drop(PICK_KEYS[kname], 1))
        add(f"drop_smallest[{kname}]", LIST, LIST, _drop(PICK_KEYS[kname], -1))
    add("touching_border", LIST, LIST, _keep_touching_border(True))
    add("not_touching_border", LIST, LIST, _keep_touching_border(False))
    for t in list(T):
        if t.takes == IMAGE and t.gives == IMAGE and t.name.startswith(MAPPABLE_PREFIXES):
            T.append(map_over(t))
    return T
