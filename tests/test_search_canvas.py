"""Output-size prediction and pattern extension for the search's output canvas."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.search.canvas import extend_periodic, predict_output_sizes


def _pairs(shapes):
    return [(np.zeros(i, np.uint8), np.zeros(o, np.uint8)) for i, o in shapes]


def test_sizes_follow_the_simplest_rule():
    tests = [np.zeros((4, 7), np.uint8)]
    assert predict_output_sizes(_pairs([((3, 3), (3, 3)), ((5, 2), (5, 2))]), tests) == [(4, 7)]  # same shape
    assert predict_output_sizes(_pairs([((3, 3), (1, 1)), ((5, 2), (1, 1))]), tests) == [(1, 1)]  # fixed
    assert predict_output_sizes(_pairs([((3, 3), (6, 9)), ((5, 2), (10, 6))]), tests) == [(8, 21)]  # 2h, 3w
    assert predict_output_sizes(_pairs([((3, 3), (3, 4)), ((5, 2), (2, 6))]), tests) == [(7, 5)]  # (w, h+1)
    # Square demonstration inputs: the width still follows the width.
    assert predict_output_sizes(_pairs([((3, 3), (6, 6)), ((2, 2), (4, 4))]), [np.zeros((2, 4), np.uint8)]) == [(4, 8)]
    assert predict_output_sizes(_pairs([((4, 6), (2, 3)), ((8, 2), (4, 1))]), tests) is None  # 7 / 2: no size
    assert predict_output_sizes(_pairs([((3, 3), (2, 9)), ((3, 3), (7, 1))]), tests) is None  # contradictory


def test_extend_periodic_continues_the_pattern():
    row = np.array([[2, 3, 3, 2, 3, 3, 2]], np.uint8)
    assert extend_periodic(row, (2, 10)).tolist() == [[2, 3, 3] * 3 + [2]] * 2
    block = np.array([[1, 2], [3, 4]], np.uint8)
    assert np.array_equal(extend_periodic(block, (3, 3)), np.array([[1, 2, 1], [3, 4, 3], [1, 2, 1]]))


def test_extend_periodic_in_place_repeats_the_whole_image_from_where_it_lies():
    band = np.array([[2, 0], [2, 2], [2, 0]], np.uint8)  # rows 0 and 2 agree, but the band repeats whole
    grown = extend_periodic(band, (5, 3), at=(1, 1))
    assert grown.tolist() == [[0, 2, 0], [0, 2, 0], [2, 2, 2], [0, 2, 0], [0, 2, 0]]
    assert np.array_equal(grown[1:4, 1:3], band)  # the image itself sits at its place
    assert extend_periodic(band, (5, 3)).tolist()[3] == [2, 2, 2]  # no place: the smallest period (2 rows)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 1000))
@settings(max_examples=40, deadline=None)
def test_extend_periodic_is_consistent_with_its_unit(py, px, seed):
    unit = np.random.default_rng(seed).integers(0, 10, (py, px)).astype(np.uint8)
    big = np.tile(unit, (5, 5))
    grown = extend_periodic(big[: py * 2 + 1, : px * 2 + 1], big.shape)
    assert np.array_equal(grown, big)  # a piece holding two periods and a bit continues exactly


def test_a_step_lays_the_image_on_the_output_canvas():
    from solver.search.canvas import fit_size_rule
    from solver.search.image import Img
    from solver.search.ops import build_library

    rule = fit_size_rule(_pairs([((3, 3), (6, 6)), ((2, 4), (4, 8))]))
    assert rule is not None and rule((5, 1)) == (10, 2)
    lib = {t.name: t for t in build_library([0, 1], size_rule=rule)}
    g = np.array([[1, 0], [0, 1]], np.uint8)
    out = lib["on_output_canvas"].fn(Img(g), g).a
    assert out.shape == (4, 4) and np.array_equal(out[:2, :2], g) and not out[2:].any() and not out[:, 2:].any()
    assert "on_output_canvas" not in {t.name for t in build_library([0, 1])}  # no rule, no step
