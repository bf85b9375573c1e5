"""Synthetic run reports on real tasks, for report-page tests and bench/report_page.py.

Grids are the tasks' own; the reports look like a full run's (1000 augmentations,
300 fine-tuning losses, five candidates per test with votes, some from a search expert
with a program), with every status represented.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solver.arc.submission import grid_to_list
from solver.arc.tasks import Task
from solver.report import task_grids

STATUS_WEIGHTS = {"done": 0.85, "failed": 0.05, "timeout": 0.05, "invalid": 0.05}


def perturbed(grid: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    grid = grid.copy()
    cells = rng.integers(0, grid.size, max(1, grid.size // 10))
    grid.flat[cells] = rng.integers(0, 10, cells.size)
    return grid


def synthetic_report(
    task: Task, truths: list, rng: np.random.Generator, n_augmentations: int = 1000, steps: int = 300
) -> tuple[dict[str, Any], list[dict]]:
    """(a finished task's report, its submission entries)."""
    tests, entries = [], []
    for truth in truths[: len(task.test)]:
        truth = np.array(truth, np.uint8)
        grids = [truth if rng.random() < 0.5 else perturbed(truth, rng)] + [perturbed(truth, rng) for _ in range(4)]
        votes = np.sort(rng.multinomial(int(n_augmentations * 0.7), rng.dirichlet(np.ones(5))))[::-1]
        sequence = np.concatenate([np.repeat(np.arange(5), votes), -np.ones(n_augmentations - votes.sum(), int)])
        rng.shuffle(sequence)
        top = [
            {"grid": grid_to_list(g), "votes": int(v), "confidence": round(float(rng.random()), 4)}
            for g, v in zip(grids, votes)
        ]
        if rng.random() < 0.2:
            top[-1] = {**top[-1], "experts": ["search"], "program": "crop(largest_object(input))"}
        tests.append(
            {
                "candidates": n_augmentations,
                "distinct": int(5 + rng.integers(0, 200)),
                "top": top,
                "vote_sequence": sequence.tolist(),
                "sup_steps_run": n_augmentations * 16,
            }
        )
        entries.append({"attempt_1": top[0]["grid"], "attempt_2": top[1]["grid"]})
    losses = (2.5 * np.exp(-np.arange(steps) / 80) + 0.05 * rng.random(steps)).round(4).tolist()
    report = {
        "status": "done",
        "finetune_steps": steps,
        "finetune_seconds": round(float(rng.uniform(20, 60)), 3),
        "finetune_losses": losses,
        "finetune_last_loss": losses[-1],
        "inference_seconds": round(float(rng.uniform(10, 40)), 3),
        "tests": tests,
    }
    report["seconds"] = round(report["finetune_seconds"] + report["inference_seconds"], 3)
    return report, entries


def synthetic_run(tasks: list[Task], solutions: dict[str, list], seed: int = 0) -> dict[str, Any]:
    """Keyword arguments for solver.report.write_page: a finished run over `tasks`."""
    rng = np.random.default_rng(seed)
    reports, grids, answers = {}, {}, {}
    statuses = rng.choice(list(STATUS_WEIGHTS), len(tasks), p=list(STATUS_WEIGHTS.values()))
    for task, status in zip(tasks, statuses):
        grids[task.id] = None if status == "invalid" else task_grids(task, solutions.get(task.id))
        fallback = [{"attempt_1": grid_to_list(p.input), "attempt_2": [[0]]} for p in task.test]
        if status == "done":
            reports[task.id], answers[task.id] = synthetic_report(task, solutions[task.id], rng)
        else:
            cause = {
                "failed": "RuntimeError: injected failure",
                "timeout": "time budget ran out",
                "invalid": "task x: train[0].input: ragged grid (row 1 has 2 cells, row 0 has 3)",
            }[status]
            reports[task.id], answers[task.id] = {"status": str(status), "error": cause}, fallback
    summary = {
        "weights": "weights/trm-base.safetensors",
        "devices": ["cuda:0", "cuda:1"],
        "weights_provenance": {"pretrained on": "ARC-AGI-2 training minus evaluation overlaps"},
        "solve_config": {"finetune_steps": 300, "n_augmentations": 1000},
        "time_budget": 36000,
        "seconds": 35000.0,
    }
    return {"summary": summary, "reports": reports, "grids": grids, "answers": answers}
