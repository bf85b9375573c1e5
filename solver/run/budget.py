"""Time budget: split a total budget across tasks and size each task's work to fit.

Work is counted in "units": one sample of L positions through one supervision step
costs L * (1 + L / attention_scale) units, the linear layers' cost per position plus
attention's, which grows with L (see `sample_work`). A short calibration on the
device measures units per second for training (forward + backward) and inference
(forward only), refined by every finished task; a task's plan then picks fine-tuning
steps, augmentations and supervision steps that fit its share. Deadlines inside the
loops catch what the estimate misses.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.clock import Deadline
from solver.config import SEARCH, TRM, SolveConfig
from solver.trm.config import ModelConfig

# Time kept back from the total for start-up, calibration and writing the submission.

RESERVE_FRACTION = 0.05
RESERVE_MIN_S = 5.0
# A task may overrun its planned share by this factor before its loops are cut short.
OVERRUN_FACTOR = 1.5


@dataclass(frozen=True)
class Throughput:
    train_units_per_s: float
    infer_units_per_s: float


@dataclass(frozen=True)
class TaskPlan:
    finetune_steps: int
    finetune_batch: int
    n_augmentations: int
    inference_sup_steps: int
    planned_seconds: float | None = None  # the task's share; None when no budget was given
    finetune_seconds: float | None = None  # the part of it fine-tuning may use
    search_seconds: float | None = None  # the program search's cap; None: the configured one

    def to_dict(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 2)

        return {
            "finetune_steps": self.finetune_steps,
            "finetune_batch": self.finetune_batch,
            "n_augmentations": self.n_augmentations,
            "inference_sup_steps": self.inference_sup_steps,
            "planned_seconds": rounded(self.planned_seconds),
            "finetune_seconds": rounded(self.finetune_seconds),
            "search_seconds": rounded(self.search_seconds),
        }


# Below this many fine-tuning steps at the configured batch, the batch shrinks instead,
# so a small budget still adapts the model a little.
MIN_FINETUNE_STEPS = 8
MIN_FINETUNE_BATCH = 4


def sample_work(side: int, model: ModelConfig) -> float:
    """Units of work for one sample through one supervision step on a side x side canvas.

    Per position, the linear layers cost ~2(4D^2 + 3DM) flops and attention ~4LD, so
    attention adds L / attention_scale with attention_scale = (4D + 3M) / 2.
    """
    length = model.prefix_len + side * side
    attention_scale = (4 * model.hidden_size + 3 * model.mlp_hidden) / 2
    return length * (1 + length / attention_scale)


def task_weight(side: int, n_train: int, n_test: int) -> float:
    """Relative cost of a task: its canvas area times how many grids it has."""
    return float(side * side * (n_train + n_test))


def full_plan(cfg: SolveConfig, inference_depth: int) -> TaskPlan:
    """The configured work, unscaled (no time budget), on a model of that inference depth (ModelConfig)."""
    return TaskPlan(cfg.finetune_steps, cfg.finetune_batch, cfg.n_augmentations, cfg.sup_steps_for(inference_depth))


def split_search_time(cfg: SolveConfig, seconds: float) -> tuple[float, float]:
    """(search seconds, seconds left for the TRM) of a task's share.

    The search takes at most `cfg.search_seconds`, and at most `cfg.search_share` of the
    share when the TRM runs too; alone, it may use the whole share up to its cap.
    """
    if SEARCH not in cfg.experts:
        return 0.0, seconds
    if TRM not in cfg.experts:
        return min(cfg.search_seconds, seconds), 0.0
    search = min(cfg.search_seconds, seconds * cfg.search_share)
    return search, seconds - search


def _finetune_size(cfg: SolveConfig, samples: int) -> tuple[int, int]:
    """(steps, batch) that spend at most `samples` training samples."""
    if cfg.finetune_steps == 0:
        return 0, cfg.finetune_batch
    if samples >= cfg.finetune_batch * MIN_FINETUNE_STEPS:
        return min(cfg.finetune_steps, samples // cfg.finetune_batch), cfg.finetune_batch
    batch = max(MIN_FINETUNE_BATCH, min(cfg.finetune_batch, samples // MIN_FINETUNE_STEPS))
    return min(cfg.finetune_steps, samples // batch), batch


def plan_task(
    cfg: SolveConfig, seconds: float, work: float, n_test: int, rates: Throughput, inference_depth: int
) -> TaskPlan:
    """Scale the configured work down to fit `seconds` at the measured rates.

    `work` is `sample_work` of the task's canvas; `inference_depth` the model's (ModelConfig.inference_depth).
    A fine-tuning step costs batch x one supervision step (solver.trm.finetune advances
    every sample in flight by one step per optimizer step); an augmentation's inference
    costs n_test x its supervision steps.
    Fine-tuning gets up to `cfg.finetune_share` of the time; inference gets the rest.
    When even `cfg.min_augmentations` passes do not fit at full depth, supervision
    steps are reduced before augmentations.
    """
    seconds = max(seconds, 0.0)
    sup_steps = cfg.sup_steps_for(inference_depth)
    sample_cost = work / rates.train_units_per_s  # one sample, one supervision step, forward + backward
    pass_cost = n_test * work / rates.infer_units_per_s  # one augmentation, one step
    floor_aug = min(cfg.n_augmentations, cfg.min_augmentations)
    # Fine-tuning never eats the time of the smallest inference (floor_aug passes, one step).
    finetune_budget = max(0.0, min(seconds * cfg.finetune_share, seconds - floor_aug * pass_cost))
    finetune_steps, finetune_batch = _finetune_size(cfg, int(finetune_budget / sample_cost))
    infer_seconds = seconds - finetune_steps * finetune_batch * sample_cost
    n_aug = min(cfg.n_augmentations, int(infer_seconds / (pass_cost * sup_steps)))
    if n_aug < floor_aug:
        n_aug = floor_aug
        sup_steps = max(1, min(sup_steps, int(infer_seconds / (pass_cost * n_aug))))
    return TaskPlan(finetune_steps, finetune_batch, n_aug, sup_steps, seconds, finetune_budget)


class BudgetTracker:
    """Hands each task its share of what is left: remaining time x weight / remaining weight.

    Time a task does not use rolls over to the tasks after it. `workers` tasks run at
    once (one per GPU), so the wall-clock time left is multiplied by the worker count;
    no share exceeds the wall-clock time left. A task started again (its worker died)
    gets its first share again, within the time left.
    """

    def __init__(self, total_seconds: float, weights: dict[str, float], workers: int = 1):
        reserve = max(RESERVE_MIN_S, RESERVE_FRACTION * total_seconds)
        self.deadline = Deadline.in_seconds(total_seconds - reserve)
        self.remaining_weight = dict(weights)
        self.workers = workers
        self.granted: dict[str, float] = {}

    def share(self, task_id: str) -> float:
        wall_left = max(self.deadline.remaining(), 0.0)
        total = sum(self.remaining_weight.values()) or 1.0
        return min(wall_left, wall_left * self.workers * self.remaining_weight.get(task_id, 0.0) / total)

    def start(self, task_id: str) -> float:
        """Seconds for this task; the task then stops counting against the others."""
        if task_id in self.granted:
            return min(self.granted[task_id], max(self.deadline.remaining(), 0.0))
        seconds = self.share(task_id)
        self.remaining_weight.pop(task_id, None)
        self.granted[task_id] = seconds
        return seconds
