"""Ops moved into numba kernels against their plain numpy reference (the code they replaced),
on random grids: the compiled op must give the same image, or fail alike."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solver.search import kernels as K
from solver.search.image import Img
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
