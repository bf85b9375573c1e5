"""Colour maps and local rules fitted to demonstrations."""

import numpy as np

from solver.search.cell_features import FAMILIES, cell_features
from solver.search.fitters import (
    LOCAL_FEATURE_SETS,
    MAX_RULE_FEATURES,
    fit_cell_rule,
    fit_colour_map,
    fit_pair_map,
    rich_feature_sets,
)


def test_colour_map_fits_and_rejects():
    a = np.array([[1, 2], [2, 0]], dtype=np.uint8)
    m = fit_colour_map([a], [np.array([[3, 4], [4, 0]], dtype=np.uint8)])
    assert m[1] == 3 and m[2] == 4 and m[0] == 0 and m[7] == 7  # unseen colours stay
    assert fit_colour_map([a], [np.array([[3, 4], [5, 0]], dtype=np.uint8)]) is None  # 2 -> 4 and 5
    assert fit_colour_map([a], [np.zeros((3, 3), np.uint8)]) is None  # shape differs


def test_local_rule_learns_and_refuses_unseen_neighbourhoods():
    # Rule: a cell becomes 2 when it is 0 and has a non-zero 4-neighbour.
    def rule(g):
        p = np.pad(g, 1)
        near = (p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]) != 0
        return np.where((g == 0) & near, 2, g).astype(np.uint8)

    rng = np.random.default_rng(0)
    ins = [(rng.random((10, 10)) < 0.2).astype(np.uint8) for _ in range(12)]
    outs = [rule(g) for g in ins]
    test = np.concatenate([ins[0], ins[1]])  # every cross neighbourhood of it occurs in the demonstrations
    counts = LOCAL_FEATURE_SETS[:1]
    assert fit_cell_rule(ins, outs, [test], counts) is None  # diagonals count there: inconsistent
    got = fit_cell_rule(ins, outs, [test], LOCAL_FEATURE_SETS)
    assert got is not None and got.features == ("neighbours4",) and np.array_equal(got.test_grids[0], rule(test))
    # A test colour never seen in the demonstrations: no guess.
    assert fit_cell_rule(ins, outs, [np.full((3, 3), 7, np.uint8)], LOCAL_FEATURE_SETS) is None
    # Contradictory demonstrations: no rule.
    assert fit_cell_rule([ins[0], ins[0]], [outs[0], np.zeros_like(outs[0])], [test], LOCAL_FEATURE_SETS) is None


def _grid(rows: str) -> np.ndarray:
    """A grid from rows of digits separated by spaces, '.' for 0."""
    return np.array([[0 if c == "." else int(c) for c in row] for row in rows.split()], dtype=np.uint8)


def test_features_on_a_small_grid():
    g = _grid("""
        .1..
        .1.3
        ....
        22..
    """)
    f = cell_features(g, FAMILIES)
    assert set(f) == set(FAMILIES)
    assert f["size4"][0, 1] == 2 and f["size4"][3, 0] == 2 and f["size4"][2, 2] == 11  # all the 0s join
    assert f["border4"][1, 3] == 1 and f["object_size"][0, 1] == 2 and f["object_size"][2, 2] == 0
    assert f["sees_down"][0, 0] == 2 and f["sees_down"][3, 0] == 10  # looking down from the top-left; off grid
    assert f["sees_right"][1, 0] == 1 and f["sees_left"][1, 3] == 1
    assert f["next_up"][0, 0] == 10 and f["next_right"][0, 0] == 1
    assert f["row_colours"][1, 0] == (1 << 0) | (1 << 2)  # colours 1 and 3
    assert f["col_mod2"][0, 3] == 1 and f["row_mod3"][3, 0] == 0
    assert f["colours4"][0, 0] == 1 << 0 and f["colours8"][2, 2] == 0b111  # touches 1; 1, 2 and 3
    assert f["image_colours"][0, 0] == 3
    assert (
        f["object_rank_large"][0, 1] == 0 and f["object_rank_small"][1, 3] == 0 and f["object_rank_small"][0, 0] == 10
    )
    assert f["col_mod2_from_right"][0, 3] == 0 and f["row_mod2_from_bottom"][2, 0] == 1
    assert f["diagonal"][2, 2] and f["anti_diagonal"][0, 3] and not f["diagonal"][0, 1]
    ring = _grid("""
        111
        1.1
        111
    """)
    assert cell_features(ring, ("enclosed",))["enclosed"].tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    # A closed shape (its diagonal corner still walls in), an open one, and one walling in another colour.
    shapes = _grid("""
        .2.....
        2.2.33.
        .2..3..
        .......
        444....
        4.4.55.
        444.5..
    """)
    walls = cell_features(shapes, ("encloses8",))["encloses8"]
    assert walls[1, 0] == 1 and walls[0, 1] == 1  # the 2s' diamond walls in (1, 1)
    assert walls[1, 4] == 0 and walls[5, 4] == 0  # the 3s and 5s are open
    assert walls[4, 0] == 1 and walls[5, 1] == 0  # the 4s' ring; its hole is background, not the object


def test_rich_rule_recolours_objects_by_size():
    # Objects of 3 cells become 2, of 1 cell become 4; 0 stays.
    ins = [
        _grid(". 5 . . 5 . . . 5 5 5 . ."),
        _grid("5 5 5 . 5 . 5 . . . . . 5"),
        _grid(". . 5 5 5 . . 5 . . . . ."),
    ]
    ins = [g.reshape(1, -1) for g in ins]

    def rule(g):
        size = cell_features(g, ("size8",))["size8"]
        return np.where(g == 5, np.where(size == 3, 2, 4), 0).astype(np.uint8)

    outs = [rule(g) for g in ins]
    test = _grid("5 . 5 5 5 . . 5").reshape(1, -1)
    got = fit_cell_rule(ins, outs, [test], rich_feature_sets())
    assert got is not None and np.array_equal(got.test_grids[0], rule(test))
    assert len(got.features) == 1  # one family suffices, so no richer rule is taken
    # An object size the demonstrations never showed: no guess.
    assert fit_cell_rule(ins, outs, [_grid("5 5 . 5").reshape(1, -1)], (("size8",),)) is None


def test_rich_rule_draws_lines_from_what_a_cell_sees():
    # Every 0 cell that sees a 3 above it and a 3 below it becomes 8 (a vertical line joins them).
    def rule(g):
        f = cell_features(g, ("sees_up", "sees_down"))
        return np.where((g == 0) & (f["sees_up"] == 3) & (f["sees_down"] == 3), 8, g).astype(np.uint8)

    rng = np.random.default_rng(1)
    ins = []
    for _ in range(4):
        g = np.zeros((6, 6), np.uint8)
        g[rng.integers(0, 6, 4), rng.integers(0, 6, 4)] = 3
        ins.append(g)
    outs = [rule(g) for g in ins]
    test = np.zeros((5, 4), np.uint8)
    test[0, 1] = test[4, 1] = test[2, 3] = 3
    got = fit_cell_rule(ins, outs, [test], rich_feature_sets())
    assert got is not None and got.features == ("sees_up", "sees_down")
    assert np.array_equal(got.test_grids[0], rule(test))
    assert fit_cell_rule(ins, outs, [test], rich_feature_sets(max_features=1)) is None  # one family is not enough


def test_rich_feature_sets_fewest_first():
    sets = rich_feature_sets()
    assert sets[: len(FAMILIES)] == tuple((n,) for n in FAMILIES)
    assert len(sets) == len(FAMILIES) * (len(FAMILIES) + 1) // 2 and max(map(len, sets)) == MAX_RULE_FEATURES


def test_rank_colour_map_uses_each_inputs_colours():
    from solver.search.fitters import fit_rank_colour_map

    # Output: the mask painted with the input's most frequent non-zero colour.
    ins = [np.array([[3, 3, 0], [0, 1, 0]], np.uint8), np.array([[0, 4, 4], [4, 2, 0]], np.uint8)]
    masks = [(g != 0).astype(np.uint8) for g in ins]
    outs = [np.where(masks[0] != 0, 3, 0).astype(np.uint8), np.where(masks[1] != 0, 4, 0).astype(np.uint8)]
    test_in = np.array([[6, 0], [6, 5]], np.uint8)
    got = fit_rank_colour_map(masks, outs, ins, [(test_in != 0).astype(np.uint8)], [test_in])
    assert got is not None and got[0].tolist() == [[6, 0], [6, 6]]
    assert fit_colour_map(masks, outs) is None  # no single map does it


def test_pair_map_paints_the_result_where_the_input_is_blank():
    # The output is the input, with the result's 4s painted where the input is 0 (an overlay).
    g = lambda rows: np.array(rows, dtype=np.uint8)  # noqa: E731
    inputs = [g([[1, 0, 0], [0, 2, 0]]), g([[0, 1], [2, 0]])]
    results = [g([[4, 4, 0], [0, 4, 0]]), g([[4, 0], [4, 4]])]
    targets = [g([[1, 4, 0], [0, 2, 0]]), g([[4, 1], [2, 4]])]
    fitted = fit_pair_map(results, inputs, targets, [g([[4, 4, 4]])], [g([[0, 2, 1]])])
    assert fitted is not None
    answers, table = fitted
    assert answers[0].tolist() == [[4, 2, 1]]
    assert table[10 * 0 + 4] == 4 and table[10 * 1 + 4] == 1
    # a pair the demonstrations never showed: no guess
    assert fit_pair_map(results, inputs, targets, [g([[4, 0, 3]])], [g([[0, 2, 0]])]) is None
    # one pair to two colours
    assert fit_pair_map(results, inputs, [targets[0], g([[4, 1], [2, 0]])], [], []) is None
    # another shape than the output's
    assert fit_pair_map([g([[4]]), results[1]], inputs, targets, [], []) is None


def test_pair_map_that_reads_the_input_alone_is_left_to_the_colour_map():
    g = lambda rows: np.array(rows, dtype=np.uint8)  # noqa: E731
    inputs = [g([[1, 0], [2, 2]])]
    results = [g([[3, 3], [0, 5]])]
    targets = [g([[7, 0], [8, 8]])]  # 1 -> 7, 2 -> 8 whatever the result says
    assert fit_pair_map(results, inputs, targets, [], []) is None
