"""The run report page, report.html: one self-contained file (inline SVG, CSS and a little JS).

The page is rebuilt after every finished task, so rendering must stay cheap: a
`ReportPage` (one per run) keeps each task's section rendered once per version of its
data (a digest of its report, grids and attempts); a rewrite joins the kept sections
under a fresh summary. Reports come from many versions of the solver and from other
experts: each is read with TaskReport.from_dict, and what is missing is skipped.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from solver.atomic import write_text_atomic
from solver.report.assets import SCRIPT, STYLE
from solver.report.markup import anchor, card, esc, seconds_text
from solver.report.section import Section, TaskView, render_task
from solver.report.summary import RunTotals, run_totals
from solver.report.svg import GRID_LINES_DEFS, accuracy_plot
from solver.task_report import DONE, PENDING, TaskReport, is_number

PAGE_NAME = "report.html"
CACHE_SIZE = 4096  # task sections kept rendered (a few per task: its versions during a run)
REFRESH_S = 60  # a page of a run still in progress reloads itself this often


class ReportPage:
    """Renders and writes report.html, keeping each task's section while its data is unchanged."""

    def __init__(self, cache_size: int = CACHE_SIZE):
        self.cache_size = cache_size
        self.sections: OrderedDict[tuple[str, str], Section] = OrderedDict()

    def section(self, view: TaskView) -> Section:
        key = (view.task_id, view.digest())
        section = self.sections.get(key)
        if section is None:
            section = render_task(view)
            self.sections[key] = section
            while len(self.sections) > self.cache_size:
                self.sections.popitem(last=False)
        else:
            self.sections.move_to_end(key)
        return section

    def html(self, summary: dict[str, Any], views: Sequence[TaskView], final: bool) -> str:
        sections = {view.task_id: self.section(view) for view in views}
        return render_page(summary if isinstance(summary, dict) else {}, sections, final)

    def write(self, path: Path, summary: dict[str, Any], views: Sequence[TaskView], final: bool) -> None:
        write_text_atomic(path, self.html(summary, views, final))


def task_views(
    reports: dict[str, dict[str, Any]], grids: dict[str, Any], answers: dict[str, list[Any]], order: Iterable[str]
) -> list[TaskView]:
    """One view per task, in `order` then any reported task not in it; tasks with no report are pending."""
    ids = list(dict.fromkeys([*order, *reports]))
    views = []
    for task_id in ids:
        report = reports.get(task_id)
        attempts = answers.get(task_id)
        views.append(
            TaskView(
                task_id,
                TaskReport.from_dict(report) if isinstance(report, dict) else TaskReport(),
                grids.get(task_id),
                attempts if isinstance(attempts, list) else [],
            )
        )
    return views


def render_page(summary: dict[str, Any], sections: dict[str, Section], final: bool) -> str:
    refresh = "" if final else f'<meta http-equiv="refresh" content="{REFRESH_S}">'
    body = "".join(section.html for section in sections.values())
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{refresh}'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>ARC solver run</title>'
        f"<style>{STYLE}</style></head><body>{GRID_LINES_DEFS}{render_summary(summary, sections, final)}"
        f"<main>{body}</main><script>{SCRIPT}</script></body></html>"
    )


def render_summary(summary: dict[str, Any], sections: dict[str, Section], final: bool) -> str:
    totals = run_totals(summary, sections)
    cards = [score_card(totals, final), tasks_card(totals), time_card(summary, totals)]
    cards.append(card("experts", ", ".join(esc(e) for e in totals.experts), "", "experts"))
    status_line = (
        "finished"
        if final
        else f"in progress: written {time.strftime('%H:%M:%S', time.gmtime())} UTC, reloads every {REFRESH_S} s"
    )
    plot = ""
    if totals.curve:
        plot = (
            f'<div class="plotbox"><h3>top-1 accuracy of the vote as augmentations are counted</h3>'
            f"{accuracy_plot(totals.curve, totals.curve_tests)}</div>"
        )
    return (
        f'<header class="top"><h1>ARC solver run <span class="state">{esc(status_line)}</span></h1>'
        f'<div class="summary"><div class="facts"><div class="cards">{"".join(cards)}</div>'
        f"{render_settings(summary)}{render_overview(sections)}{render_filters(totals)}</div>"
        f"{plot}</div></header>"
    )


def score_card(totals: RunTotals, final: bool) -> str:
    score = totals.score
    if score is None:
        return card("score", "-", "no true outputs known", "score")
    detail = f"{score.correct}/{score.total} test outputs"
    if score.per_task_average is not None:
        detail += f"; per-task average {score.per_task_average:.4f}"
    title = "score (Kaggle rule)" if score.reported or final else "score so far (Kaggle rule)"
    return card(title, f"{score.kaggle:.4f}", detail, "score")


def tasks_card(totals: RunTotals) -> str:
    """Statuses say how far a task got; whether an expert answered it is counted apart from that."""
    parts = []
    for status, n in totals.counts.items():
        if status == DONE and n:
            parts.append(f"{n} done ({totals.answered} answered by an expert, {n - totals.answered} fallbacks only)")
        elif n or status != PENDING:
            parts.append(f"{n} {status}")
    return card("tasks", str(totals.tasks), ", ".join(parts), "counts")


def time_card(summary: dict[str, Any], totals: RunTotals) -> str:
    wall = summary.get("seconds")
    devices = summary.get("devices")
    workers = len(devices) if isinstance(devices, list) and devices else None
    phases = "; ".join(f"{name} {seconds_text(s)}" for name, s in totals.phases.items())
    if not phases:
        detail = "no phase timed yet"
    elif workers is None or workers > 1:
        running = f" ({workers} workers side by side)" if workers else ""
        detail = f"wall clock; per phase, summed over tasks{running}: {phases}"
    else:
        detail = f"wall clock; per phase, summed over tasks: {phases}"
    if totals.search_phases:  # where the search's time went: its own clocks, CPU seconds
        search = ", ".join(f"{name} {seconds_text(s)}" for name, s in totals.search_phases.items())
        detail += f"; search CPU by phase: {search}"
    big = seconds_text(float(wall)) if is_number(wall) else "-"
    return card("time", big, detail, "phases")


def render_settings(summary: dict[str, Any]) -> str:
    provenance = summary.get("weights_provenance")
    devices = summary.get("devices")
    budget = summary.get("time_budget")
    solve_config = summary.get("solve_config")
    rows = [("weights", summary.get("weights"))]
    rows += [(f"weights: {k}", v) for k, v in (provenance.items() if isinstance(provenance, dict) else [])]
    rows += [
        ("devices", ", ".join(map(str, devices)) if isinstance(devices, list) and devices else None),
        ("time budget", None if budget is None else f"{budget} s"),
    ]
    rows += list(solve_config.items()) if isinstance(solve_config, dict) else []
    cells = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v if isinstance(v, str) else json.dumps(v))}</td></tr>"
        for k, v in rows
        if v is not None
    )
    return (
        f'<details class="settings"><summary>settings, weights and provenance</summary><table>{cells}</table></details>'
    )


def render_overview(sections: dict[str, Section]) -> str:
    dots = "".join(
        f'<a href="#{esc(anchor(task_id))}" class="dot {s.verdict or s.status}" '
        f'title="{esc(task_id)}: {s.status}{" " + s.verdict if s.verdict else ""}"></a>'
        for task_id, s in sections.items()
    )
    return f'<div class="dots">{dots}</div>'


def render_filters(totals: RunTotals) -> str:
    choices = [("all", "all")]
    if totals.score is not None:
        choices += [("right", "only right"), ("wrong", "only wrong")]
    if totals.answered < totals.counts[DONE]:
        choices.append(("fallback", "fallbacks only"))
    choices += [(s, s) for s, n in totals.counts.items() if n]
    buttons = "".join(
        f'<button type="button" data-filter="{f}" aria-pressed="{str(f == "all").lower()}">{label}</button>'
        for f, label in choices
    )
    return (
        f'<div id="filters">show: {buttons} <span class="shown"><b id="shown">{totals.tasks}</b> '
        f"of {totals.tasks} tasks</span></div>"
    )
