"""Colour maps and local rules fitted to demonstrations."""

import numpy as np

from solver.search.fitters import LOCAL_RULES, fit_colour_map, fit_local_rule


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
    assert fit_local_rule(ins, outs, [test], "counts") is None  # diagonals count there: inconsistent
    got = fit_local_rule(ins, outs, [test], "cross")
    assert got is not None and np.array_equal(got[0], rule(test))
    assert LOCAL_RULES[0] == "counts"  # simplest first
    # A test colour never seen in the demonstrations: no guess.
    assert fit_local_rule(ins, outs, [np.full((3, 3), 7, np.uint8)], "cross") is None
    # Contradictory demonstrations: no rule.
    assert fit_local_rule([ins[0], ins[0]], [outs[0], np.zeros_like(outs[0])], [test], "3x3") is None


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
