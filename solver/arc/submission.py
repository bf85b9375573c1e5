"""Kaggle's submission format, pre-filled with fallbacks and written atomically (solver.atomic).

Shape: {task_id: [{"attempt_1": grid, "attempt_2": grid}, ...one per test input, in order]}.
Every slot holds a valid answer from the moment the object exists, so a crash at any
point leaves a complete file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from solver.arc.tasks import AnyTask, InvalidTask, grid_problem
from solver.atomic import write_json_atomic

ATTEMPT_KEYS = ("attempt_1", "attempt_2")
BLANK_GRID = [[0]]


def grid_to_list(grid: np.ndarray) -> list[list[int]]:
    return np.asarray(grid, dtype=np.int64).tolist()


def fallback_attempts(task: AnyTask) -> list[dict[str, list[list[int]]]]:
    """Answers that need no model: the test input itself, then a blank 1x1 grid."""
    if isinstance(task, InvalidTask):
        return [{"attempt_1": BLANK_GRID, "attempt_2": BLANK_GRID} for _ in range(task.n_test)]
    return [{"attempt_1": grid_to_list(pair.input), "attempt_2": BLANK_GRID} for pair in task.test]


def attempts_entry(grids: list[np.ndarray]) -> dict[str, list[list[int]]]:
    return {key: grid_to_list(grid) for key, grid in zip(ATTEMPT_KEYS, grids, strict=True)}


class Submission:
    """All tasks' attempts, fallbacks until a task's real answers arrive."""

    def __init__(self, tasks: list[AnyTask]):
        self.answers: dict[str, list[dict]] = {task.id: fallback_attempts(task) for task in tasks}

    def set(self, task_id: str, entries: list[dict]) -> None:
        if len(entries) != len(self.answers[task_id]):
            raise ValueError(f"task {task_id}: {len(entries)} answers for {len(self.answers[task_id])} test inputs")
        self.answers[task_id] = entries

    def write(self, path: Path) -> None:
        write_json_atomic(path, self.answers)


def validate_submission(document: Any, expected: dict[str, int]) -> list[str]:
    """Problems with a submission document; `expected` maps task id -> number of test inputs.

    An empty list means the document is complete and valid for Kaggle.
    """
    if not isinstance(document, dict):
        return ["submission must be a JSON object {task_id: [...]}"]
    problems = [f"task {tid}: missing" for tid in expected if tid not in document]
    problems += [f"task {tid}: not in the tasks file" for tid in document if tid not in expected]
    for tid, n_test in expected.items():
        entries = document.get(tid)
        if tid not in document:
            continue
        if not isinstance(entries, list) or len(entries) != n_test:
            problems.append(f"task {tid}: needs a list of {n_test} attempt objects")
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or set(entry) != set(ATTEMPT_KEYS):
                problems.append(f"task {tid} test {i}: needs exactly attempt_1 and attempt_2")
                continue
            for key in ATTEMPT_KEYS:
                problem = grid_problem(entry[key])
                if problem:
                    problems.append(f"task {tid} test {i} {key}: {problem}")
    return problems


def expected_slots(tasks: list[AnyTask]) -> dict[str, int]:
    return {t.id: (t.n_test if isinstance(t, InvalidTask) else len(t.test)) for t in tasks}
