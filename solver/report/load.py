"""Reading a run's output folder back for `python -m solver.report OUT`.

Sources, best first: report.json (a finished run: settings, score, every task's final
report), then OUT/reports/*.json (written as each task finished, with the task's grids
under "task"), then the journal (tasks finished before a kill). Attempts come from
submission.json, else from the journal. Unreadable files are skipped with a warning.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.run.journal import read_records
from solver.task_report import DONE

log = logging.getLogger(__name__)


@dataclass
class RunFiles:
    summary: dict[str, Any]
    reports: dict[str, dict[str, Any]]
    grids: dict[str, Any]
    answers: dict[str, list[Any]]
    final: bool  # report.json exists: the run ended


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("skipping %s: %s", path, error)
        return None


def load_run(out_dir: Path) -> RunFiles:
    out_dir = Path(out_dir)
    found = read_json(out_dir / "report.json") if (out_dir / "report.json").exists() else None
    final = isinstance(found, dict)
    summary: dict[str, Any] = found if isinstance(found, dict) else {}
    reports = dict(summary.pop("tasks", None) or {})
    grids: dict[str, Any] = {}
    for path in sorted((out_dir / "reports").glob("*.json")):
        document = read_json(path)
        if not isinstance(document, dict) or not isinstance(document.get("task_id"), str):
            continue
        task_id = document.pop("task_id")
        if document.get("task") is not None:
            grids[task_id] = document["task"]
        document.pop("task", None)
        reports.setdefault(task_id, document)
    answers = read_json(out_dir / "submission.json") if (out_dir / "submission.json").exists() else None
    answers = answers if isinstance(answers, dict) else {}
    for record in read_records(out_dir / "journal.jsonl"):
        if record.get("kind") != "task" or not isinstance(record.get("task_id"), str):
            continue
        task_id = record["task_id"]
        if isinstance(record.get("report"), dict):
            reports.setdefault(task_id, {"status": DONE, **record["report"]})
        if isinstance(record.get("entries"), list):
            answers.setdefault(task_id, record["entries"])
    return RunFiles(summary, reports, grids, answers, final)
