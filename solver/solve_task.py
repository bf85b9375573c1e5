"""Solve one task: restore the base weights, fine-tune, run augmented inference, vote."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch

from solver.arc.augment import draw_augmentations
from solver.clock import Deadline
from solver.run.budget import TaskPlan
from solver.trm.codec import task_canvas_side
from solver.config import SolveConfig
from solver.trm.finetune import finetune
from solver.trm.inference import predict
from solver.trm.model import TRM
from solver.arc.submission import attempts_entry, grid_to_list
from solver.arc.tasks import Task
from solver.arc.voting import rank, top_attempts

REPORTED_CANDIDATES = 5  # distinct grids listed per test input in the report


@dataclass
class TaskOutcome:
    task_id: str
    entries: list[dict]  # one {"attempt_1", "attempt_2"} per test input
    report: dict[str, Any]


def solve_task(model: TRM, base_state: dict[str, torch.Tensor], task: Task, plan: TaskPlan, cfg: SolveConfig,
               soft_deadline: Deadline, hard_deadline: Deadline, device: torch.device,
               inference_batch: int | None = None) -> TaskOutcome:
    """Fine-tune from `base_state` and answer every test input of `task`.

    After `soft_deadline` fine-tuning stops and inference keeps only the batches
    already run (at least one); after `hard_deadline` nothing new starts.
    """
    start = time.monotonic()
    model.load_state_dict(base_state)
    side = task_canvas_side(task, model.cfg.canvas)
    augmentations = draw_augmentations(task.id, cfg.seed, plan.n_augmentations, cfg.keep_colour_zero)
    finetune_deadline = soft_deadline
    if plan.finetune_seconds is not None:  # fine-tuning must leave inference its share
        finetune_deadline = Deadline.in_seconds(plan.finetune_seconds).earliest(soft_deadline)
    tuned = finetune(model, task, augmentations, side, plan.finetune_steps, plan.finetune_batch, cfg,
                     finetune_deadline, device)
    entries, test_reports = [], []
    for i, pair in enumerate(task.test):
        candidates = predict(model, pair.input, augmentations, tuned.embeddings, side, plan.inference_sup_steps,
                             inference_batch or cfg.inference_batch, soft_deadline, hard_deadline, device,
                             what=f"task {task.id} inference", early_stop=cfg.inference_early_stop)
        ranked = rank(candidates)
        entries.append(attempts_entry(top_attempts(ranked, fallback=pair.input)))
        test_reports.append({
            "candidates": len(candidates),
            "sup_steps_run": sum(c.sup_steps for c in candidates),  # candidates x supervision steps run
            "distinct": len(ranked),
            "top": [{"grid": grid_to_list(r.grid), "votes": r.votes, "confidence": round(r.mean_confidence, 4)}
                    for r in ranked[:REPORTED_CANDIDATES]],
        })
    report = {
        "canvas_side": side,
        "plan": plan.to_dict(),
        "finetune_steps": tuned.steps,
        "finetune_seconds": round(tuned.seconds, 3),
        "finetune_last_loss": None if tuned.last_loss is None else round(tuned.last_loss, 5),
        "finetune_batch": tuned.batch,
        "inference_seconds": round(time.monotonic() - start - tuned.seconds, 3),
        "tests": test_reports,
        "seconds": round(time.monotonic() - start, 3),
    }
    return TaskOutcome(task.id, entries, report)
