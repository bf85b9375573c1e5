from solver.arc.scoring import score_submission

TRUTH = {"a": [[[1]], [[2, 2]]], "b": [[[3]]]}


def test_kaggle_rule_counts_test_outputs():
    submission = {
        "a": [{"attempt_1": [[0]], "attempt_2": [[1]]}, {"attempt_1": [[2], [2]], "attempt_2": [[0]]}],
        "b": [{"attempt_1": [[3]], "attempt_2": [[3]]}],
    }
    score = score_submission(submission, TRUTH)
    assert (score.correct, score.total) == (2, 3)
    assert abs(score.kaggle - 2 / 3) < 1e-12
    assert abs(score.per_task_average - (0.5 + 1.0) / 2) < 1e-12
    assert score.summary_line() == "score: 0.6667 (2/3 test outputs)"


def test_missing_predictions_count_as_wrong_not_skipped():
    score = score_submission({"a": [{"attempt_1": [[1]], "attempt_2": [[1]]}]}, TRUTH)
    assert (score.correct, score.total) == (1, 3)
    assert score.per_task["b"] == [False]


def test_shape_must_match_exactly():
    score = score_submission({"b": [{"attempt_1": [[3, 3]], "attempt_2": [[3], [3]]}]}, {"b": [[[3]]]})
    assert score.correct == 0


def test_malformed_entries_score_zero():
    score = score_submission({"b": ["junk"]}, {"b": [[[3]]]})
    assert score.correct == 0 and score.total == 1


def test_a_task_without_test_outputs_does_not_break_the_average():
    score = score_submission({}, {"a": [], "b": [[[3]]]})
    assert (score.correct, score.total, score.per_task_average) == (0, 1, 0.0)
