"""The worker pool: one process per device, each with a job pipe, an answer pipe and at most one job.

Each worker answers through a pipe of its own, not a queue shared by all: a worker killed
while writing (kill -9, the OOM killer) could otherwise die holding the shared queue's
lock, and every other worker's answers would wait on it forever. A dead worker's pipe
reads as closed (the supervisor keeps no copy of its write end), and what the worker
wrote before dying is still read. Jobs go through plain pipes too: a queue holds named
semaphores, which a killed supervisor would leave behind (and the resource tracker would
warn about them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing as mp
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from solver.arc.tasks import Task
from solver.run.messages import Broken, Job, Ready, TaskMessage, WorkerMessage, WorkerSpec
from solver.run.worker import worker_main

log = logging.getLogger(__name__)

MAX_START_FAILURES = 2  # a device whose workers die this often before becoming ready is given up
SHUTDOWN_WAIT_S = 5.0  # the longest a shutdown waits for workers to exit (less when the budget is short)
TERMINATE_WAIT_S = 1.0  # then a worker still there is terminated and given this long before it is killed


@dataclass
class WorkerHandle:
    """The supervisor's view of one worker process."""

    process: Any  # a spawn-context Process
    jobs: Connection  # the write end of the worker's job pipe: a Job, or None to stop
    answers: Connection  # the read end of the worker's answer pipe
    device: str
    job: Job | None = None
    ready: bool = False
    broken: bool = False


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while a worker process is started, so the worker inherits "ignore".

    Ctrl-C reaches the whole process group; only the supervisor should act on it (it stops
    the workers and says how to resume). A spawned Python that starts with SIGINT ignored
    never raises KeyboardInterrupt, so no worker prints a traceback, even mid-import.
    """
    if threading.current_thread() is not threading.main_thread():  # signal.signal works only there
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def post(worker: WorkerHandle, message: Job | None) -> None:
    """Hand a worker a job (None: stop). An idle worker is waiting for it, so this does not block."""
    with contextlib.suppress(OSError):  # it died since it was seen idle: reap_dead hands its job on
        worker.jobs.send(message)


class WorkerPool:
    def __init__(self, spec: WorkerSpec, devices: list[str]):
        self.spec = spec
        self.context = mp.get_context("spawn")  # CUDA cannot be forked
        self.pending: list[TaskMessage] = []  # read from dead workers' pipes, not yet handed out
        self.workers: dict[int, WorkerHandle] = {}
        self.next_id = 0
        self.last_error = "unknown error"
        self.start_failures: Counter[str] = Counter()
        for device in devices:
            self._spawn(device)

    def _spawn(self, device: str) -> None:
        worker_id, self.next_id = self.next_id, self.next_id + 1
        job_reader, jobs = self.context.Pipe(duplex=False)
        answers, answer_writer = self.context.Pipe(duplex=False)
        spec = dataclasses.replace(self.spec, device=device)
        args = (worker_id, spec, job_reader, answer_writer)
        process = self.context.Process(target=worker_main, args=args, daemon=True)
        with sigint_ignored():
            process.start()
        # The worker holds the only copies of these ends: its death reads as end-of-file (answers)
        # or a broken pipe (jobs) here.
        job_reader.close()
        answer_writer.close()
        self.workers[worker_id] = WorkerHandle(process, jobs, answers, device)

    def alive(self) -> bool:
        """Whether any worker is running or starting (given-up devices have none)."""
        return any(not w.broken for w in self.workers.values())

    def busy(self) -> bool:
        return any(w.job is not None for w in self.workers.values())

    def in_flight(self) -> list[str]:
        return [w.job.task.id for w in self.workers.values() if w.job is not None]

    def idle(self) -> list[int]:
        return [i for i, w in self.workers.items() if w.ready and w.job is None and not w.broken]

    def send(self, worker_id: int, job: Job) -> None:
        self.workers[worker_id].job = job
        post(self.workers[worker_id], job)

    def release(self, worker_id: int) -> None:
        if worker_id in self.workers:
            self.workers[worker_id].job = None

    def receive(self, timeout: float) -> list[TaskMessage]:
        """Task messages (Done or Failed) that arrive within `timeout` seconds (0: only those waiting).

        Ready and Broken are handled here.
        """
        messages, self.pending = self.pending, []
        readers = {w.answers: i for i, w in self.workers.items() if not w.answers.closed}
        for reader in wait(list(readers), 0.0 if messages else timeout) if readers else []:
            messages.extend(self._read(readers[reader]))  # type: ignore[index]
        return [m for m in messages if self._task_message(m)]

    def _read(self, worker_id: int) -> list:
        """Everything waiting in one worker's pipe; a closed pipe (the worker died) is closed here too."""
        answers, messages = self.workers[worker_id].answers, []
        try:
            while not answers.closed and answers.poll(0):
                messages.append(answers.recv())
        except (EOFError, OSError):  # the worker is gone; an answer cut off mid-write is lost with it
            answers.close()
        return messages

    def _task_message(self, message: WorkerMessage) -> bool:
        """Whether `message` is a task's answer; Ready and Broken update the worker's state."""
        worker = self.workers.get(message.worker_id)
        if isinstance(message, Ready):
            if worker is not None:
                worker.ready = True
                if message.rates is not None:
                    log.info(
                        "worker %d on %s: %.0f train / %.0f inference work units per second",
                        message.worker_id,
                        worker.device,
                        message.rates.train_units_per_s,
                        message.rates.infer_units_per_s,
                    )
            return False
        if isinstance(message, Broken):
            if worker is not None:
                worker.broken = True
            self.last_error = message.error
            log.error("worker %d could not start: %s", message.worker_id, message.error)
            return False
        return True

    def reap_dead(self) -> list[Task]:
        """Tasks whose worker process died mid-job; the worker is replaced on the same device.

        A device whose workers die before ever becoming ready is given up after
        MAX_START_FAILURES tries, so a broken device cannot restart workers forever.
        """
        orphans = []
        for worker_id, worker in list(self.workers.items()):
            if worker.broken or worker.process.is_alive():
                continue
            last_words = [m for m in self._read(worker_id) if self._task_message(m)]
            self.pending.extend(last_words)  # answers sent before dying still count
            worker.answers.close()
            worker.jobs.close()
            del self.workers[worker_id]
            if worker.job is not None and not any(m.task_id == worker.job.task.id for m in last_words):
                orphans.append(worker.job.task)
            if not worker.ready:
                self.start_failures[worker.device] += 1
            if self.start_failures[worker.device] >= MAX_START_FAILURES:
                self.last_error = f"workers on {worker.device} died {MAX_START_FAILURES} times while starting"
                log.error("%s; giving that device up", self.last_error)
                continue
            log.warning(
                "worker %d on %s died (exit code %s); starting a new one",
                worker_id,
                worker.device,
                worker.process.exitcode,
            )
            self._spawn(worker.device)
        return orphans

    def shutdown(self, graceful: bool = True, wait_s: float = SHUTDOWN_WAIT_S) -> None:
        """Stop every worker, waiting `wait_s` seconds in all for them to exit.

        Graceful: a ready, idle worker is asked to exit. Any other worker (busy, still
        starting, or all of them when not graceful, e.g. at the hard deadline) is terminated
        at once: nothing it would still do is wanted. One still there after `wait_s` is
        terminated, and killed if it outlives min(TERMINATE_WAIT_S, wait_s) more.
        """
        polite = {i for i, w in self.workers.items() if graceful and w.ready and w.job is None}
        for worker_id, worker in self.workers.items():
            if not worker.process.is_alive():
                continue
            if worker_id in polite:
                post(worker, None)
            else:
                worker.process.terminate()
        deadline = time.monotonic() + wait_s
        for worker in self.workers.values():
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(min(TERMINATE_WAIT_S, wait_s))
            if worker.process.is_alive():
                worker.process.kill()
            worker.jobs.close()
            worker.answers.close()
