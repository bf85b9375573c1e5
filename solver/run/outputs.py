"""The run's files beside the submission: per-task report names, report.json, correctness."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from solver.arc.scoring import Score

SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


def safe_filename(task_id: str) -> str:
    """A file name for a task id that can never leave its folder (no separators, no '..')."""
    cleaned = SAFE_NAME.sub("_", task_id)[:64]
    if cleaned != task_id or not cleaned:
        cleaned = f"{cleaned}-{hashlib.sha256(task_id.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
    return cleaned


def mark_correctness(reports: dict[str, dict[str, Any]], score: Score) -> None:
    """Add the scored per-test flags to each report whose task has known solutions."""
    for task_id, flags in score.per_task.items():
        if task_id in reports:
            reports[task_id]["correct"] = flags


def describe(task_id: str, report: dict[str, Any]) -> str:
    """One progress line for a finished task."""
    tests = report.get("tests", [])
    votes = ", ".join(f"{t['top'][0]['votes']}/{t['candidates']}" if t["top"] else "0" for t in tests)
    return (f"task {task_id} done in {report.get('seconds', 0):.1f}s: "
            f"{report.get('finetune_steps', 0)} fine-tuning steps, top votes {votes}")
