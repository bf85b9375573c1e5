"""Kaggle notebook helpers: finding inputs, dry run or real run, the budget, the watchdog, the final file."""

import json
import os
import time

import pytest

from solver.arc.submission import expected_slots, fallback_attempts, validate_submission
from solver.arc.tasks import parse_tasks
from solver.kaggle import notebook as kaggle
from tests.helpers import read_json

TASKS = {
    "aaaa0001": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]},
    "aaaa0002": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[4]]}, {"input": [[5, 6]]}]},
}


@pytest.fixture
def competition(tmp_path):
    """A fake /kaggle/input with the test file in a folder name no code knows in advance."""
    folder = tmp_path / "input" / "arc-prize-2031"
    folder.mkdir(parents=True)
    (folder / kaggle.TEST_FILE).write_text(json.dumps(TASKS))
    return folder


def write_solutions(folder, ids):
    path = folder / "arc-agi_evaluation_solutions.json"
    path.write_text(json.dumps({i: [[[0]]] * len(TASKS[i]["test"]) for i in ids}))
    return path


def test_finds_the_test_file_in_any_competition_folder(competition, tmp_path):
    assert kaggle.find_test_file(tmp_path / "input") == competition / kaggle.TEST_FILE
    with pytest.raises(FileNotFoundError, match="attach the competition"):
        kaggle.find_test_file(tmp_path / "elsewhere")


def test_dry_run_only_when_solutions_cover_every_test_task(competition, monkeypatch):
    monkeypatch.delenv(kaggle.RERUN_ENV, raising=False)
    test_file = competition / kaggle.TEST_FILE
    assert kaggle.placeholder_solutions(test_file, list(TASKS)) is None
    write_solutions(competition, ["aaaa0001"])  # the hidden test set: its tasks are not in the file
    assert kaggle.placeholder_solutions(test_file, list(TASKS)) is None
    path = write_solutions(competition, list(TASKS))
    assert kaggle.placeholder_solutions(test_file, list(TASKS)) == path
    monkeypatch.setenv(kaggle.RERUN_ENV, "True")  # Kaggle's scoring rerun is never a dry run
    assert kaggle.placeholder_solutions(test_file, list(TASKS)) is None


def test_plan_budgets(competition, tmp_path, monkeypatch):
    monkeypatch.delenv(kaggle.RERUN_ENV, raising=False)
    monkeypatch.setattr(kaggle, "visible_gpus", lambda: 4)
    full = kaggle.make_plan(tmp_path / "input", 12, 1, elapsed_s=100, dry_run_minutes=10, dry_run_tasks=1)
    assert not full.dry_run and full.run_tasks == 2
    assert full.budget_s == 11 * 3600 - 100 and full.per_task_s == full.budget_s * 4 / 2
    assert "full run" in full.describe() and "4 GPU(s)" in full.describe() and "3 test inputs" in full.describe()
    write_solutions(competition, list(TASKS))
    dry = kaggle.make_plan(tmp_path / "input", 12, 1, elapsed_s=100, dry_run_minutes=10, dry_run_tasks=1)
    assert dry.dry_run and dry.run_tasks == 1 and dry.budget_s == 600 and "DRY RUN" in dry.describe()
    late = kaggle.make_plan(tmp_path / "input", 1, 0.5, elapsed_s=3600, dry_run_minutes=1, dry_run_tasks=1)
    assert late.budget_s == kaggle.MIN_BUDGET_S
    with pytest.raises(ValueError, match="SAFETY_HOURS"):
        kaggle.make_plan(tmp_path / "input", 12, 0.01, elapsed_s=0, dry_run_minutes=1, dry_run_tasks=1)


def test_solver_command_scores_only_a_dry_run(competition, tmp_path):
    tasks = parse_tasks(TASKS)
    full = kaggle.Plan(competition / kaggle.TEST_FILE, tasks, None, 2, 0, 3600)
    command = kaggle.solver_command(full, tmp_path, ["--preset", "tiny"])
    assert "--solutions" not in command and command[-2:] == ["--preset", "tiny"]
    assert command[command.index("--time-budget") + 1] == "3600" and "--fresh" in command
    dry = kaggle.Plan(full.test_file, tasks, competition / "s.json", 1, 0, 60)
    assert "--solutions" in kaggle.solver_command(dry, tmp_path, [])


def test_finish_keeps_valid_answers_and_fills_the_rest(tmp_path):
    tasks = parse_tasks(TASKS)
    path = tmp_path / "submission.json"
    good = [{"attempt_1": [[7]], "attempt_2": [[8]]}]
    path.write_text(json.dumps({"aaaa0001": good, "aaaa0002": [{"attempt_1": [[1]]}], "stray": []}))
    assert kaggle.finish_submission(path, tasks)
    repaired = read_json(path)
    assert validate_submission(repaired, expected_slots(tasks)) == []
    assert repaired["aaaa0001"] == good and repaired["aaaa0002"] == fallback_attempts(tasks[1])
    before = path.stat().st_mtime_ns
    assert kaggle.finish_submission(path, tasks) == [] and path.stat().st_mtime_ns == before


@pytest.mark.parametrize("content", [None, '{"aaaa0001": [', "[]"])
def test_finish_writes_fallbacks_when_the_file_is_missing_or_broken(tmp_path, content):
    tasks = parse_tasks(TASKS)
    path = tmp_path / "submission.json"
    if content is not None:
        path.write_text(content)
    assert kaggle.finish_submission(path, tasks)
    assert read_json(path) == {t.id: fallback_attempts(t) for t in tasks}


def test_watchdog_stops_a_hung_solver_and_its_children(tmp_path, monkeypatch):
    src = tmp_path / "bundle" / "src"
    src.mkdir(parents=True)
    pid_file = tmp_path / "child.pid"
    (src / "build_submission.py").write_text(
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('working', flush=True)\n"
        "time.sleep(600)\n"
    )
    monkeypatch.setattr(kaggle, "KILL_GRACE_S", 0.5)
    plan = kaggle.Plan(tmp_path / "t.json", parse_tasks(TASKS), None, 2, 0, 1.0)
    start = time.monotonic()
    code = kaggle.run_solver(plan, tmp_path / "bundle", tmp_path / "site", tmp_path / "out", [])
    assert code != 0 and time.monotonic() - start < 30
    child = int(pid_file.read_text())
    for _ in range(50):  # the child was signalled with its group; give the kernel a moment to reap it
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the solver's child process survived the watchdog")


def test_local_score_reads_the_report_and_survives_its_absence(tmp_path):
    assert "no local score" in kaggle.local_score(tmp_path)
    (tmp_path / "report.json").write_text(
        json.dumps({"score": {"kaggle": 0.5, "correct": 1, "total": 2, "per_task_average": 0.25}})
    )
    assert kaggle.local_score(tmp_path).startswith("local score (Kaggle rule): 0.5000 (1/2 test outputs)")
