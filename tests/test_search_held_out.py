"""Leave-one-out checks on fitted final steps (solver/search/held_out.py)."""

import numpy as np

from solver.search.fitters import fit_cell_rule, fit_colour_map, fit_pair_map
from solver.search.held_out import cell_rule_holds_out, colour_map_holds_out, pair_map_holds_out


def g(rows):
    return np.array(rows, dtype=np.uint8)


def test_colour_map_learned_in_every_demonstration_holds_out():
    results = [g([[1, 0], [2, 0]]), g([[2, 1], [0, 0]])]
    targets = [g([[3, 0], [4, 0]]), g([[4, 3], [0, 0]])]
    cmap = fit_colour_map(results, targets)
    assert cmap is not None and colour_map_holds_out(results, cmap)


def test_colour_map_that_needs_one_demonstration_alone_does_not():
    # colour 2 -> 5 is only ever seen in the second demonstration
    results = [g([[1, 0]]), g([[1, 2]])]
    targets = [g([[3, 0]]), g([[3, 5]])]
    cmap = fit_colour_map(results, targets)
    assert cmap is not None and not colour_map_holds_out(results, cmap)
    # ... unless the map leaves that colour as it is (the default without it)
    same = [g([[3, 0]]), g([[3, 2]])]
    assert colour_map_holds_out(results, fit_colour_map(results, same))


def test_one_demonstration_has_nothing_to_hold_out():
    r = [g([[1, 2]])]
    assert colour_map_holds_out(r, fit_colour_map(r, [g([[5, 6]])]))
    assert cell_rule_holds_out(r, [g([[5, 6]])], ("neighbours4",))


def test_cell_rule_seen_in_every_demonstration_holds_out():
    # "a zero cell touching a 1 becomes 2": every demonstration shows every (colour, touching colours) key
    results = [g([[0, 1, 0, 0]]), g([[0, 0, 1, 0], [0, 0, 0, 0]]), g([[1, 0, 0]])]
    targets = []
    for r in results:
        t = r.copy()
        p = np.pad(r, 1)
        near = (p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]) != 0
        t[(r == 0) & near] = 2
        targets.append(t)
    rule = fit_cell_rule(results, targets, [results[0]], (("colours4",),))
    assert rule is not None
    assert cell_rule_holds_out(results, targets, rule.features)


def test_cell_rule_that_memorises_one_demonstration_does_not():
    results = [g([[0, 1, 0]]), g([[0, 1, 0]]), g([[3, 0, 3]])]
    targets = [g([[2, 1, 2]]), g([[2, 1, 2]]), g([[7, 0, 7]])]  # the 3s' table entries: one demonstration only
    rule = fit_cell_rule(results, targets, [results[0]], (("colours4",),))
    assert rule is not None
    assert not cell_rule_holds_out(results, targets, rule.features)


def test_pair_map_holds_out_only_when_each_change_is_seen_twice():
    results = [g([[5, 5, 0, 5]]), g([[5, 5, 0, 5]])]
    inputs = [g([[0, 1, 0, 1]]), g([[1, 0, 0, 0]])]
    targets = [g([[5, 1, 0, 1]]), g([[1, 5, 0, 5]])]  # the result shows where the input is 0: in both
    _, table = fit_pair_map(results, inputs, targets, [], [])
    assert pair_map_holds_out(results, inputs, table)
    # (2, 5) -> 2 only in the second demonstration, but it keeps the input's colour: the default
    kept = [inputs[0], g([[1, 0, 0, 2]])]
    _, table = fit_pair_map(results, kept, [targets[0], g([[1, 5, 0, 2]])], [], [])
    assert pair_map_holds_out(results, kept, table)
    # (2, 5) -> 3 changes it, and only the second demonstration shows it
    _, table = fit_pair_map(results, kept, [targets[0], g([[1, 5, 0, 3]])], [], [])
    assert not pair_map_holds_out(results, kept, table)
