"""Hostile inputs: property-based documents thrown at the task loader and the submission validator.

Every case must end in a TaskError (one line) or a parsed task list, never another
exception or a hang, and task ids must never escape the output folder as file names.
"""

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.arc.submission import Submission, validate_submission
from solver.arc.tasks import InvalidTask, Task, TaskError, load_source, parse_tasks
from solver.run.outputs import safe_filename

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.none() | st.booleans() | st.integers(-5, 15) | st.floats(allow_nan=False) | st.text(max_size=5)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=60,
)
cells = st.integers(-2, 11) | st.sampled_from([True, 1.0, "3", None])
grids = st.lists(st.lists(cells, min_size=0, max_size=32), min_size=0, max_size=32) | json_values
pairs = st.fixed_dictionaries({"input": grids}, optional={"output": grids}) | json_values
tasks = (
    st.fixed_dictionaries(
        {},
        optional={
            "train": st.lists(pairs, max_size=4) | json_values,
            "test": st.lists(pairs, max_size=3) | json_values,
        },
    )
    | json_values
)
hostile_ids = st.text(min_size=0, max_size=40) | st.sampled_from(["../../etc/passwd", "a/b", "..", ".", "/", "\\x"])
documents = st.dictionaries(hostile_ids, tasks, max_size=5) | json_values


def check_parsed(result):
    for task in result:
        assert isinstance(task, (Task, InvalidTask))
        if isinstance(task, InvalidTask):
            assert task.reason and "\n" not in task.reason and task.n_test >= 1


@FUZZ
@given(documents)
def test_loader_never_raises_anything_but_task_error(document):
    try:
        check_parsed(parse_tasks(document))
    except TaskError as error:
        assert "\n" not in str(error)


@FUZZ
@given(st.binary(max_size=300))
def test_loader_survives_arbitrary_bytes(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "tasks.json"
    path.write_bytes(content)
    try:
        check_parsed(load_source(str(path)).tasks)
    except TaskError as error:
        assert "\n" not in str(error)


@FUZZ
@given(documents)
def test_loader_survives_documents_from_disk(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("fuzz") / "tasks.json"
    path.write_text(json.dumps(document))
    try:
        source = load_source(str(path))
    except TaskError:
        return
    check_parsed(source.tasks)
    # Whatever was loaded gets a complete, valid pre-filled submission.
    slots = {t.id: (t.n_test if isinstance(t, InvalidTask) else len(t.test)) for t in source.tasks}
    assert validate_submission(json.loads(json.dumps(Submission(source.tasks).answers)), slots) == []


@FUZZ
@given(
    json_values
    | st.dictionaries(
        hostile_ids,
        st.lists(st.dictionaries(st.sampled_from(["attempt_1", "attempt_2", "x"]), grids, max_size=3), max_size=3),
        max_size=4,
    )
)
def test_validator_never_raises(document):
    problems = validate_submission(document, {"a": 1, "b": 2})
    assert isinstance(problems, list) and problems  # nothing random is a valid complete submission


@FUZZ
@given(hostile_ids)
def test_task_ids_never_escape_the_output_folder(task_id):
    name = safe_filename(task_id)
    assert name and "/" not in name and "\\" not in name and name not in (".", "..")
    root = Path("/tmp/out/reports")
    assert Path(os.path.normpath(root / f"{name}.json")).parent == root


def test_a_deeply_nested_file_is_a_clear_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + "[" * 50000 + "]" * 50000 + "}")
    try:
        load_source(str(path))
    except TaskError as error:
        assert "nested too deeply" in str(error)
    else:
        raise AssertionError("expected a TaskError")


def test_huge_grid_is_rejected_quickly(tmp_path):
    path = tmp_path / "huge.json"
    big = [[1] * 1000] * 1000
    path.write_text(json.dumps({"t": {"train": [{"input": big, "output": big}], "test": [{"input": big}]}}))
    task = load_source(str(path)).tasks[0]
    assert isinstance(task, InvalidTask) and "at most 30" in task.reason
