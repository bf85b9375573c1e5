import numpy as np

from solver.arc.voting import Candidate, grid_key, rank, top_attempts

A = np.array([[1, 2]], dtype=np.uint8)
B = np.array([[1], [2]], dtype=np.uint8)  # same cells as A, other shape
C = np.array([[3]], dtype=np.uint8)


def test_majority_wins():
    ranked = rank([Candidate(A, 0.1), Candidate(B, 0.9), Candidate(A, 0.1)])
    assert ranked[0].votes == 2 and np.array_equal(ranked[0].grid, A)
    assert ranked[1].votes == 1 and np.array_equal(ranked[1].grid, B)


def test_shape_is_part_of_the_key():
    assert grid_key(A) != grid_key(B)


def test_ties_break_by_mean_confidence_then_deterministically():
    ranked = rank([Candidate(A, 0.2), Candidate(B, 0.8)])
    assert np.array_equal(ranked[0].grid, B)
    same = rank([Candidate(C, 0.5), Candidate(A, 0.5)])
    reverse = rank([Candidate(A, 0.5), Candidate(C, 0.5)])
    assert [grid_key(r.grid) for r in same] == [grid_key(r.grid) for r in reverse]


def test_single_candidate_fills_both_attempts():
    attempts = top_attempts(rank([Candidate(A, 0.3)]), fallback=C)
    assert len(attempts) == 2 and all(np.array_equal(a, A) for a in attempts)


def test_no_candidate_uses_the_fallback():
    attempts = top_attempts(rank([]), fallback=C)
    assert [a.tolist() for a in attempts] == [[[3]], [[3]]]


def test_two_best_are_returned():
    candidates = [Candidate(C, 0.1)] * 3 + [Candidate(A, 0.1)] * 2 + [Candidate(B, 0.9)]
    attempts = top_attempts(rank(candidates), fallback=A)
    assert [a.tolist() for a in attempts] == [C.tolist(), A.tolist()]
