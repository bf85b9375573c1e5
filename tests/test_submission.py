import json

from solver.arc.submission import Submission, fallback_attempts, validate_submission
from solver.arc.tasks import InvalidTask, parse_tasks

GOOD = {"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3, 4]]}, {"input": [[5]]}]}


def test_prefilled_submission_is_complete_and_valid(tmp_path):
    tasks = parse_tasks({"a": GOOD, "bad": {"train": 3, "test": [{"input": [[1]]}]}})
    assert isinstance(tasks[1], InvalidTask)
    sub = Submission(tasks)
    path = tmp_path / "submission.json"
    sub.write(path)
    document = json.loads(path.read_text())
    assert validate_submission(document, {"a": 2, "bad": 1}) == []
    assert document["a"][0]["attempt_1"] == [[3, 4]]  # the fallback copies the test input
    assert document["bad"] == [{"attempt_1": [[0]], "attempt_2": [[0]]}]


def test_fallback_has_one_entry_per_test_input():
    task = parse_tasks({"a": GOOD})[0]
    assert len(fallback_attempts(task)) == 2


def test_validator_finds_every_kind_of_fault():
    expected = {"a": 1, "b": 1}
    assert validate_submission([], expected)
    problems = validate_submission({"a": [{"attempt_1": [[1]]}], "c": []}, expected)
    text = "\n".join(problems)
    assert "task b: missing" in text and "task c: not in the tasks file" in text and "attempt_2" in text
    for bad_grid in ([], [[1], [1, 2]], [[10]], [[True]], [[1.5]], [[0] * 31], "x"):
        doc = {"a": [{"attempt_1": bad_grid, "attempt_2": [[0]]}], "b": [{"attempt_1": [[0]], "attempt_2": [[0]]}]}
        assert validate_submission(doc, expected), bad_grid
