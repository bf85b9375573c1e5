"""Answers reused from the demonstrations when the outputs repeat."""

import numpy as np

from solver.search.lookup import repeated_outputs

YES = np.array([[1]], np.uint8)
NO = np.array([[7]], np.uint8)


def _g(rows):
    return np.array(rows, np.uint8)


def test_a_predicting_property_goes_first():
    # Output: 1 when the input is left-right symmetric, else 7.
    symmetric = [_g([[1, 2, 2, 1], [2, 1, 1, 2]]), _g([[1, 1, 1, 1], [2, 2, 2, 2]])]
    asymmetric = [_g([[1, 2, 1, 2], [2, 1, 2, 1]]), _g([[1, 1, 2, 2], [2, 2, 1, 1]])]
    train = [(symmetric[0], YES), (asymmetric[0], NO), (symmetric[1], YES), (asymmetric[1], NO)]
    answers = repeated_outputs(train, _g([[2, 2, 1, 1], [1, 1, 2, 2]]))
    assert [g.tolist() for g, _ in answers] == [[[7]], [[1]]]
    assert answers[0][1].startswith("output_by[")
    answers = repeated_outputs(train, _g([[2, 1, 1, 2], [1, 2, 2, 1]]))
    assert [g.tolist() for g, _ in answers] == [[[1]], [[7]]]


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
