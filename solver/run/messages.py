"""What the supervisor and its worker processes say to each other (all picklable).

Supervisor -> worker: a `WorkerSpec` at start, then one `Job` at a time (None: stop).
Worker -> supervisor: `Ready` or `Broken` once, then `Done` or `Failed` per job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solver.arc.tasks import Task
from solver.run.budget import Throughput


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker process needs to start."""

    device: str
    weights_path: str | None  # None: the deterministic untrained init of `preset`
    weights_sha256: str | None
    preset: str
    solve: dict[str, Any]
    calibrate: bool
    seed: int
    cpu_threads: int | None = None  # CPU workers share the cores instead of each taking all of them


@dataclass(frozen=True)
class Job:
    task: Task
    seconds: float | None  # planned share of time, None when no budget
    finish_by: float | None  # time.monotonic() by which every task should be done (the planning horizon)
    hard_deadline: float | None  # the supervisor stops workers then; monotonic clocks agree across processes


@dataclass(frozen=True)
class Ready:
    worker_id: int
    rates: Throughput | None  # measured at start-up when the run has a budget


@dataclass(frozen=True)
class Broken:
    """The worker could not start (e.g. the weights or the device failed to load)."""

    worker_id: int
    error: str


@dataclass(frozen=True)
class Done:
    worker_id: int
    task_id: str
    entries: list[dict]  # one {"attempt_1", "attempt_2"} per test input
    report: dict[str, Any]  # JSON-ready, as written to reports/<id>.json


@dataclass(frozen=True)
class Failed:
    worker_id: int
    task_id: str
    error: str  # one line


TaskMessage = Done | Failed
WorkerMessage = Ready | Broken | Done | Failed
