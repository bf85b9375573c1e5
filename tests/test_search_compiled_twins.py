"""Every compiled op (solver/search/compiled/apply.py) against its reference, the library op
of the same name, on random grids: same cells, shape and position, or both fail."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solver.search.compiled.apply import apply_op, result_position
from solver.search.compiled.opcodes import TWINS, compiled_ops
from solver.search.image import Img
from solver.search.ops import build_library

LIBRARY = {t.name: t for t in build_library(list(range(10)))}
# Sparse, dense and few-colour grids up to 12 a side (every tiling overflows 30 somewhere in
# that range), and grids up to ARC's 30 a side in all ten colours.
few_colours = st.integers(0, 9).flatmap(
    lambda top: arrays(
        np.uint8,
        st.tuples(st.integers(1, 12), st.integers(1, 12)),
        elements=st.sampled_from([0, 0, 0, top, 1, 2]),
    )
)
any_colours = arrays(np.uint8, st.tuples(st.integers(1, 30), st.integers(1, 30)), elements=st.integers(0, 9))
grids = st.one_of(few_colours, any_colours)


def compiled(name: str, a: np.ndarray) -> np.ndarray | None:
    code, param = TWINS[name]
    dst = np.full(900, 77, dtype=np.uint8)
    h, w = apply_op(code, param, a.ravel().copy(), a.shape[0], a.shape[1], dst)
    if h == 0:
        return None
    return dst[: h * w].reshape(h, w)


def reference(name: str, a: np.ndarray, y: int = 0, x: int = 0) -> Img | None:
    return LIBRARY[name].fn(Img(a.copy(), y, x), a)


def test_every_twin_names_a_library_op():
    assert set(TWINS) <= set(LIBRARY)
    ops = compiled_ops(list(LIBRARY.values()))
    assert len(ops) == len(TWINS)
    assert list(ops.library_index) == sorted(ops.library_index)  # library order


@pytest.mark.parametrize("name", sorted(TWINS))
@settings(max_examples=60, deadline=None)
@given(a=grids, y=st.integers(0, 20), x=st.integers(0, 20))
def test_compiled_op_equals_its_reference(name, a, y, x):
    want, got = reference(name, a, y, x), compiled(name, a)
    if want is None:
        assert got is None
    else:
        assert got is not None and got.shape == want.a.shape
        np.testing.assert_array_equal(got, want.a)
        code, param = TWINS[name]
        assert result_position(code, param, a.ravel().copy(), a.shape[0], a.shape[1], y, x) == (want.y, want.x)


@pytest.mark.parametrize("name", ["rot90", "crop", "scale_up[3]", "gravity[left]", "fill_enclosed[4]"])
def test_compiled_op_leaves_its_input_alone(name):
    a = np.random.default_rng(3).integers(0, 5, size=(7, 9)).astype(np.uint8)
    flat = a.ravel().copy()
    compiled(name, a)
    code, param = TWINS[name]
    apply_op(code, param, flat, 7, 9, np.zeros(900, dtype=np.uint8))
    np.testing.assert_array_equal(flat, a.ravel())
