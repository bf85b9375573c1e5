"""The grids a report page needs, stored compactly in each per-task report.

A grid is kept as a list of strings, one per row, one digit per cell ("0".."9"): about
half the size of nested JSON lists, and still readable. `task_grids` is what the
supervisor writes under "task" in OUT/reports/<task>.json, so `python -m solver.report
OUT` can redraw every task from OUT/ alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solver.arc.tasks import MAX_SIDE, AnyTask, Task

DIGITS = frozenset("0123456789")


def as_rows(grid: Any) -> list[str] | None:
    """A grid (rows of digits, nested lists of ints, or an array) as rows of digits; None if it is not a grid."""
    if isinstance(grid, np.ndarray):
        grid = grid.tolist()
    if not isinstance(grid, list) or not 1 <= len(grid) <= MAX_SIDE:
        return None
    if all(isinstance(row, str) for row in grid):
        rows = grid
    elif all(isinstance(row, list) for row in grid):
        if any(type(cell) is not int or not 0 <= cell <= 9 for row in grid for cell in row):
            return None
        rows = ["".join(map(str, row)) for row in grid]
    else:
        return None
    width = len(rows[0])
    if not 1 <= width <= MAX_SIDE or any(len(row) != width or not set(row) <= DIGITS for row in rows):
        return None
    return rows


def task_grids(task: AnyTask, truths: list[Any] | None = None) -> dict[str, Any] | None:
    """{"train": [{"input", "output"}], "test": [{"input", "output" when known}]}; None for an invalid task.

    A test output comes from the task itself, else from `truths` (the run's solutions).
    """
    if not isinstance(task, Task):
        return None
    truths = truths if isinstance(truths, list) else []
    tests = []
    for i, pair in enumerate(task.test):
        test = {"input": as_rows(pair.input)}
        truth = as_rows(pair.output) if pair.output is not None else as_rows(truths[i]) if i < len(truths) else None
        if truth is not None:
            test["output"] = truth
        tests.append(test)
    return {"train": [{"input": as_rows(p.input), "output": as_rows(p.output)} for p in task.train], "test": tests}
