"""The supervisor in-process: several workers, budgets, file names."""

import dataclasses
import json
import time

from solver.arc.submission import validate_submission
from solver.config import SOLVE_PRESETS
from solver.run.budget import Throughput
from solver.run.outputs import finetune_note, safe_filename
from solver.run.pool import SHUTDOWN_WAIT_S
from solver.run.supervisor import RunOptions, Supervisor, run
from solver.run.worker import observed_rates
from solver.solve_task import TrmWork
from tests.helpers import small_tasks


def options(out, devices):
    return RunOptions(
        out_dir=out,
        devices=devices,
        weights_path=None,
        weights_sha256=None,
        weights_label="untrained tiny",
        preset="tiny",
        solve=SOLVE_PRESETS["cpu-smoke"],
    )


def test_two_workers_give_the_same_answers_as_one(tmp_path):
    tasks, solutions = small_tasks()
    one = run(tasks, solutions, options(tmp_path / "one", ["cpu"]))
    two = run(tasks, solutions, options(tmp_path / "two", ["cpu", "cpu"]))
    assert one.submission_path.read_bytes() == two.submission_path.read_bytes()
    submission = json.loads(two.submission_path.read_text())
    assert validate_submission(submission, {t.id: len(t.test) for t in tasks}) == []
    assert two.score.total == sum(len(t.test) for t in tasks)
    assert all(r["status"] == "done" for r in two.reports.values())


def test_stopping_the_workers_takes_at_most_half_the_budget_left(tmp_path, monkeypatch):
    """At the deadline the final writes still need time, so the shutdown may not take all of it."""
    tasks, _ = small_tasks()
    monkeypatch.setattr(time, "monotonic", lambda: 100.0)
    waits = {}
    for budget, started in [(None, None), (60.0, 90.0), (10.0, 92.0), (10.0, 80.0)]:
        opts = dataclasses.replace(options(tmp_path, ["cpu"]), time_budget=budget, started=started)
        waits[budget, started] = Supervisor(tasks, opts).shutdown_wait_s()
    assert waits == {(None, None): SHUTDOWN_WAIT_S, (60.0, 90.0): SHUTDOWN_WAIT_S, (10.0, 92.0): 1.0, (10.0, 80.0): 0.0}


def test_safe_filename_keeps_plain_ids_and_disambiguates_others():
    assert safe_filename("00576224") == "00576224"
    assert safe_filename("a/b") != safe_filename("a_b")
    assert safe_filename("..").startswith("__-")


def test_observed_rates_move_toward_what_a_task_measured():
    old = Throughput(train_units_per_s=100.0, infer_units_per_s=100.0)
    done = TrmWork(finetune_steps=10, finetune_batch=4, finetune_seconds=2.0, sup_steps_run=16, inference_seconds=1.0)
    new = observed_rates(old, done, work=10.0)
    assert abs(new.train_units_per_s - (0.5 * 100 + 0.5 * 10 * 4 * 10 / 2.0)) < 1e-9
    assert abs(new.infer_units_per_s - (0.5 * 100 + 0.5 * 8 * 2 * 10 / 1.0)) < 1e-9
    idle = observed_rates(old, dataclasses.replace(done, finetune_steps=0, sup_steps_run=0), work=10.0)
    assert idle == old


def test_a_refused_run_leaves_the_earlier_runs_files_alone(tmp_path):
    import pytest

    from solver.run.journal import JournalMismatch

    tasks, solutions = small_tasks()
    first = run(tasks[:1], solutions, options(tmp_path, ["cpu"]))
    before = first.submission_path.read_bytes()
    other = options(tmp_path, ["cpu"])
    other.solve = dataclasses.replace(other.solve, seed=5)
    with pytest.raises(JournalMismatch):
        run(tasks[:1], solutions, other)
    assert first.submission_path.read_bytes() == before


def test_workers_that_cannot_start_leave_fallbacks_for_every_task(tmp_path):
    tasks, solutions = small_tasks()
    broken = options(tmp_path, ["cpu", "cpu"])
    broken.weights_path = str(tmp_path / "missing.safetensors")
    result = run(tasks, solutions, broken)
    assert {r["status"] for r in result.reports.values()} == {"failed"}
    assert all("no worker could start" in r["error"] for r in result.reports.values())
    submission = json.loads(result.submission_path.read_text())
    assert validate_submission(submission, {t.id: len(t.test) for t in tasks}) == []


def test_fine_tuning_cut_or_skipped_by_the_budget_is_explained():
    def report(planned, done):
        return {
            "plan": {"finetune_steps": planned, "finetune_batch": 4, "finetune_seconds": 1.5},
            "finetune_steps": done,
        }

    assert finetune_note(report(4, 4), configured_steps=4) is None
    assert "skipped" in finetune_note(report(0, 0), configured_steps=300)
    assert "cut to 3 of 300 steps" in finetune_note(report(3, 3), configured_steps=300)
    assert "stopped by the deadline after 1 of 3" in finetune_note(report(3, 1), configured_steps=300)
    search_alone = {"experts": ["search"], "plan": {"finetune_steps": 0, "finetune_batch": 64}}
    assert finetune_note(search_alone, configured_steps=300) is None  # no TRM ran: nothing to explain
