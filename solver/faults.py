"""Fault injection for the robustness tests, driven by one environment variable.

SOLVER_FAULTS is a comma-separated list of `kind:task_id[:count]`:
  raise:ID      the task raises inside its worker
  exit:ID       the worker process dies abruptly on that task (like a kill or a segfault)
  exit1:ID      the same, but only the first time (a marker file in SOLVER_FAULT_MARKERS records it)
  oom:ID:N      the first N batches of that task raise an out-of-memory error
  sleep:ID:S    the task sleeps S seconds first (to test deadlines); with SOLVER_FAULT_MARKERS
                set, a marker file `sleep-ID` says the sleep has begun
Unset (the normal case) it costs one dictionary lookup per task.
"""

from __future__ import annotations

import os
import time

import torch

FAULT_ENV = "SOLVER_FAULTS"
MARKER_ENV = "SOLVER_FAULT_MARKERS"


def _faults() -> list[tuple[str, str, float]]:
    spec = os.environ.get(FAULT_ENV, "")
    faults = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kind, _, rest = item.partition(":")
        task_id, _, count = rest.partition(":")
        faults.append((kind, task_id, float(count or 1)))
    return faults


class InjectedFault(RuntimeError):
    pass


_oom_counts: dict[str, int] = {}


def before_task(task_id: str) -> None:
    for kind, target, amount in _faults():
        if target != task_id:
            continue
        if kind == "raise":
            raise InjectedFault(f"injected failure in task {task_id}")
        if kind == "exit":
            os._exit(9)
        if kind == "exit1":
            marker = os.path.join(os.environ[MARKER_ENV], f"exit1-{task_id}")
            if not os.path.exists(marker):
                open(marker, "w").close()
                os._exit(9)
        if kind == "sleep":
            if MARKER_ENV in os.environ:
                open(os.path.join(os.environ[MARKER_ENV], f"sleep-{task_id}"), "w").close()
            time.sleep(amount)


def before_batch(what: str) -> None:
    """Raise an out-of-memory error for the first N batches of a targeted task."""
    for kind, target, amount in _faults():
        if kind == "oom" and f"task {target} " in f"{what} ":
            used = _oom_counts.get(target, 0)
            if used < amount:
                _oom_counts[target] = used + 1
                raise torch.cuda.OutOfMemoryError(f"injected out of memory ({what})")
