"""The run's files beside the submission: per-task report names, report.json, correctness."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from solver.arc.scoring import Score

SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")
# What a run writes beside submission.json and journal.jsonl (both rewritten at a run's start).
RUN_FILES = ("report.json", "report.html")
REPORTS_DIR = "reports"


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


def remove_run_files(out_dir: Path) -> None:
    """Remove an earlier run's reports from `out_dir`, so none of them looks like the new run's.

    Only the files a run writes (report.json, report.html, reports/*.json); anything else
    in the folder is left alone.
    """
    for name in RUN_FILES:
        (out_dir / name).unlink(missing_ok=True)
    reports = out_dir / REPORTS_DIR
    if reports.is_dir():
        for path in reports.glob("*.json"):
            path.unlink(missing_ok=True)


def finetune_note(report: dict[str, Any], configured_steps: int) -> str | None:
    """Why a task got fewer fine-tuning steps than configured (time budget or deadline), or None."""
    if "finetune_steps" not in report:  # the TRM did not run (the program search answered alone)
        return None
    plan = report.get("plan", {})
    planned, done = plan.get("finetune_steps", configured_steps), report.get("finetune_steps", 0)
    notes = []
    if planned < configured_steps:
        share = plan.get("finetune_seconds")
        within = f" in its {share:.1f} s for fine-tuning" if share is not None else ""
        if planned == 0:
            notes.append(
                f"fine-tuning skipped: not one step fits{within} at the measured speed (time budget); "
                "answers come from the base model"
            )
        else:
            notes.append(
                f"fine-tuning cut to {planned} of {configured_steps} steps (batch "
                f"{plan.get('finetune_batch')}) to fit{within} (time budget)"
            )
    if done < planned:
        notes.append(f"fine-tuning stopped by the deadline after {done} of {planned} planned steps")
    return "; ".join(notes) or None
