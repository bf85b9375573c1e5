import json

import numpy as np
import pytest

from solver.arc.tasks import DATASETS, InvalidTask, Task, TaskError, load_source, parse_grid, parse_tasks, select_tasks

GOOD = {"train": [{"input": [[1, 2]], "output": [[2, 1]]}], "test": [{"input": [[3, 4]]}]}


def test_datasets_resolve_offline_with_solutions():
    sizes = {"arc1/train": 400, "arc1/eval": 400, "arc2/train": 1000, "arc2/eval": 120}
    for name in DATASETS:
        source = load_source(name)
        assert len(source.tasks) == sizes[name]
        assert all(isinstance(t, Task) for t in source.tasks)
        assert set(source.solutions) == {t.id for t in source.tasks}
        # Test outputs are hidden from the task itself.
        assert all(p.output is None for t in source.tasks for p in t.test)


def test_challenges_file_and_solutions(tmp_path):
    tasks_file = tmp_path / "c.json"
    tasks_file.write_text(json.dumps({"t1": GOOD}))
    sol = tmp_path / "s.json"
    sol.write_text(json.dumps({"t1": [[[4, 3]]]}))
    source = load_source(str(tasks_file), str(sol))
    assert source.tasks[0].id == "t1" and source.solutions == {"t1": [[[4, 3]]]}
    assert source.tasks[0].train[0].output.tolist() == [[2, 1]]


@pytest.mark.parametrize(
    "grid,fault",
    [
        ([], "non-empty"),
        ([[1, 2], [3]], "ragged"),
        ([[1, 10]], "not an int 0..9"),
        ([[-1]], "not an int"),
        ([[1.0]], "not an int"),
        ([[True]], "not an int"),
        ([["1"]], "not an int"),
        ([[0] * 31], "31 columns"),
        ([[0]] * 31, "31 rows"),
        ("12", "non-empty list"),
        ([[]], "non-empty"),
        (None, "non-empty"),
    ],
)
def test_grid_validation(grid, fault):
    with pytest.raises(TaskError, match=fault):
        parse_grid(grid, "here")


def test_valid_grid():
    assert parse_grid([[0, 9], [5, 5]], "x").dtype == np.uint8


@pytest.mark.parametrize(
    "raw,fault",
    [
        ({"test": GOOD["test"]}, "missing 'train'"),
        ({"train": GOOD["train"]}, "missing 'test'"),
        ({"train": [], "test": GOOD["test"]}, "non-empty"),
        ({"train": GOOD["train"], "test": []}, "non-empty"),
        ({"train": [{"input": [[1]]}], "test": GOOD["test"]}, "missing 'output'"),
        ([1, 2], "must be an object"),
    ],
)
def test_bad_task_becomes_invalid_and_others_survive(raw, fault):
    tasks = parse_tasks({"bad": raw, "good": GOOD})
    assert isinstance(tasks[0], InvalidTask) and fault in tasks[0].reason
    assert "bad" not in tasks[0].reason  # the reason names the fault; the log line names the task, once
    assert isinstance(tasks[1], Task)


def test_invalid_task_keeps_its_test_count():
    tasks = parse_tasks({"bad": {"train": [], "test": [{"input": [[1]]}, {"input": [[2]]}]}})
    assert tasks[0].n_test == 2


@pytest.mark.parametrize(
    "content,fault",
    [
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "JSON object"),
        (b"{}", "no tasks"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, content, fault):
    path = tmp_path / "t.json"
    path.write_bytes(content)
    with pytest.raises(TaskError, match=fault) as info:
        load_source(str(path))
    assert "\n" not in str(info.value)


def test_missing_file_and_unknown_dataset(tmp_path):
    with pytest.raises(TaskError, match="no such file"):
        load_source(str(tmp_path / "nope.json"))
    with pytest.raises(TaskError, match="unknown dataset"):
        load_source("arc1/evaluation")
    for name in ("arc3/eval", "nope.json"):  # either way, the accepted dataset names are listed
        with pytest.raises(TaskError, match="arc1/train, arc1/eval, arc2/train, arc2/eval"):
            load_source(name)


def test_select_by_ids_and_limit():
    tasks = parse_tasks({"a": GOOD, "b": GOOD, "c": GOOD})
    assert [t.id for t in select_tasks(tasks, ["c", "a"], None)] == ["c", "a"]
    assert [t.id for t in select_tasks(tasks, None, 2)] == ["a", "b"]
    with pytest.raises(TaskError, match="not in the tasks file"):
        select_tasks(tasks, ["zz"], None)
