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
    """One progress line for a finished task: what leads each test input's answer."""
    leads = []
    for test in report.get("tests", []):
        top = test["top"][0] if test.get("top") else None
        if top is None:
            leads.append("no candidate")
        elif top.get("program"):
            program = top["program"]
            leads.append(f"program {program if len(program) <= 60 else program[:57] + '...'}")
        else:
            leads.append(f"TRM {top['votes']}/{test.get('candidates', 0)} votes")
    finetune = f", {report['finetune_steps']} fine-tuning steps" if "finetune_steps" in report else ""
    return f"task {task_id} done in {report.get('seconds', 0):.1f}s{finetune}: {'; '.join(leads)}"
