"""The worker pool: one process per device, each with its own inbox and at most one job."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing as mp
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from solver.arc.tasks import Task
from solver.run.messages import Broken, Job, Ready, TaskMessage, WorkerSpec
from solver.run.worker import worker_main

log = logging.getLogger(__name__)

MAX_START_FAILURES = 2  # a device whose workers die this often before becoming ready is given up
SHUTDOWN_WAIT_S = 5.0


@dataclass
class WorkerHandle:
    """The supervisor's view of one worker process."""

    process: Any  # a spawn-context Process
    inbox: Any  # a spawn-context Queue of Job | None
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


class WorkerPool:
    def __init__(self, spec: WorkerSpec, devices: list[str]):
        self.spec = spec
        self.context = mp.get_context("spawn")  # CUDA cannot be forked
        self.outbox = self.context.Queue()
        self.workers: dict[int, WorkerHandle] = {}
        self.next_id = 0
        self.last_error = "unknown error"
        self.start_failures: Counter[str] = Counter()
        for device in devices:
            self._spawn(device)

    def _spawn(self, device: str) -> None:
        worker_id, self.next_id = self.next_id, self.next_id + 1
        inbox = self.context.Queue()
        spec = dataclasses.replace(self.spec, device=device)
        process = self.context.Process(target=worker_main, args=(worker_id, spec, inbox, self.outbox), daemon=True)
        with sigint_ignored():
            process.start()
        self.workers[worker_id] = WorkerHandle(process, inbox, device)

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
        self.workers[worker_id].inbox.put(job)

    def release(self, worker_id: int) -> None:
        if worker_id in self.workers:
            self.workers[worker_id].job = None

    def receive(self, timeout: float) -> TaskMessage | None:
        """The next task message (Done or Failed), or None; Ready and Broken are handled here."""
        try:
            message = self.outbox.get(timeout=timeout)
        except queue.Empty:
            return None
        worker = self.workers.get(message.worker_id)
        if isinstance(message, Ready):
            if worker is not None:
                worker.ready = True
                if message.rates is not None:
                    log.info("worker %d on %s: %.0f train / %.0f inference work units per second",
                             message.worker_id, worker.device, message.rates.train_units_per_s,
                             message.rates.infer_units_per_s)
            return None
        if isinstance(message, Broken):
            if worker is not None:
                worker.broken = True
            self.last_error = message.error
            log.error("worker %d could not start: %s", message.worker_id, message.error)
            return None
        return message

    def drain(self) -> list[TaskMessage]:
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
            if worker.broken or worker.process.is_alive():
                continue
            del self.workers[worker_id]
            if worker.job is not None:
                orphans.append(worker.job.task)
            if not worker.ready:
                self.start_failures[worker.device] += 1
            if self.start_failures[worker.device] >= MAX_START_FAILURES:
                self.last_error = f"workers on {worker.device} died {MAX_START_FAILURES} times while starting"
                log.error("%s; giving that device up", self.last_error)
                continue
            log.warning("worker %d on %s died (exit code %s); starting a new one", worker_id, worker.device,
                        worker.process.exitcode)
            self._spawn(worker.device)
        return orphans

    def shutdown(self, graceful: bool = True) -> None:
        """Stop every worker.

        Graceful: a ready, idle worker is asked to exit (and given SHUTDOWN_WAIT_S). Any other
        worker (busy, still starting, or all of them when not graceful, e.g. at the hard
        deadline) is terminated at once: nothing it would still do is wanted.
        """
        polite = {i for i, w in self.workers.items() if graceful and w.ready and w.job is None}
        for worker_id, worker in self.workers.items():
            if not worker.process.is_alive():
                continue
            if worker_id in polite:
                worker.inbox.put(None)
            else:
                worker.process.terminate()
        deadline = time.monotonic() + SHUTDOWN_WAIT_S
        for worker in self.workers.values():
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(1.0)
            if worker.process.is_alive():
                worker.process.kill()
