"""Answers reused from the demonstrations when the outputs repeat."""

import numpy as np

from solver.search.lookup import repeated_outputs

YES = np.array([[1]], np.uint8)
NO = np.array([[7]], np.uint8)


def _symmetric(seed):
    q = np.random.default_rng(seed).integers(0, 3, (3, 2)).astype(np.uint8)
    return np.concatenate([q, q[:, ::-1]], axis=1)


def _asymmetric(seed):
    a = _symmetric(seed)
    a[0, 0], a[0, 3] = 1, 2
    return a


def test_a_predicting_property_goes_first():
    train = [(_symmetric(0), YES), (_asymmetric(1), NO), (_symmetric(2), YES), (_asymmetric(3), NO)]
    answers = repeated_outputs(train, _asymmetric(4))
    assert [g.tolist() for g, _ in answers] == [[[7]], [[1]]]
    assert answers[0][1].startswith("output_by[")  # symmetry, or a simpler property that agrees here
    assert [g.tolist() for g, _ in repeated_outputs(train, _symmetric(5))] == [[[1]], [[7]]]


def test_without_a_property_the_commonest_output_goes_first():
    a, b, c = (np.full((2, 2), v, np.uint8) for v in (3, 4, 5))
    train = [(a, NO), (b, YES), (c, YES)]  # the inputs differ only in colour, unseen in the test
    answers = repeated_outputs(train, np.full((2, 2), 6, np.uint8))
    assert [g.tolist() for g, _ in answers] == [[[1]], [[7]]]
    assert answers[0][1] == "most_frequent_output"


def test_outputs_that_do_not_repeat_give_nothing():
    train = [(np.full((2, 2), v, np.uint8), np.full((1, 1), v, np.uint8)) for v in (1, 2, 3)]
    assert repeated_outputs(train, np.ones((2, 2), np.uint8)) == []
    many = [(np.full((1, 1), v, np.uint8), np.full((1, 1), v % 4, np.uint8)) for v in range(8)]
    assert repeated_outputs(many, np.ones((1, 1), np.uint8)) == []  # four distinct outputs: too many
