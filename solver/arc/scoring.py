"""Local scoring by Kaggle's rule, plus TRM's per-task average.

Kaggle: a test output scores 1 if either attempt equals it exactly (shape and every
cell); the score is the sum over all test outputs divided by their number. A test
output with no prediction scores 0; it is never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Score:
    correct: int = 0
    total: int = 0
    per_task: dict[str, list[bool]] = field(default_factory=dict)  # task id -> one flag per test output

    @property
    def kaggle(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def per_task_average(self) -> float:
        """Mean over tasks of the fraction of each task's test outputs solved (TRM's evaluator)."""
        scored = [flags for flags in self.per_task.values() if flags]
        if not scored:
            return 0.0
        return sum(sum(flags) / len(flags) for flags in scored) / len(scored)

    def summary_line(self) -> str:
        return f"score: {self.kaggle:.4f} ({self.correct}/{self.total} test outputs)"


def attempt_matches(entry: Any, truth: list[list[int]]) -> bool:
    """Whether either attempt of one submission entry equals the true grid exactly."""
    if not isinstance(entry, dict):
        return False
    return any(entry.get(key) == truth for key in ("attempt_1", "attempt_2"))


def score_submission(submission: dict[str, Any], solutions: dict[str, list]) -> Score:
    """Score every test output listed in `solutions` (task id -> list of true grids)."""
    score = Score()
    for task_id, truths in solutions.items():
        entries = submission.get(task_id)
        entries = entries if isinstance(entries, list) else []
        flags = [i < len(entries) and attempt_matches(entries[i], truth) for i, truth in enumerate(truths)]
        score.per_task[task_id] = flags
        score.correct += sum(flags)
        score.total += len(flags)
    return score
