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
