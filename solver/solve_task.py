"""Solve one task: ask every expert of the run, then fill the two attempts per test input.

The program search (solver.search) runs first: it is quick, and what it finds is checked
against every demonstration. The TRM (solver.trm) then restores its base weights,
fine-tunes on the task and votes over augmented predictions. solver.ensemble orders
what they proposed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from solver.arc.augment import draw_augmentations
from solver.arc.submission import attempts_entry, grid_to_list
from solver.arc.tasks import Task
from solver.arc.voting import Candidate, HasGrid, Ranked, grid_key, rank, top_attempts
from solver.clock import Deadline
from solver.config import SolveConfig
from solver.ensemble import SEARCH, TRM, Choice, combine
from solver.run.budget import TaskPlan
from solver.search import SearchSettings, search_task
from solver.task_report import DONE, CandidateReport, TaskReport, TestReport, TrmFigures
from solver.trm.codec import task_canvas_side
from solver.trm.finetune import finetune
from solver.trm.inference import predict
from solver.trm.model import TRM as TRMModel

REPORTED_CANDIDATES = 5  # distinct grids listed per test input in the report
LOSS_DIGITS = 4  # significant digits of each fine-tuning loss kept in the report


@dataclass
class TrmWork:
    """What the TRM did on one task and how long it took: the budget planner learns its speed from it."""

    finetune_steps: int
    finetune_batch: int  # after any out-of-memory back-off
    finetune_seconds: float
    sup_steps_run: int  # over every candidate of every test input
    inference_seconds: float


@dataclass
class TaskOutcome:
    task_id: str
    entries: list[dict]  # one {"attempt_1", "attempt_2"} per test input
    report: TaskReport  # what reports/<id>.json, report.json and report.html show
    trm_work: TrmWork | None = None  # None when the TRM did not run


@dataclass
class TrmAnswers:
    ranked: list[list[Ranked]]  # per test input: distinct grids, best first
    candidates: list[list[Candidate]]  # per test input: every de-augmented prediction, in augmentation order
    tests: list[TestReport]  # per test input: what the report says of the TRM's candidates
    figures: TrmFigures  # task-level fine-tuning and inference figures, for the report
    work: TrmWork  # the same, for the budget planner


def trm_answers(
    model: TRMModel,
    base_state: dict[str, torch.Tensor],
    task: Task,
    plan: TaskPlan,
    cfg: SolveConfig,
    soft_deadline: Deadline,
    hard_deadline: Deadline,
    device: torch.device,
    inference_batch: int | None = None,
) -> TrmAnswers:
    """Fine-tune from `base_state` and vote over augmented predictions for every test input.

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
    tuned = finetune(
        model, task, augmentations, side, plan.finetune_steps, plan.finetune_batch, cfg, finetune_deadline, device
    )
    ranked_per_test, candidates_per_test, tests = [], [], []
    for pair in task.test:
        candidates = predict(
            model,
            pair.input,
            augmentations,
            tuned.embeddings,
            side,
            plan.inference_sup_steps,
            inference_batch or cfg.inference_batch,
            soft_deadline,
            hard_deadline,
            device,
            what=f"task {task.id} inference",
            early_stop=cfg.inference_early_stop,
        )
        ranked = rank(candidates)
        ranked_per_test.append(ranked)
        candidates_per_test.append(candidates)
        sup_steps_run = sum(c.sup_steps for c in candidates)  # candidates x supervision steps run
        tests.append(TestReport(candidates=len(candidates), sup_steps_run=sup_steps_run, distinct=len(ranked)))
    inference_seconds = round(time.monotonic() - start - tuned.seconds, 3)
    figures = TrmFigures(
        canvas_side=side,
        recursion={  # the recursion this run used (SolveConfig.recursion over the model's own)
            "h_cycles": model.cfg.h_cycles,
            "l_cycles": model.cfg.l_cycles,
            "finetune_sup_steps": model.cfg.halt_max_steps,
            "inference_sup_steps": plan.inference_sup_steps,
        },
        embedding_init=cfg.embedding_init,
        finetune_steps=tuned.steps,
        finetune_seconds=round(tuned.seconds, 3),
        finetune_last_loss=None if tuned.last_loss is None else round(tuned.last_loss, 5),
        finetune_batch=tuned.batch,
        finetune_losses=[float(f"{loss:.{LOSS_DIGITS}g}") for loss in tuned.losses],
        inference_seconds=inference_seconds,
    )
    work = TrmWork(
        finetune_steps=tuned.steps,
        finetune_batch=tuned.batch,
        finetune_seconds=round(tuned.seconds, 3),
        sup_steps_run=sum(t.sup_steps_run or 0 for t in tests),
        inference_seconds=inference_seconds,
    )
    return TrmAnswers(ranked_per_test, candidates_per_test, tests, figures, work)


def vote_sequence(candidates: Sequence[HasGrid], top: Sequence[HasGrid]) -> list[int]:
    """For each candidate, in augmentation order, the index of its grid in `top`, or -1 if not there.

    Replaying it shows how the vote's answer changes as more augmentations are counted.
    """
    index = {grid_key(r.grid): i for i, r in enumerate(top)}
    return [index.get(grid_key(c.grid), -1) for c in candidates]


def search_settings(cfg: SolveConfig, plan: TaskPlan, hard_deadline: Deadline) -> SearchSettings:
    """The search's settings for one task: its planned time, never past the run's hard deadline."""
    seconds = cfg.search_seconds if plan.search_seconds is None else plan.search_seconds
    seconds = min(seconds, hard_deadline.remaining())
    return SearchSettings(
        time_limit_s=max(seconds, 0.05), max_depth=cfg.search_depth, max_candidates=REPORTED_CANDIDATES
    )


def candidate_report(choice: Choice) -> CandidateReport:
    return CandidateReport(
        grid=grid_to_list(choice.grid),
        experts=list(choice.experts),
        votes=choice.votes,
        confidence=None if choice.confidence is None else round(choice.confidence, 4),
        program=choice.program,
    )


def solve_task(
    model: TRMModel | None,
    base_state: dict[str, torch.Tensor] | None,
    task: Task,
    plan: TaskPlan,
    cfg: SolveConfig,
    soft_deadline: Deadline,
    hard_deadline: Deadline,
    device: torch.device,
    inference_batch: int | None = None,
) -> TaskOutcome:
    """Answer every test input of `task` with the experts in `cfg.experts`.

    `model` and `base_state` are needed only when the TRM is one of them.
    """
    start = time.monotonic()
    report = TaskReport(status=DONE, experts=list(cfg.experts), plan=plan.to_dict())
    n_test = len(task.test)
    searched: list[list] = [[] for _ in range(n_test)]
    if SEARCH in cfg.experts and not hard_deadline.expired():
        demos = [(p.input, p.output) for p in task.train if p.output is not None]  # always set for demos
        result = search_task(demos, [p.input for p in task.test], search_settings(cfg, plan, hard_deadline))
        searched = result.per_test
        report.search = result.stats
    trm = None
    if TRM in cfg.experts:
        if model is None or base_state is None:
            raise ValueError("solve_task: the TRM expert needs a model and its base weights")
        trm = trm_answers(model, base_state, task, plan, cfg, soft_deadline, hard_deadline, device, inference_batch)
        report.trm = trm.figures
    entries, report.tests = [], []
    for i, pair in enumerate(task.test):
        choices = combine(searched[i], trm.ranked[i] if trm else [])
        entries.append(attempts_entry(top_attempts(choices, fallback=pair.input)))
        shown = choices[:REPORTED_CANDIDATES]
        test = trm.tests[i] if trm else TestReport()
        test.top = [candidate_report(c) for c in shown]
        if trm:
            test.vote_sequence = vote_sequence(trm.candidates[i], shown)
        report.tests.append(test)
    report.seconds = round(time.monotonic() - start, 3)
    return TaskOutcome(task.id, entries, report, trm.work if trm else None)
