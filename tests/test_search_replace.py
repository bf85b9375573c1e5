"""Object replacement: each object of the input becomes a patch learned from the demonstrations."""

import numpy as np

from solver.search.replace import fit_object_replacement

RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8)
PLUS = np.array([[0, 2, 0], [2, 2, 2], [0, 2, 0]], np.uint8)


def _scene(places, size=10, shape=RING):
    g = np.zeros((size, size), np.uint8)
    for y, x in places:
        g[y : y + 3, x : x + 3] = shape
    return g


def test_rings_become_pluses_and_other_objects_stay():
    inputs = [_scene([(0, 0), (5, 5)]), _scene([(2, 6)])]
    targets = [_scene([(0, 0), (5, 5)], shape=PLUS), _scene([(2, 6)], shape=PLUS)]
    inputs[1][9, 0] = targets[1][9, 0] = 3  # a dot that stays a dot
    test = _scene([(6, 1), (1, 6)])
    test[0, 0] = 3
    grids, variant = fit_object_replacement(inputs, targets, [test])
    expected = _scene([(6, 1), (1, 6)], shape=PLUS)
    expected[0, 0] = 3
    assert np.array_equal(grids[0], expected) and variant == "one_colour,margin=0"


def test_a_margin_lets_a_patch_reach_past_the_object():
    inputs = [_scene([])]
    inputs[0][4, 4] = 5
    target = inputs[0].copy()
    target[3:6, 3:6] = 4
    target[4, 4] = 5  # each 5 gets a frame of 4
    test = np.zeros((6, 6), np.uint8)
    test[2, 3] = 5
    grids, variant = fit_object_replacement(inputs, [target], [test])
    assert variant == "one_colour,margin=1" and grids[0][1:4, 2:5].tolist() == [[4, 4, 4], [4, 5, 4], [4, 4, 4]]


def test_nothing_is_guessed():
    inputs = [_scene([(0, 0)])]
    targets = [_scene([(0, 0)], shape=PLUS)]
    unseen = _scene([(4, 4)], shape=PLUS)  # a plus never appeared in a demonstration's input
    assert fit_object_replacement(inputs, targets, [unseen]) is None
    # The same object becoming two different patches: no table.
    inputs2 = [_scene([(0, 0)]), _scene([(0, 0)])]
    assert fit_object_replacement(inputs2, [_scene([(0, 0)], shape=PLUS), _scene([(0, 0)])], [inputs2[0]]) is None
    # Nothing changes: not a replacement.
    assert fit_object_replacement(inputs, inputs, [inputs[0]]) is None


def test_patches_cut_by_the_edge_are_merged_across_demonstrations():
    def framed(places, size=6):
        g, t = np.zeros((size, size), np.uint8), np.zeros((size, size), np.uint8)
        for y, x in places:
            g[y, x] = 5
        for y, x in places:
            t[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = 4
        for y, x in places:
            t[y, x] = 5
        return g, t

    (a, ta), (b, tb) = framed([(0, 0), (5, 5)]), framed([(0, 5), (5, 0)])  # corners: parts of the frame
    test, expected = framed([(3, 2)])
    grids, variant = fit_object_replacement([a, b], [ta, tb], [test])
    assert variant == "one_colour,margin=1" and np.array_equal(grids[0], expected)
    # Only the top-left corner was ever seen: the frame's other cells are unknown, no answer.
    assert fit_object_replacement([a], [ta], [test]) is None
