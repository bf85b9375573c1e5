"""Ops moved into numba kernels against their plain numpy reference (the code they replaced),
on random grids: the compiled op must give the same image, or fail alike."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solver.search import kernels as K
from solver.search.image import Img
from solver.search.kernels import patterns as P
from solver.search.ops import build_library
from solver.search.ops.base import bbox

grids = arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.integers(0, 4))
LIBRARY = {t.name: t for t in build_library([0, 1, 2, 3, 4])}


def reference_slide_to_colour(a: np.ndarray, c: int) -> np.ndarray | None:
    target = a == c
    box = bbox(target)
    if box is None:
        return None
    t0, t1, l0, l1 = box
    labels, n = K.label_components(np.where(target, 0, a).astype(np.uint8), 0, True, True)
    if n == 0 or n > 40:
        return None
    out = a.copy()
    for k in range(n):
        mask = labels == k
        r0, r1, c0, c1 = bbox(mask)
        if r0 < t1 and t0 < r1:
            dy, dx = 0, (1 if c1 <= l0 else -1)
        elif c0 < l1 and l0 < c1:
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
    return out


def reference_diagonal_periodic(a: np.ndarray, sign: int) -> np.ndarray | None:
    h, w = a.shape
    if not (a == 0).any():
        return None
    ys, xs = np.indices(a.shape)
    diag = np.asarray(ys + sign * xs + (w if sign < 0 else 0))
    known = a != 0
    for p in range(2, h + w):
        cls = np.asarray(diag % p)
        table = np.zeros(p, dtype=np.int64)
        np.maximum.at(table, cls[known], a[known])
        if np.array_equal(table[cls][known], a[known]) and (table > 0).all():
            return table[cls].astype(np.uint8)
    return None


def same(got: Img | None, want: np.ndarray | None) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return got.a.dtype == np.uint8 and np.array_equal(got.a, want)


@settings(max_examples=150, deadline=None)
@given(grids, st.integers(1, 4))
def test_slide_to_colour_matches_reference(a, c):
    got = LIBRARY[f"slide_to_colour[{c}]"].fn(Img(a.copy(), 2, 3), a)
    assert same(got, reference_slide_to_colour(a, c))
    assert got is None or (got.y, got.x) == (2, 3)


@settings(max_examples=150, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.sampled_from([0, 0, 1, 2])))
def test_diagonal_periodic_matches_reference(a):
    assert same(LIBRARY["diagonal_periodic_fill"].fn(Img(a), a), reference_diagonal_periodic(a, 1))
    assert same(LIBRARY["antidiagonal_periodic_fill"].fn(Img(a), a), reference_diagonal_periodic(a, -1))


def test_diagonal_periodic_hand_case():
    stripes = np.array([[1, 2, 3, 1], [2, 3, 1, 2], [3, 1, 2, 3]], dtype=np.uint8)
    holed = stripes.copy()
    holed[1, 1] = holed[2, 3] = 0
    got = LIBRARY["diagonal_periodic_fill"].fn(Img(holed), holed)
    assert got is not None and np.array_equal(got.a, stripes)


@settings(max_examples=100, deadline=None)
@given(grids, st.integers(0, 4))
def test_symmetry_pair_shares_fills_without_changing_them(a, hole):
    """complete_symmetry and symmetry_patch share one fill per image: the same answers as
    the kernel called afresh, in either order and on images that come and go."""
    full, patch = LIBRARY[f"complete_symmetry[{hole}]"].fn, LIBRARY[f"symmetry_patch[{hole}]"].fn
    for v in (Img(a.copy()), Img(a[::-1].copy()), Img(a.copy())):
        before = v.a.copy()
        mask = v.a == hole
        out, complete = K.symmetry_fill(v.a, hole, 0.5)
        want_full = out if mask.any() and complete else None
        want_patch = None
        if want_full is not None:
            r0, r1, c0, c1 = bbox(mask)
            want_patch = out[r0:r1, c0:c1]
        assert same(patch(v, v.a), want_patch)
        assert same(full(v, v.a), want_full)
        assert np.array_equal(v.a, before)  # the input is not mutated


def reference_symmetry_fill(grid: np.ndarray, hole: int, min_overlap: float) -> tuple[np.ndarray, bool]:
    """`kernels.symmetry_fill` as first written: every offset of every family scans every cell."""
    h, w = grid.shape
    known = int((grid != hole).sum())
    if known in (0, h * w):
        return grid.copy(), False
    need = max(1, int(min_overlap * known))
    images = {
        P.SYM_FLIP_H: lambda a, b, y, x: (y, a - x),
        P.SYM_FLIP_V: lambda a, b, y, x: (a - y, x),
        P.SYM_TRANSPOSE: lambda a, b, y, x: (x + a, y - a),
        P.SYM_ANTI_TRANSPOSE: lambda a, b, y, x: (a - x, a - y),
        P.SYM_ROT180: lambda a, b, y, x: (a - y, b - x),
    }
    slack = P.ROT180_CENTRE_SLACK
    offsets = {
        P.SYM_FLIP_H: [(a, 0) for a in range(2 * w - 1)],
        P.SYM_FLIP_V: [(a, 0) for a in range(2 * h - 1)],
        P.SYM_TRANSPOSE: [(a, 0) for a in range(-(w - 1), h)],
        P.SYM_ANTI_TRANSPOSE: [(a, 0) for a in range(h + w - 1)],
        P.SYM_ROT180: [
            (a, b)
            for a in range(max(0, h - 1 - slack), min(2 * h - 2, h - 1 + slack) + 1)
            for b in range(max(0, w - 1 - slack), min(2 * w - 2, w - 1 + slack) + 1)
        ],
    }
    kept = []
    for kind, image in images.items():
        for a, b in offsets[kind]:
            pairs = [((y, x), image(a, b, y, x)) for y in range(h) for x in range(w) if grid[y, x] != hole]
            pairs = [(p, q) for p, q in pairs if 0 <= q[0] < h and 0 <= q[1] < w and q != p and grid[q] != hole]
            if all(grid[p] == grid[q] for p, q in pairs) and len(pairs) >= need:
                kept.append(lambda y, x, image=image, a=a, b=b: image(a, b, y, x))
    out, filled = grid.copy(), grid != hole
    changed = bool(kept)
    while changed:
        changed = False
        for y in range(h):
            for x in range(w):
                if filled[y, x]:
                    continue
                for image in kept:
                    yy, xx = image(y, x)
                    if 0 <= yy < h and 0 <= xx < w and filled[yy, xx]:
                        out[y, x], filled[y, x], changed = out[yy, xx], True, True
                        break
    return out, bool(kept) and bool(filled.all())


@st.composite
def holed_symmetric_grids(draw):
    """A random grid made symmetric one way or none, then partly covered by a patch of colour 5."""
    a = draw(arrays(np.uint8, st.tuples(st.integers(1, 10), st.integers(1, 10)), elements=st.integers(0, 3)))
    way = draw(st.sampled_from(["none", "h", "v", "rot", "diag"]))
    if way == "h":
        a = np.maximum(a, a[:, ::-1])
    elif way == "v":
        a = np.maximum(a, a[::-1])
    elif way == "rot":
        a = np.maximum(a, a[::-1, ::-1])
    elif way == "diag" and a.shape[0] == a.shape[1]:
        a = np.maximum(a, a.T)
    h, w = a.shape
    y0, x0 = draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))
    y1, x1 = draw(st.integers(y0 + 1, h)), draw(st.integers(x0 + 1, w))
    a = a.copy()
    a[y0:y1, x0:x1] = 5
    return np.ascontiguousarray(a)


@settings(max_examples=300, deadline=None)
@given(holed_symmetric_grids(), st.sampled_from([5, 0]), st.sampled_from([0.5, 0.2]))
def test_symmetry_fill_matches_reference(a, hole, min_overlap):
    """The kernel scans only each symmetry's overlap, and skips one too small to agree on
    enough cells: the same fills as scanning every cell."""
    out, complete = K.symmetry_fill(a, hole, min_overlap)
    want, want_complete = reference_symmetry_fill(a, hole, min_overlap)
    assert complete == want_complete
    assert np.array_equal(out, want)


def reference_label_by(a: np.ndarray, prop: str) -> np.ndarray | None:
    """`label_by` as first written, numpy around the component kernels."""
    labels, n = K.label_components(a, 0, True, False)
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
    else:
        h, w = a.shape
        touch = (boxes[:, 0] == 0) | (boxes[:, 1] == 0) | (boxes[:, 2] == h) | (boxes[:, 3] == w)
        code = np.where(touch, 1, 2)
    return np.concatenate([[0], code]).astype(np.uint8)[labels + 1]


def reference_fill_holes_own(a: np.ndarray) -> np.ndarray:
    """`fill_holes_own` as first written: a Python walk up from each hole, in row-major order."""
    holes = (a == 0) & ~K.outside_mask(a, 0, False)
    out = a.copy()
    for y, x in zip(*np.nonzero(holes)):
        yy = y
        while yy >= 0 and out[yy, x] == 0:
            yy -= 1
        out[y, x] = out[yy, x] if yy >= 0 else 0
    return out


def reference_periodic(a: np.ndarray, rarest: bool) -> np.ndarray | None:
    """`periodic_fill[0]` and `periodic_fill[rarest]` as first written."""
    hole = 0
    if rarest:
        counts = K.colour_counts(a)
        present = [c for c in range(10) if counts[c] > 0]
        if len(present) < 2:
            return None
        hole = min(present, key=lambda c: (counts[c], c))
    if not (a == hole).any():
        return None
    out, found = K.periodic_fill(a, hole)
    return out if found else None


# Many small objects (sizes to rank), holes in frames, and tilings with a patch.
object_grids = arrays(
    np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.sampled_from([0, 0, 1, 2, 3])
)


@settings(max_examples=200, deadline=None)
@given(object_grids)
def test_label_by_fill_holes_own_and_periodic_fills_match_their_first_versions(a):
    """The three ops moved into kernels shared with their compiled twins."""
    for prop in K.LABEL_PROPS:
        assert same(LIBRARY[f"label_by[{prop}]"].fn(Img(a), a), reference_label_by(a, prop)), prop
    assert same(LIBRARY["fill_holes_own"].fn(Img(a), a), reference_fill_holes_own(a))
    tiled = np.tile(a[:2, :3], (4, 3))
    tiled[1:3, 2:4] = 4
    for grid in (a, np.ascontiguousarray(tiled)):
        assert same(LIBRARY["periodic_fill[0]"].fn(Img(grid), grid), reference_periodic(grid, False))
        assert same(LIBRARY["periodic_fill[rarest]"].fn(Img(grid), grid), reference_periodic(grid, True))
