"""Solve one task: restore the base weights, fine-tune, run augmented inference, vote."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch

from solver.augment import draw_augmentations
from solver.budget import Deadline, TaskPlan
from solver.codec import task_canvas_side
from solver.config import SolveConfig
from solver.finetune import finetune
from solver.inference import Candidate, predict
from solver.model import TRM
from solver.submission import attempts_entry, grid_to_list
from solver.tasks import Task
from solver.voting import Ranked, grid_key, rank, top_attempts

REPORTED_CANDIDATES = 5  # distinct grids listed per test input in the report
LOSS_DIGITS = 4  # significant digits of each fine-tuning loss kept in the report


@dataclass
class TaskOutcome:
    task_id: str
    entries: list[dict]  # one {"attempt_1", "attempt_2"} per test input
    report: dict[str, Any]


def vote_sequence(candidates: list[Candidate], top: list[Ranked]) -> list[int]:
    """For each candidate, in augmentation order, the index of its grid in `top`, or -1 if not there.

    Replaying it shows how the vote's answer changes as more augmentations are counted.
    """
    index = {grid_key(r.grid): i for i, r in enumerate(top)}
    return [index.get(grid_key(c.grid), -1) for c in candidates]


def solve_task(model: TRM, base_state: dict[str, torch.Tensor], task: Task, plan: TaskPlan, cfg: SolveConfig,
               soft_deadline: Deadline, hard_deadline: Deadline, device: torch.device,
               inference_batch: int | None = None) -> TaskOutcome:
    """Fine-tune from `base_state` and answer every test input of `task`.

    After `soft_deadline` fine-tuning stops and inference keeps only the batches
    already run (at least one); after `hard_deadline` nothing new starts.
    """
    start = time.monotonic()
    model.load_state_dict(base_state)
    side = task_canvas_side(task)
    augmentations = draw_augmentations(task.id, cfg.seed, plan.n_augmentations, cfg.keep_colour_zero)
    finetune_deadline = soft_deadline
    if plan.finetune_seconds is not None:  # fine-tuning must leave inference its share
        finetune_deadline = Deadline.in_seconds(plan.finetune_seconds).earliest(soft_deadline)
    tuned = finetune(model, task, augmentations, side, plan.finetune_steps, plan.finetune_batch, cfg,
                     finetune_deadline, device)
    entries, test_reports = [], []
    for i, pair in enumerate(task.test):
        candidates = predict(model, pair.input, augmentations, tuned.embeddings, side, plan.sup_steps,
                             inference_batch or cfg.inference_batch, soft_deadline, hard_deadline, device,
                             what=f"task {task.id} inference")
        ranked = rank(candidates)
        top = ranked[:REPORTED_CANDIDATES]
        entries.append(attempts_entry(top_attempts(ranked, fallback=pair.input)))
        test_reports.append({
            "candidates": len(candidates),
            "sample_steps": sum(c.sup_steps for c in candidates),  # candidates x supervision steps run
            "distinct": len(ranked),
            "top": [{"grid": grid_to_list(r.grid), "votes": r.votes, "confidence": round(r.mean_confidence, 4)}
                    for r in top],
            "vote_sequence": vote_sequence(candidates, top),
        })
    report = {
        "canvas_side": side,
        "plan": plan.to_dict(),
        "finetune_steps": tuned.steps,
        "finetune_seconds": round(tuned.seconds, 3),
        "finetune_last_loss": None if tuned.last_loss is None else round(tuned.last_loss, 5),
        "finetune_batch": tuned.batch,
        "finetune_losses": [float(f"{loss:.{LOSS_DIGITS}g}") for loss in tuned.losses],
        "inference_seconds": round(time.monotonic() - start - tuned.seconds, 3),
        "tests": test_reports,
        "seconds": round(time.monotonic() - start, 3),
    }
    return TaskOutcome(task.id, entries, report)
