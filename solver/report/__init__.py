"""The run report page, OUT/report.html: every task's grids, attempts, votes and timings in one file.

The supervisor calls `write_report_html` after every finished task and at the end, with
one `ReportPage` for the run (it keeps the sections already drawn); `python -m
solver.report OUT` rebuilds the page from a finished or half-finished OUT/.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from solver.report.grids import as_rows, task_grids
from solver.report.page import PAGE_NAME, ReportPage, task_views
from solver.report.replay import accuracy_by_augmentations

__all__ = [
    "PAGE_NAME",
    "ReportPage",
    "accuracy_by_augmentations",
    "as_rows",
    "task_grids",
    "write_page",
    "write_report_html",
]

log = logging.getLogger(__name__)


def write_page(
    out_dir: Path,
    summary: dict[str, Any],
    reports: dict[str, dict[str, Any]],
    grids: dict[str, Any],
    answers: dict[str, list[Any]],
    final: bool,
    page: ReportPage | None = None,
) -> Path:
    """Write OUT/report.html atomically and return its path.

    reports: task id -> report (TaskReport.to_dict(); tasks without one are shown as pending);
    grids: task id -> task_grids(...); answers: the submission (task id -> attempts), whose
    order is the page's. `page` keeps sections drawn by earlier writes of the same run.
    """
    path = Path(out_dir) / PAGE_NAME
    (page or ReportPage()).write(path, summary, task_views(reports, grids, answers, order=answers), final)
    return path


def write_report_html(
    out_dir: Path,
    summary: dict[str, Any],
    reports: dict[str, dict[str, Any]],
    grids: dict[str, Any],
    answers: dict[str, list[Any]],
    final: bool = False,
    page: ReportPage | None = None,
) -> None:
    """`write_page` for the run itself: the page is a view, so a failure is logged and never stops the run."""
    try:
        write_page(out_dir, summary, reports, grids, answers, final, page)
    except Exception as error:  # the submission matters, the page does not
        log.warning("could not write %s: %s", Path(out_dir) / PAGE_NAME, error)
