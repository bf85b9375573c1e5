"""Outputs deduced as outer products of two searched images (solver/search/outer_products.py)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.search import SearchSettings, search_task
from solver.search.outer_products import (
    deduce_factors,
    outer_product_fits,
    product,
    split_shape_in_colours,
    split_tile_where,
)
from solver.search.timing import OutOfTime


def grids(max_side: int, colours: int):
    return st.tuples(st.integers(1, max_side), st.integers(1, max_side)).flatmap(
        lambda s: st.lists(st.integers(0, colours - 1), min_size=s[0] * s[1], max_size=s[0] * s[1]).map(
            lambda v: np.array(v, dtype=np.uint8).reshape(s)
        )
    )


@settings(max_examples=60, deadline=None)
@given(grids(5, 2), grids(5, 10))
def test_a_tile_where_a_mask_is_set_splits_back_into_its_factors(mask, tile):
    out = product("tile_where", mask, tile)
    assert out.shape == (mask.shape[0] * tile.shape[0], mask.shape[1] * tile.shape[1])
    factors = split_tile_where(out, *tile.shape)
    if not mask.any() or not tile.any():
        assert factors is None  # an empty output has no tile to read
        return
    assert factors is not None
    assert np.array_equal(product(factors.kind, factors.outer, factors.inner), out)
    assert np.array_equal(factors.outer, mask)
    assert np.array_equal(factors.inner, tile)


@settings(max_examples=60, deadline=None)
@given(grids(5, 10), grids(5, 2))
def test_a_shape_in_each_cells_colour_splits_back_into_its_factors(colours, shape):
    out = product("shape_in_colours", colours, shape)
    factors = split_shape_in_colours(out, *shape.shape)
    if not colours.any() or not shape.any():
        assert factors is None
        return
    assert factors is not None
    assert np.array_equal(product(factors.kind, factors.outer, factors.inner), out)
    assert np.array_equal(factors.outer, colours)


def test_blocks_that_differ_or_mix_colours_do_not_split():
    out = np.array([[1, 2, 0, 0], [0, 0, 2, 1]], dtype=np.uint8)  # blocks (1, 2): [1 2], [0 0], [0 0], [2 1]
    assert split_tile_where(out, 1, 2) is None
    assert split_shape_in_colours(out, 1, 2) is None  # a block with two colours


def test_only_splits_where_both_factors_have_more_than_one_cell_are_deduced():
    scaled = np.kron(np.array([[1, 2], [3, 4]], dtype=np.uint8), np.ones((2, 2), dtype=np.uint8))
    assert deduce_factors([scaled]) == []  # a plain scaling: the tile is one colour, the shape one block
    tiled = np.tile(np.array([[1, 2], [0, 3]], dtype=np.uint8), (2, 2))
    assert deduce_factors([tiled]) == []  # a plain tiling: the mask is one cell per block, all set
    mask = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    tile = np.array([[5, 0], [5, 6]], dtype=np.uint8)
    ways = deduce_factors([product("tile_where", mask, tile)])
    assert any(w[0].kind == "tile_where" and np.array_equal(w[0].outer, mask) for w in ways)


def _kron_task(rng, make_output, n_train=3):
    """Random 3x3 inputs in colours 1 and 2 (and background), outputs made by `make_output`."""
    train = []
    for _ in range(n_train):
        x = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(3, 3))
        x[0, 0], x[1, 1] = 1, 2  # both colours on every grid
        train.append((x, make_output(x)))
    test = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(3, 3))
    test[2, 2], test[0, 1] = 1, 2
    return train, test


@pytest.mark.parametrize(
    "make_output, kind",
    [
        (lambda x: product("tile_where", (x == 2).astype(np.uint8), x), "tile_where"),  # the input where it is 2
        (lambda x: product("shape_in_colours", x, x), "shape_in_colours"),  # the input's shape in each colour
    ],
)
def test_the_search_answers_an_outer_product_of_two_searched_images(make_output, kind):
    train, test = _kron_task(np.random.default_rng(1), make_output)
    result = search_task(train, [test], SearchSettings(time_limit_s=30.0, max_depth=2))
    best = result.per_test[0][0]
    assert np.array_equal(best.grid, make_output(test))
    assert best.verified
    assert best.program.startswith(kind)


def test_the_deadline_stops_the_lookup():
    mask = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    out = product("tile_where", mask, mask * 3)

    def out_of_time():
        raise OutOfTime

    with pytest.raises(OutOfTime):
        list(outer_product_fits([], [out], out_of_time))
