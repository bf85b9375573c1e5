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
import multiprocessing as mp
import os
import queue
import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver.budget import BudgetTracker, task_weight
from solver.codec import task_canvas_side
from solver.config import SolveConfig
from solver.journal import Journal
from solver.progress import Progress
from solver.report import task_grids, write_report_html
from solver.scoring import Score, attempt_matches, score_submission
from solver.submission import Submission, write_json_atomic
from solver.tasks import AnyTask, InvalidTask, Task, display_id
from solver.worker import Job, WorkerSpec, worker_main

log = logging.getLogger(__name__)

FINAL_WRITE_GRACE_S = 3.0  # the hard deadline sits this long before the end of the budget
POLL_S = 0.2
MAX_TASK_TRIES = 2  # a task whose worker died is retried once on another worker
MAX_START_FAILURES = 2  # a device whose workers die this often before becoming ready is given up
SHUTDOWN_WAIT_S = 5.0
SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


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


@dataclass
class RunResult:
    submission_path: Path
    report_path: Path
    score: Score | None
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)


def safe_filename(task_id: str) -> str:
    """A file name for a task id that can never leave its folder (no separators, no '..')."""
    cleaned = SAFE_NAME.sub("_", task_id)[:64]
    if cleaned != task_id or not cleaned:
        cleaned = f"{cleaned}-{hashlib.sha256(task_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
    return cleaned


def task_digest(task: AnyTask) -> str:
    digest = hashlib.sha256(task.id.encode("utf-8", "surrogatepass"))
    if isinstance(task, Task):
        for pair in task.train + task.test:
            for grid in (pair.input, pair.output):
                if grid is not None:
                    digest.update(bytes(grid.shape) + grid.tobytes())
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
    return {"weights": opts.weights_label, "devices": opts.devices, "solve_config": opts.solve.to_dict(),
            "time_budget": opts.time_budget}


class Supervisor:
    def __init__(self, tasks: list[AnyTask], opts: RunOptions, solutions: dict[str, list] | None = None):
        self.tasks = tasks
        self.opts = opts
        self.out_dir = Path(opts.out_dir)
        self.submission_path = self.out_dir / "submission.json"
        self.reports_dir = self.out_dir / "reports"
        self.submission = Submission(tasks)
        self.reports: dict[str, dict[str, Any]] = {}
        self.start = time.monotonic()
        budget = opts.time_budget
        self.hard_deadline = None if budget is None else self.start + budget - FINAL_WRITE_GRACE_S
        self.journal = Journal(self.out_dir / "journal.jsonl", run_fingerprint(tasks, opts))
        # Demonstrations, test inputs and known outputs, for report.html and each per-task report.
        self.grids = {t.id: task_grids(t, (solutions or {}).get(t.id)) for t in tasks}

    # -- recording ------------------------------------------------------------------------

    def _record(self, task_id: str, report: dict[str, Any], entries: list[dict] | None) -> None:
        """Keep a task's outcome in memory; `_write` puts it on disk."""
        if entries is not None:
            self.submission.set(task_id, entries)
        self.reports[task_id] = report

    def _write(self, task_ids: list[str]) -> None:
        """The submission first (durable, atomic), then these tasks' report files, then report.html."""
        self.submission.write(self.submission_path)
        for task_id in task_ids:
            write_json_atomic(self.reports_dir / f"{safe_filename(task_id)}.json",
                              {"task_id": task_id, **self.reports[task_id], "task": self.grids[task_id]},
                              durable=False)
        # report.html (solver/report): the page so far, for watching a long run.
        write_report_html(self.out_dir, {**run_settings(self.opts), "seconds": round(time.monotonic() - self.start, 2)},
                          self.reports, self.grids, self.submission.answers)

    def _finish(self, task_id: str, entries: list[dict], report: dict[str, Any]) -> None:
        report = {"status": "solved", **report}
        self.journal.append(task_id, entries, report)
        self._record(task_id, report, entries)
        self._write([task_id])

    def _fail(self, task_ids: list[str], cause: str, status: str = "failed") -> None:
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
        invalid = [t for t in self.tasks if isinstance(t, InvalidTask)]
        for task in invalid:
            log.warning("task %s: %s; using fallback attempts", display_id(task.id), task.reason)
            self._record(task.id, {"status": "invalid", "error": task.reason}, None)
        resumed = [t.id for t in self.tasks if isinstance(t, Task) and t.id in finished]
        for task_id in resumed:
            record = finished[task_id]
            self._record(task_id, {**record["report"], "resumed": True}, record["entries"])
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
            weights = {t.id: task_weight(task_canvas_side(t), len(t.train), len(t.test)) for t in pending}
            elapsed = time.monotonic() - self.start
            tracker = BudgetTracker(opts.time_budget - elapsed, weights, workers=min(len(opts.devices), len(pending)))
        devices = opts.devices[:len(pending)]
        cpu_workers = sum(device == "cpu" for device in devices)
        spec = WorkerSpec(device="", weights_path=opts.weights_path, weights_sha256=opts.weights_sha256,
                          preset=opts.preset, solve=opts.solve.to_dict(), calibrate=tracker is not None,
                          seed=opts.solve.seed,
                          cpu_threads=max(1, (os.cpu_count() or 1) // cpu_workers) if cpu_workers > 1 else None)
        pool = WorkerPool(spec, devices)
        todo = deque(pending)
        tries: Counter[str] = Counter()
        finished: set[str] = set()
        progress = Progress(len(pending))

        def handle(message) -> None:
            kind, worker_id, task_id, *rest = message
            pool.release(worker_id)
            if task_id in finished:  # a retried task whose first answer arrived late: keep the first
                return
            finished.add(task_id)
            for task in [t for t in todo if t.id == task_id]:
                todo.remove(task)
            if kind == "done":
                entries, report = rest
                self._finish(task_id, entries, report)
                progress.advance(describe(task_id, report))
            else:
                self._fail([task_id], rest[0])
                progress.advance(f"task {task_id} failed: {rest[0]}")

        try:
            while todo or pool.busy():
                for message in pool.drain():  # answers already sent count, even from a worker now dead
                    handle(message)
                unfinished = [i for i in pool.in_flight() + [t.id for t in todo] if i not in finished]
                if self.hard_deadline is not None and time.monotonic() >= self.hard_deadline:
                    self._fail(unfinished, "time budget ran out", status="timeout")
                    break
                if not pool.alive():
                    self._fail(unfinished, "no worker could start: " + pool.last_error)
                    break
                for worker in pool.idle():
                    if not todo:
                        break
                    task = todo.popleft()
                    tries[task.id] += 1
                    seconds = tracker.start(task.id) if tracker else None
                    pool.send(worker, Job(task, seconds, tracker.deadline.at if tracker else None, self.hard_deadline))
                for task in pool.reap_dead():
                    if task.id in finished:
                        continue
                    if tries[task.id] < MAX_TASK_TRIES:
                        log.warning("task %s: its worker died; handing it to another worker", task.id)
                        todo.appendleft(task)
                    else:
                        finished.add(task.id)
                        self._fail([task.id], "worker died twice on this task")
                        progress.advance(f"task {task.id} failed")
                message = pool.receive(POLL_S)
                if message is not None:
                    handle(message)
        finally:
            pool.shutdown()
            progress.close()


def describe(task_id: str, report: dict[str, Any]) -> str:
    tests = report.get("tests", [])
    votes = ", ".join(f"{t['top'][0]['votes']}/{t['candidates']}" if t["top"] else "0" for t in tests)
    return (f"task {task_id} done in {report.get('seconds', 0):.1f}s: "
            f"{report.get('finetune_steps', 0)} fine-tuning steps, top votes {votes}")


class WorkerPool:
    """Worker processes, one per device, each with its own inbox and at most one job."""

    def __init__(self, spec: WorkerSpec, devices: list[str]):
        self.spec = spec
        self.context = mp.get_context("spawn")  # CUDA cannot be forked
        self.outbox = self.context.Queue()
        self.workers: dict[int, dict[str, Any]] = {}
        self.next_id = 0
        self.last_error = "unknown error"
        self.start_failures: Counter[str] = Counter()
        for device in devices:
            self._spawn(device)

    def _spawn(self, device: str) -> None:
        worker_id, self.next_id = self.next_id, self.next_id + 1
        inbox = self.context.Queue()
        spec = WorkerSpec(**{**self.spec.__dict__, "device": device})
        process = self.context.Process(target=worker_main, args=(worker_id, spec, inbox, self.outbox), daemon=True)
        process.start()
        self.workers[worker_id] = {"process": process, "inbox": inbox, "device": device, "job": None,
                                   "ready": False, "broken": False}

    def alive(self) -> bool:
        """Whether any worker is running or starting (given-up devices have none)."""
        return any(not w["broken"] for w in self.workers.values())

    def busy(self) -> bool:
        return any(w["job"] is not None for w in self.workers.values())

    def in_flight(self) -> list[str]:
        return [w["job"].task.id for w in self.workers.values() if w["job"] is not None]

    def idle(self) -> list[int]:
        return [i for i, w in self.workers.items() if w["ready"] and w["job"] is None and not w["broken"]]

    def send(self, worker_id: int, job: Job) -> None:
        self.workers[worker_id]["job"] = job
        self.workers[worker_id]["inbox"].put(job)

    def release(self, worker_id: int) -> None:
        if worker_id in self.workers:
            self.workers[worker_id]["job"] = None

    def receive(self, timeout: float):
        """The next task message ("done" or "failed"), or None; 'ready' and 'broken' are handled here."""
        try:
            message = self.outbox.get(timeout=timeout)
        except queue.Empty:
            return None
        kind, worker_id = message[0], message[1]
        worker = self.workers.get(worker_id)
        if kind == "ready" and worker is not None:
            worker["ready"] = True
            if message[2]:
                log.info("worker %d on %s: %.0f train / %.0f inference work units per second", worker_id,
                         worker["device"], message[2]["train_units_per_s"], message[2]["infer_units_per_s"])
        elif kind == "broken":
            if worker is not None:
                worker["broken"] = True
            self.last_error = message[2]
            log.error("worker %d could not start: %s", worker_id, message[2])
        elif kind in ("done", "failed"):
            return message
        return None

    def drain(self) -> list:
        """Every task message already waiting, without blocking."""
        messages = []
        while not self.outbox.empty():
            message = self.receive(0.0)
            if message is not None:
                messages.append(message)
        return messages

    def reap_dead(self) -> list[Task]:
        """Tasks whose worker process died mid-job; the worker is replaced on the same device.

        A device whose workers die before ever becoming ready is given up after
        MAX_START_FAILURES tries, so a broken device cannot restart workers forever.
        """
        orphans = []
        for worker_id, worker in list(self.workers.items()):
            if worker["broken"] or worker["process"].is_alive():
                continue
            del self.workers[worker_id]
            if worker["job"] is not None:
                orphans.append(worker["job"].task)
            if not worker["ready"]:
                self.start_failures[worker["device"]] += 1
            if self.start_failures[worker["device"]] >= MAX_START_FAILURES:
                self.last_error = f"workers on {worker['device']} died {MAX_START_FAILURES} times while starting"
                log.error("%s; giving that device up", self.last_error)
                continue
            log.warning("worker %d on %s died (exit code %s); starting a new one", worker_id, worker["device"],
                        worker["process"].exitcode)
            self._spawn(worker["device"])
        return orphans

    def shutdown(self) -> None:
        for worker in self.workers.values():
            if worker["process"].is_alive() and worker["job"] is None:
                worker["inbox"].put(None)
        deadline = time.monotonic() + SHUTDOWN_WAIT_S
        for worker in self.workers.values():
            if worker["job"] is None:
                worker["process"].join(max(0.0, deadline - time.monotonic()))
            if worker["process"].is_alive():
                worker["process"].terminate()
                worker["process"].join(1.0)
            if worker["process"].is_alive():
                worker["process"].kill()


def mark_correctness(reports: dict[str, dict[str, Any]], submission: dict[str, Any],
                     solutions: dict[str, list]) -> None:
    """Add per-test correctness to each report whose task has known solutions."""
    for task_id, truths in solutions.items():
        entries = submission.get(task_id, [])
        if task_id in reports:
            reports[task_id]["correct"] = [i < len(entries) and attempt_matches(entries[i], truth)
                                           for i, truth in enumerate(truths)]


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
        mark_correctness(reports, supervisor.submission.answers, selected)
    report_path = Path(opts.out_dir) / "report.json"
    summary = {
        **run_settings(opts),
        "seconds": round(time.monotonic() - supervisor.start, 2),
        "tasks": reports,
    }
    if score is not None:
        summary["score"] = {"kaggle": score.kaggle, "correct": score.correct, "total": score.total,
                            "per_task_average": score.per_task_average}
    write_json_atomic(report_path, summary)
    # report.html (solver/report): the final page, with the score.
    write_report_html(opts.out_dir, summary, reports, supervisor.grids, supervisor.submission.answers, final=True)
    return RunResult(supervisor.submission_path, report_path, score, reports)
