"""A device worker: one process per GPU (or one for the CPU) that solves tasks it is sent.

The worker loads the weights once, keeps a copy of the base state to restore before
each task, and reports each task as done or failed. Any exception inside a task is
caught here and reported in one line, so one task never costs the others. The worker
ends, quietly, as soon as its supervisor is gone (even mid-task, even after a kill -9
of the supervisor alone): nobody would read what it still had to say.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import threading
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

import torch

from solver import faults
from solver.clock import Deadline
from solver.config import SEARCH, TRM, SolveConfig
from solver.run.budget import OVERRUN_FACTOR, TaskPlan, Throughput, full_plan, plan_task, sample_work, split_search_time
from solver.run.messages import Broken, Done, Failed, Job, Ready, WorkerSpec
from solver.run.throughput import measure_throughput
from solver.search import warmup as search_warmup
from solver.solve_task import TaskOutcome, TrmWork, solve_task
from solver.trm.codec import task_canvas_side
from solver.trm.config import model_preset
from solver.trm.model import TRM as TRMModel
from solver.trm.weights import build_model, load_weights

log = logging.getLogger(__name__)


def load_model(spec: WorkerSpec, device: torch.device) -> TRMModel:
    if spec.weights_path is None:
        return build_model(model_preset(spec.preset)).to(device)
    return load_weights(Path(spec.weights_path), device, sha256=spec.weights_sha256)


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


class TaskSolver:
    """The per-device state: model, base weights, measured speed."""

    def __init__(self, spec: WorkerSpec):
        from solver.seeding import seed_everything

        seed_everything(spec.seed)
        self.device = torch.device(spec.device)
        if spec.cpu_threads is not None:
            torch.set_num_threads(spec.cpu_threads)
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
            torch.backends.cuda.matmul.allow_tf32 = True
        self.cfg = SolveConfig.from_dict(spec.solve)
        self.model: TRMModel | None = None
        self.base_state: dict[str, torch.Tensor] | None = None
        self.rates: Throughput | None = None
        if TRM in self.cfg.experts:
            self.model = load_model(spec, self.device)
            self.model.cfg = self.cfg.recursion(self.model.cfg)  # this run's cycles and depths
            self.model.eval()
            self.base_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            self.rates = measure_throughput(self.model, self.cfg, self.device) if spec.calibrate else None
        if SEARCH in self.cfg.experts:
            search_warmup()  # compile (or load from numba's cache) every kernel before the first task's clock

    def solve(self, job: Job) -> TaskOutcome:
        task = job.task
        faults.before_task(task.id)
        hard = Deadline(job.hard_deadline)
        soft = hard
        if job.seconds is not None:
            soft = Deadline.in_seconds(job.seconds * OVERRUN_FACTOR).earliest(Deadline(job.finish_by))
        if self.model is None:  # the program search alone
            search_s = None if job.seconds is None else split_search_time(self.cfg, job.seconds)[0]
            plan = TaskPlan(0, self.cfg.finetune_batch, 0, 0, job.seconds, None, search_s)
            return solve_task(None, None, task, plan, self.cfg, soft, hard, self.device)
        depth = self.model.cfg.inference_depth
        work = sample_work(task_canvas_side(task, self.model.cfg.canvas), self.model.cfg)
        if job.seconds is None or self.rates is None:
            plan = full_plan(self.cfg, depth)
        else:
            search_s, trm_s = split_search_time(self.cfg, job.seconds)
            plan = dataclasses.replace(
                plan_task(self.cfg, trm_s, work, len(task.test), self.rates, depth),
                planned_seconds=job.seconds,
                search_seconds=search_s,
            )
        outcome = solve_task(self.model, self.base_state, task, plan, self.cfg, soft, hard, self.device)
        if self.rates is not None and outcome.trm_work is not None:
            self.rates = observed_rates(self.rates, outcome.trm_work, work)
        return outcome


RATE_MEMORY = 0.5  # weight of the old estimate when a task's timings update it


def observed_rates(old: Throughput, done: TrmWork, work: float) -> Throughput:
    """Blend the rates a finished task actually achieved into the estimate.

    The start-up calibration runs one small shape; real tasks have other canvas sizes
    and batches, so what they measured is the better guide for the next task. A
    fine-tuning step is one supervision step of every sample in the batch; inference
    work is the supervision steps its candidates ran.
    """
    train, infer = old.train_units_per_s, old.infer_units_per_s
    train_work = done.finetune_steps * done.finetune_batch * work
    if train_work and done.finetune_seconds > 0:
        train = RATE_MEMORY * train + (1 - RATE_MEMORY) * train_work / done.finetune_seconds
    infer_work = done.sup_steps_run * work
    if infer_work and done.inference_seconds > 0:
        infer = RATE_MEMORY * infer + (1 - RATE_MEMORY) * infer_work / done.inference_seconds
    return Throughput(train, infer)


def end_with_supervisor() -> None:
    """Exit this process the moment the supervisor's process ends, whatever it is doing.

    A daemon thread waits on the parent's sentinel (a pipe that reads as closed once the
    parent is gone, however it died) and exits at once: no traceback, no broken pipe. The
    worker owns no file it could leave half-written; the supervisor writes every output.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by a supervisor (a test calling worker code directly)
        return

    def watch() -> None:
        parent.join()
        os._exit(0)  # nobody is left to read the exit code

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


SUPERVISOR_GONE = (BrokenPipeError, EOFError)  # what a pipe to or from a dead supervisor raises


def worker_main(worker_id: int, spec: WorkerSpec, jobs: Connection, answers: Connection) -> None:
    """Process entry point: Ready (or Broken), then Done or Failed per job, until a None job."""
    end_with_supervisor()
    logging.basicConfig(level=logging.WARNING, format=f"[worker {worker_id}] %(levelname)s %(message)s")
    with contextlib.suppress(*SUPERVISOR_GONE):  # it died just now, before the watch thread saw it
        serve(worker_id, spec, jobs, answers)


def serve(worker_id: int, spec: WorkerSpec, jobs: Connection, answers: Connection) -> None:
    try:
        solver = TaskSolver(spec)
    except Exception as error:  # reported to the supervisor, which falls back for every task
        answers.send(Broken(worker_id, one_line(error)))
        return
    answers.send(Ready(worker_id, solver.rates))
    while (job := jobs.recv()) is not None:
        try:
            outcome = solver.solve(job)
            answers.send(Done(worker_id, job.task.id, outcome.entries, outcome.report.to_dict()))
        except SUPERVISOR_GONE:
            raise
        except Exception as error:  # one task's crash (or an answer that cannot be sent) must not cost the others
            log.debug("task %s failed:\n%s", job.task.id, traceback.format_exc())
            answers.send(Failed(worker_id, job.task.id, one_line(error)))
