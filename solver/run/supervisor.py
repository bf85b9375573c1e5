"""The supervisor: hands tasks to device workers, journals and writes every answer as it arrives.

The supervisor never runs a model itself. It owns the submission (pre-filled with
fallbacks and rewritten atomically after every task), the journal (so a killed run
resumes), the time budget (shares per task, and a hard deadline at which workers are
stopped and the final file is written) and worker health (a worker that dies has its
task handed to another, once).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver.arc.scoring import Score, score_submission
from solver.arc.submission import Submission
from solver.arc.tasks import AnyTask, InvalidTask, Task, display_id
from solver.arc.voting import grid_key
from solver.atomic import write_json_atomic
from solver.config import SolveConfig
from solver.report import ReportPage, task_grids, write_report_html
from solver.run.budget import BudgetTracker, task_weight
from solver.run.journal import Journal
from solver.run.messages import Done, Job, TaskMessage, WorkerSpec
from solver.run.outputs import describe, finetune_note, mark_correctness, remove_run_files, safe_filename
from solver.run.pool import SHUTDOWN_WAIT_S, WorkerPool
from solver.run.progress import Progress
from solver.task_report import DONE, FAILED, INVALID, TIMEOUT, TaskReport
from solver.trm.codec import task_canvas_side
from solver.trm.config import ModelConfig, model_preset
from solver.trm.weights import read_metadata

log = logging.getLogger(__name__)


def model_canvas(opts: RunOptions) -> str:
    """The canvas mode of the model the workers will load (read from the weights' metadata)."""
    if opts.weights_path is None:
        return model_preset(opts.preset).canvas
    return ModelConfig.from_json(read_metadata(Path(opts.weights_path))["config"]).canvas


FINAL_WRITE_GRACE_S = 3.0  # the hard deadline sits this long before the end of the budget
POLL_S = 0.2
MAX_TASK_TRIES = 2  # a task whose worker died is retried once on another worker


@dataclass
class RunOptions:
    out_dir: Path
    devices: list[str]
    weights_path: str | None
    weights_sha256: str | None
    weights_label: str
    preset: str
    solve: SolveConfig
    time_budget: float | None = None
    fresh: bool = False
    started: float | None = None  # time.monotonic() the budget counts from (the interpreter's start); None: now


@dataclass
class RunResult:
    submission_path: Path
    report_path: Path
    score: Score | None
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)


def task_digest(task: AnyTask) -> str:
    digest = hashlib.sha256(task.id.encode("utf-8", "surrogatepass"))
    if isinstance(task, Task):
        for pair in task.train + task.test:
            for grid in (pair.input, pair.output):
                if grid is not None:
                    digest.update(grid_key(grid))
    return digest.hexdigest()


def run_fingerprint(tasks: list[AnyTask], opts: RunOptions) -> str:
    identity = {
        "tasks": [task_digest(t) for t in tasks],
        "weights": opts.weights_sha256 or opts.weights_label,
        "solve": opts.solve.to_dict(),
        "time_budget": opts.time_budget,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def run_settings(opts: RunOptions) -> dict[str, Any]:
    return {
        "weights": opts.weights_label,
        "devices": opts.devices,
        "solve_config": opts.solve.to_dict(),
        "time_budget": opts.time_budget,
    }


class Supervisor:
    def __init__(self, tasks: list[AnyTask], opts: RunOptions, solutions: dict[str, list] | None = None):
        self.tasks = tasks
        self.opts = opts
        self.out_dir = Path(opts.out_dir)
        self.submission_path = self.out_dir / "submission.json"
        self.reports_dir = self.out_dir / "reports"
        self.submission = Submission(tasks)
        self.reports: dict[str, dict[str, Any]] = {}
        self.start = time.monotonic() if opts.started is None else opts.started
        budget = opts.time_budget
        self.hard_deadline = None if budget is None else self.start + budget - FINAL_WRITE_GRACE_S
        self.journal = Journal(self.out_dir / "journal.jsonl", run_fingerprint(tasks, opts))
        # Demonstrations, test inputs and known outputs, for report.html and each per-task report.
        self.grids = {t.id: task_grids(t, (solutions or {}).get(t.id)) for t in tasks}
        self.page = ReportPage()  # keeps each task's section drawn while its data is unchanged

    # -- recording ------------------------------------------------------------------------

    def _record(self, task_id: str, report: dict[str, Any], entries: list[dict] | None) -> None:
        """Keep a task's outcome in memory; `_write` puts it on disk."""
        if entries is not None:
            self.submission.set(task_id, entries)
        self.reports[task_id] = report

    def _write(self, task_ids: list[str]) -> None:
        """The submission first (durable, atomic), then these tasks' report files, then report.html.

        A report file is atomic but not fsynced: the journal and submission.json are the durable
        record (a resumed run rewrites the reports from the journal), and at the deadline every
        unfinished task's report is written within FINAL_WRITE_GRACE_S.
        """
        self.submission.write(self.submission_path)
        for task_id in task_ids:
            write_json_atomic(
                self.reports_dir / f"{safe_filename(task_id)}.json",
                {"task_id": task_id, **self.reports[task_id], "task": self.grids[task_id]},
                durable=False,
            )
        # report.html (solver/report): the page so far, for watching a long run.
        write_report_html(
            self.out_dir,
            {**run_settings(self.opts), "seconds": round(time.monotonic() - self.start, 2)},
            self.reports,
            self.grids,
            self.submission.answers,
            page=self.page,
        )

    def _finish(self, task_id: str, entries: list[dict], report: dict[str, Any]) -> None:
        report = {"status": DONE, **report}
        self.journal.append(task_id, entries, report)
        self._record(task_id, report, entries)
        self._write([task_id])

    def _fail(self, task_ids: list[str], cause: str, status: str = FAILED) -> None:
        """Fallback attempts for these tasks, written with one submission write."""
        for task_id in task_ids:
            log.warning("task %s: %s; using fallback attempts", display_id(task_id), cause)
            self._record(task_id, {"status": status, "error": cause}, None)
        self._write(task_ids)

    # -- the run --------------------------------------------------------------------------

    def run(self) -> dict[str, dict[str, Any]]:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        # The journal first: a refused run (another run's folder) must not touch that run's files.
        finished = self.journal.start(self.opts.fresh)
        if not finished:  # a new run: no report of an earlier one may look like this run's
            remove_run_files(self.out_dir)
        invalid = [t for t in self.tasks if isinstance(t, InvalidTask)]
        for task in invalid:
            log.warning("task %s: %s; using fallback attempts", display_id(task.id), task.reason)
            self._record(task.id, {"status": INVALID, "error": task.reason}, None)
        resumed = [t.id for t in self.tasks if isinstance(t, Task) and t.id in finished]
        for task_id in resumed:
            record = finished[task_id]
            report = TaskReport.from_dict({**record["report"], "resumed": True})  # an older run's statuses renamed
            self._record(task_id, report.to_dict(), record["entries"])
        self._write([t.id for t in invalid] + resumed)  # complete and valid from the first moment
        pending = [t for t in self.tasks if isinstance(t, Task) and t.id not in finished]
        if finished:
            log.info("resuming: %d tasks already in the journal, %d to go", len(finished), len(pending))
        if pending:
            self._solve(pending)  # writes the submission after every task and at the deadline
        return self.reports

    def _solve(self, pending: list[Task]) -> None:
        opts = self.opts
        tracker = None
        if opts.time_budget is not None:
            canvas = model_canvas(opts)
            weights = {t.id: task_weight(task_canvas_side(t, canvas), len(t.train), len(t.test)) for t in pending}
            elapsed = time.monotonic() - self.start
            log.info("start-up took %.1f s of the %.0f s budget", elapsed, opts.time_budget)
            tracker = BudgetTracker(opts.time_budget - elapsed, weights, workers=min(len(opts.devices), len(pending)))
        devices = opts.devices[: len(pending)]
        cpu_workers = sum(device == "cpu" for device in devices)
        spec = WorkerSpec(
            device="",
            weights_path=opts.weights_path,
            weights_sha256=opts.weights_sha256,
            preset=opts.preset,
            solve=opts.solve.to_dict(),
            calibrate=tracker is not None,
            seed=opts.solve.seed,
            cpu_threads=max(1, (os.cpu_count() or 1) // cpu_workers) if cpu_workers > 1 else None,
        )
        pool = WorkerPool(spec, devices)
        self.todo = deque(pending)
        self.answered: set[str] = set()
        self.progress = Progress(len(pending))
        tries: Counter[str] = Counter()
        try:
            while self.todo or pool.busy():
                for message in pool.receive(0.0):  # answers already sent count, even from a worker now dead
                    self._handle(pool, message)
                unfinished = [i for i in pool.in_flight() + [t.id for t in self.todo] if i not in self.answered]
                if self.hard_deadline is not None and time.monotonic() >= self.hard_deadline:
                    self._fail(unfinished, "time budget ran out", status=TIMEOUT)
                    break
                if not pool.alive():
                    self._fail(unfinished, "no worker could start: " + pool.last_error)
                    break
                for worker in pool.idle():
                    if not self.todo:
                        break
                    task = self.todo.popleft()
                    tries[task.id] += 1
                    seconds = tracker.start(task.id) if tracker else None
                    pool.send(worker, Job(task, seconds, tracker.deadline.at if tracker else None, self.hard_deadline))
                for task in pool.reap_dead():
                    if task.id in self.answered:
                        continue
                    if tries[task.id] < MAX_TASK_TRIES:
                        log.warning("task %s: its worker died; handing it to another worker", task.id)
                        self.todo.appendleft(task)
                    else:
                        self.answered.add(task.id)
                        self._fail([task.id], "worker died twice on this task")
                        self.progress.advance(f"task {task.id} failed")
                for message in pool.receive(POLL_S):
                    self._handle(pool, message)
        finally:
            # Past the hard deadline (or on Ctrl-C mid-task) no worker is waited for.
            in_time = self.hard_deadline is None or time.monotonic() < self.hard_deadline
            pool.shutdown(graceful=in_time and not pool.busy(), wait_s=self.shutdown_wait_s())
            self.progress.close()

    def shutdown_wait_s(self) -> float:
        """How long stopping the workers may take: SHUTDOWN_WAIT_S, but with a budget at most
        half the time left in it, so report.json and report.html are still written in time."""
        if self.opts.time_budget is None:
            return SHUTDOWN_WAIT_S
        left = self.start + self.opts.time_budget - time.monotonic()
        return min(SHUTDOWN_WAIT_S, max(0.0, left / 2))

    def _handle(self, pool: WorkerPool, message: TaskMessage) -> None:
        """Record a worker's answer for its task; a late second answer (after a retry) is dropped."""
        pool.release(message.worker_id)
        task_id = message.task_id
        if task_id in self.answered:
            return
        self.answered.add(task_id)
        for task in [t for t in self.todo if t.id == task_id]:
            self.todo.remove(task)
        if isinstance(message, Done):
            self._finish(task_id, message.entries, message.report)
            note = finetune_note(message.report, self.opts.solve.finetune_steps)
            if note:
                log.info("task %s: %s", display_id(task_id), note)
            self.progress.advance(describe(task_id, message.report))
        else:
            self._fail([task_id], message.error)
            self.progress.advance(f"task {task_id} failed: {message.error}")


def run(tasks: list[AnyTask], solutions: dict[str, list] | None, opts: RunOptions) -> RunResult:
    """Solve `tasks`, write submission.json, report.json and report.html under opts.out_dir, score if possible."""
    selected = None
    if solutions is not None:
        selected = {t.id: solutions[t.id] for t in tasks if t.id in solutions and isinstance(solutions[t.id], list)}
    supervisor = Supervisor(tasks, opts, selected)
    reports = supervisor.run()
    score = None
    if selected is not None:
        unscored = [t.id for t in tasks if t.id not in selected]
        if unscored:
            log.warning("%d tasks have no solutions and are not scored (e.g. %s)", len(unscored), unscored[0])
        score = score_submission(supervisor.submission.answers, selected)
        mark_correctness(reports, score)
    report_path = Path(opts.out_dir) / "report.json"
    summary = {
        **run_settings(opts),
        "seconds": round(time.monotonic() - supervisor.start, 2),
        "tasks": reports,
    }
    if score is not None:
        summary["score"] = {
            "kaggle": score.kaggle,
            "correct": score.correct,
            "total": score.total,
            "per_task_average": score.per_task_average,
        }
    write_json_atomic(report_path, summary)
    # report.html (solver/report): the final page, with the score.
    answers = supervisor.submission.answers
    write_report_html(opts.out_dir, summary, reports, supervisor.grids, answers, final=True, page=supervisor.page)
    return RunResult(supervisor.submission_path, report_path, score, reports)
