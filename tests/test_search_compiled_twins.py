"""Every compiled op (solver/search/compiled/apply.py) against its reference, the library op
of the same name, on random grids: same cells, shape and position, or both fail."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solver.search.compiled.apply import apply_op, result_position
from solver.search.compiled.batch_only import FIRST_CODE
from solver.search.compiled.opcodes import LEVEL_TWINS, TWINS, compiled_ops
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


def test_the_compiled_levels_leave_the_batch_only_ops_out():
    """The ops only the Python levels batch would widen the search if the compiled levels ran them."""
    library = list(LIBRARY.values())
    levels = compiled_ops(library, levels=True)
    assert {library[int(i)].name for i in levels.library_index} == set(LEVEL_TWINS)
    assert all(code < FIRST_CODE for code, _ in levels.table.tolist())
    batch_only = set(TWINS) - set(LEVEL_TWINS)
    assert len(batch_only) == 68 and all(TWINS[name][0] >= FIRST_CODE for name in batch_only)


_ROT = np.array([[1, 0, 0, 2], [0, 0, 3, 0], [0, 0, 0, 0], [4, 0, 0, 0]], dtype=np.uint8)


@pytest.mark.parametrize(
    "name, grid",
    [
        ("symmetrize[rot]", _ROT),  # squares, which random grids seldom are
        ("symmetrize[rot]", _ROT[:3, :3].copy()),
        ("tile_unit", np.tile(np.array([[1, 2, 0], [3, 0, 0]], dtype=np.uint8), (3, 2))[:5, :5].copy()),
        ("block_reduce[2]", np.array([[1, 2, 0, 0], [2, 1, 0, 3]], dtype=np.uint8)),  # a tie: the lower colour
        ("block_reduce[3]", np.tile(np.array([[5, 0, 6]], dtype=np.uint8), (6, 2))),
    ],
)
def test_compiled_op_equals_its_reference_where_it_applies(name, grid):
    want, got = reference(name, grid, 2, 3), compiled(name, grid)
    assert want is not None and got is not None
    np.testing.assert_array_equal(got, want.a)
    code, param = TWINS[name]
    assert result_position(code, param, grid.ravel().copy(), grid.shape[0], grid.shape[1], 2, 3) == (want.y, want.x)
