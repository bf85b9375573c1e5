"""The real pipeline on real arc1/eval tasks, tiny preset, through the command line."""

import json

from solver.arc.submission import validate_submission
from tests.helpers import SMALL_TASKS, SMOKE, read_json, run_cli, small_tasks


def test_three_real_tasks_write_a_valid_scored_submission(tmp_path):
    out = tmp_path / "out"
    result = run_cli(*SMALL_TASKS, *SMOKE, "--out", out)
    assert result.returncode == 0, result.stderr
    tasks, _ = small_tasks()
    assert any(len(t.test) == 2 for t in tasks)
    submission = read_json(out / "submission.json")
    assert list(submission) == [t.id for t in tasks]
    assert validate_submission(submission, {t.id: len(t.test) for t in tasks}) == []
    last_line = result.stdout.strip().splitlines()[-1]
    n_outputs = sum(len(t.test) for t in tasks)
    assert last_line.startswith("score: ") and last_line.endswith(f"/{n_outputs} test outputs)")
    report = read_json(out / "report.json")
    assert report["score"]["total"] == n_outputs
    for task in tasks:
        entry = report["tasks"][task.id]
        assert entry["status"] == "done"
        assert entry["finetune_steps"] == 4 and entry["plan"]["n_augmentations"] == 16
        assert len(entry["tests"]) == len(task.test) == len(entry["correct"])
        assert all(t["candidates"] == 16 for t in entry["tests"])
        assert entry["seconds"] > 0
        assert (out / "reports" / f"{task.id}.json").exists()
    assert "task " in result.stderr and "tasks elapsed" in result.stderr  # log lines and progress bar


def test_bad_task_and_crashing_task_cost_no_one_else(tmp_path):
    tasks, _ = small_tasks()
    good = {
        t.id: {
            "train": [{"input": p.input.tolist(), "output": p.output.tolist()} for p in t.train],
            "test": [{"input": p.input.tolist()} for p in t.test],
        }
        for t in tasks
    }
    ids = list(good)
    document = {**good, "broken": {"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [{"input": [[1]]}]}}
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(document))
    out = tmp_path / "out"
    result = run_cli("--tasks", path, *SMOKE, "--out", out, env={"SOLVER_FAULTS": f"raise:{ids[1]}"})
    assert result.returncode == 0, result.stderr
    assert "task broken" in result.stderr and "ragged" in result.stderr
    assert f"task {ids[1]}" in result.stderr and "injected failure" in result.stderr
    assert "Traceback" not in result.stderr
    submission = read_json(out / "submission.json")
    assert validate_submission(submission, {**{i: len(good[i]["test"]) for i in ids}, "broken": 1}) == []
    report = read_json(out / "report.json")["tasks"]
    assert report["broken"]["status"] == "invalid"
    assert report[ids[1]]["status"] == "failed" and "injected failure" in report[ids[1]]["error"]
    assert report[ids[0]]["status"] == report[ids[2]]["status"] == "done"


def test_without_weights_the_program_search_answers_alone_and_right(tmp_path):
    """Two arc1/train tasks the search solves: the default run (no weights) gets them right, with programs."""
    out = tmp_path / "out"
    result = run_cli(
        "--tasks",
        "arc1/train",
        "--task-ids",
        "0520fde7,23b5c85d",
        "--config",
        "cpu-smoke",
        "--search-seconds",
        "120",
        "--out",
        out,
    )  # far above the ~2 s needed, for busy machines
    assert result.returncode == 0, result.stderr
    assert "the program search answers alone" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "score: 1.0000 (2/2 test outputs)"
    report = read_json(out / "report.json")
    for task in report["tasks"].values():
        top = task["tests"][0]["top"][0]
        assert task["experts"] == ["search"] and top["experts"] == ["search"] and top["program"]
        assert "finetune_steps" not in task  # no model was loaded
