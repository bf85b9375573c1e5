"""The run report page, report.html: one self-contained file (inline SVG, CSS and a little JS).

The page is rebuilt after every finished task, so rendering must stay cheap: each task's
section is rendered once per version of its data (a digest of its report, grids and
attempts) and kept in a small cache; a rewrite only joins the cached sections under a
fresh summary. Reports come from many versions of the solver and from other experts,
so every field is optional: what is present is shown, what is missing is skipped.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver.report.grids import as_rows
from solver.report.replay import accuracy_curve, leaders
from solver.report.svg import GRID_LINES_DEFS, GridDrawer, accuracy_plot, cell_px, sparkline
from solver.run.outputs import safe_filename

log = logging.getLogger(__name__)

PAGE_NAME = "report.html"
STATUSES = ("solved", "failed", "invalid", "timeout", "pending")
DEFAULT_EXPERTS = ("trm",)  # reports written before experts were named came from the TRM alone
GRID_BOX, GRID_CELL_MAX = 180, 16  # demonstrations, test inputs, attempts, true outputs
THUMB_BOX, THUMB_CELL_MAX = 60, 8  # candidates in the vote table
CACHE_SIZE = 4096  # task sections kept rendered (a few per task: its versions during a run)
REFRESH_S = 60  # a page of a run still in progress reloads itself this often


@dataclass(frozen=True)
class TaskView:
    """Everything the page shows of one task; any part may be missing."""

    task_id: str
    report: dict[str, Any]  # the task's report; {"status": "pending"} before it finishes
    grids: dict[str, Any] | None  # solver.report.grids.task_grids: demonstrations, test inputs, true outputs
    attempts: list[Any]  # its submission entries, one {"attempt_1", "attempt_2"} per test input

    def digest(self) -> str:
        document = [self.task_id, self.report, self.grids, self.attempts]
        return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Section:
    """A task's rendered section and the facts the summary adds up."""

    html: str
    status: str
    verdict: str  # right, wrong, unknown (no true output), or "" while pending
    correct: tuple[bool | None, ...]  # per test output; None where the truth is unknown
    replays: tuple[tuple[dict[int, int], int], ...]  # per test with a known truth: (leaders, truth index in top)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    experts: frozenset[str] = frozenset()


_SECTIONS: OrderedDict[tuple[str, str], Section] = OrderedDict()


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def number(value: Any) -> float | None:
    """A finite float, or None for anything else (missing, None, text, NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{rest:02d}"


def safe_name(task_id: str) -> str:
    """The task's name in OUT/reports/, also used for its anchor on the page."""
    return safe_filename(task_id)


def report_link(task_id: str) -> str:
    return f"reports/{safe_name(task_id)}.json"


def anchor(task_id: str) -> str:
    return f"task-{safe_name(task_id)}"


def figure(drawer: GridDrawer, rows: list[str] | None, caption: str, css: str = "") -> str:
    css_attr = f' class="{css}"' if css else ""
    if rows is None:
        return f'<figure{css_attr}><div class="nogrid">none</div><figcaption>{caption}</figcaption></figure>'
    svg = drawer.svg(rows, cell_px(rows, GRID_BOX, GRID_CELL_MAX), f"{len(rows)}x{len(rows[0])}")
    return f"<figure{css_attr}>{svg}<figcaption>{caption}</figcaption></figure>"


def candidate_experts(candidate: dict[str, Any]) -> list[str]:
    experts = [str(e) for e in as_list(candidate.get("experts"))]
    return experts or list(DEFAULT_EXPERTS)


# -- one task -------------------------------------------------------------------------------


def render_task(view: TaskView) -> Section:
    """The task's section; a report the page cannot read still gets a section saying so."""
    try:
        return _render_task(view)
    except Exception as error:  # a view must never stop a run: show the problem, keep the page
        log.warning("report page: task %r could not be rendered (%s)", view.task_id, error)
        status = str(as_dict(view.report).get("status", "pending"))
        body = (
            f'<section class="task" id="{esc(anchor(view.task_id))}" data-status="{esc(status)}" '
            f'data-verdict="unknown"><h2>{esc(view.task_id)}</h2><p class="cause">this task\'s report could '
            f"not be shown: {esc(error)}</p></section>"
        )
        return Section(body, status, "unknown", (), ())


def _render_task(view: TaskView) -> Section:
    report = as_dict(view.report)
    status = str(report.get("status", "pending"))
    if status == "pending":  # its attempts are fallbacks until it finishes: nothing to show yet
        body = (
            f'<section class="task" id="{esc(anchor(view.task_id))}" data-status="pending" data-verdict="">'
            f"{task_header(view.task_id, report, status, '', [])}</section>"
        )
        return Section(body, status, "", (), ())
    grids = as_dict(view.grids)
    tests = as_list(report.get("tests"))
    test_grids = as_list(grids.get("test"))
    flags = as_list(report.get("correct"))
    n_tests = max(len(tests), len(test_grids), len(view.attempts), len(flags))
    correct: list[bool | None] = []
    replays = []
    test_parts = []
    drawer = GridDrawer(anchor(view.task_id))
    for i in range(n_tests):
        test = as_dict(tests[i]) if i < len(tests) else {}
        pair = as_dict(test_grids[i]) if i < len(test_grids) else {}
        truth = as_rows(pair.get("output"))
        top = [as_dict(c) for c in as_list(test.get("top"))]
        attempts = attempt_rows(view.attempts[i] if i < len(view.attempts) else None, top)
        if truth is not None:
            right = any(a is not None and a == truth for a in attempts)
        elif i < len(flags) and isinstance(flags[i], bool):
            right = flags[i]
        else:
            right = None
        correct.append(right)
        truth_index = next((k for k, c in enumerate(top) if truth is not None and as_rows(c.get("grid")) == truth), -1)
        sequence = [v for v in as_list(test.get("vote_sequence")) if isinstance(v, int)]
        if sequence and truth is not None:
            replays.append((leaders(sequence), truth_index))
        test_parts.append(
            render_test(drawer, i, n_tests, as_rows(pair.get("input")), attempts, truth, right, test, top, truth_index)
        )
    known = [c for c in correct if c is not None]
    verdict = ("right" if all(known) else "wrong") if known else "unknown"
    phases = {
        "fine-tuning": number(report.get("finetune_seconds")),
        "inference": number(report.get("inference_seconds")),
        "search": number(as_dict(report.get("search")).get("seconds")),
    }
    experts = {
        e for c in (as_dict(c) for t in tests for c in as_list(as_dict(t).get("top"))) for e in candidate_experts(c)
    }
    experts |= {str(e) for e in as_list(report.get("experts"))}
    if status == "solved" and not experts:
        experts = set(DEFAULT_EXPERTS)
    parts = [
        f'<section class="task" id="{esc(anchor(view.task_id))}" data-status="{esc(status)}" data-verdict="{verdict}">',
        task_header(view.task_id, report, status, verdict, known),
    ]
    if report.get("error"):
        parts.append(f'<p class="cause">{esc(report["error"])}</p>')
    parts.append(render_demonstrations(drawer, as_list(grids.get("train"))))
    parts.extend(test_parts)
    parts.append(render_finetuning(report))
    parts.append("</section>")
    return Section(
        "".join(parts),
        status,
        verdict,
        tuple(correct),
        tuple(replays),
        {k: v for k, v in phases.items() if v is not None},
        frozenset(experts),
    )


def attempt_rows(entry: Any, top: list[dict[str, Any]]) -> list[list[str] | None]:
    """The two attempts of a submission entry; without one, the two best candidates (the rule that made them)."""
    entry = as_dict(entry)
    if entry:
        return [as_rows(entry.get("attempt_1")), as_rows(entry.get("attempt_2"))]
    grids = [as_rows(c.get("grid")) for c in top[:2]]
    return (grids + grids[:1] + [None, None])[:2]


def task_header(task_id: str, report: dict[str, Any], status: str, verdict: str, known: list[bool]) -> str:
    parts = [f'<div class="head"><h2>{esc(task_id)}</h2><span class="badge {esc(status)}">{esc(status)}</span>']
    if verdict in ("right", "wrong"):
        parts.append(f'<span class="badge {verdict}">{sum(known)}/{len(known)} right</span>')
    seconds = number(report.get("seconds"))
    if seconds is not None:
        split = [
            f"{name} {seconds_text(number(report.get(key)))}"
            for name, key in (("fine-tuning", "finetune_seconds"), ("inference", "inference_seconds"))
            if number(report.get(key)) is not None
        ]
        search = number(as_dict(report.get("search")).get("seconds"))
        if search is not None:
            split.append(f"search {seconds_text(search)}")
        parts.append(
            f'<span class="time">{seconds_text(seconds)}{" (" + ", ".join(split) + ")" if split else ""}</span>'
        )
    if report.get("resumed"):
        parts.append('<span class="note">resumed from the journal</span>')
    if status != "pending":
        parts.append(f'<a class="json" href="{esc(report_link(task_id))}">JSON report</a>')
    return "".join(parts) + "</div>"


def render_demonstrations(drawer: GridDrawer, train: list[Any]) -> str:
    if not train:
        return ""
    pairs = []
    for i, pair in enumerate(as_dict(p) for p in train):
        grid_in = figure(drawer, as_rows(pair.get("input")), f"in {i + 1}")
        grid_out = figure(drawer, as_rows(pair.get("output")), f"out {i + 1}")
        pairs.append(f'<div class="pair">{grid_in}<span class="arrow">&rarr;</span>{grid_out}</div>')
    return f'<h3>demonstrations</h3><div class="pairs">{"".join(pairs)}</div>'


def render_test(
    drawer: GridDrawer,
    i: int,
    n_tests: int,
    test_input: list[str] | None,
    attempts: list[list[str] | None],
    truth: list[str] | None,
    right: bool | None,
    test: dict[str, Any],
    top: list[dict[str, Any]],
    truth_index: int,
) -> str:
    title = f"test {i + 1}" if n_tests > 1 else "test"
    figures = [figure(drawer, test_input, "input")]
    for k, grid in enumerate(attempts):
        if truth is None:
            mark, css = "", "attempt"
        elif grid == truth:
            mark, css = " &#10003; right", "attempt ok"
        else:
            mark, css = " &#10007; wrong", "attempt bad"
        figures.append(figure(drawer, grid, f"attempt {k + 1}{mark}", css=css))
    if truth is not None:
        figures.append(figure(drawer, truth, "true output", css="truth"))
    verdict = {
        True: '<span class="badge right">right</span>',
        False: '<span class="badge wrong">wrong</span>',
        None: "",
    }[right]
    return (
        f'<div class="test"><h3>{title} {verdict}</h3><div class="row">{"".join(figures)}</div>'
        f"{render_votes(drawer, test, top, truth_index)}</div>"
    )


def render_votes(drawer: GridDrawer, test: dict[str, Any], top: list[dict[str, Any]], truth_index: int) -> str:
    if not top:
        return ""
    total = number(test.get("candidates")) or sum(number(c.get("votes")) or 0 for c in top) or 1
    rows = []
    for k, candidate in enumerate(top):
        votes = number(candidate.get("votes")) or 0
        rows_grid = as_rows(candidate.get("grid"))
        thumb = drawer.svg(rows_grid, cell_px(rows_grid, THUMB_BOX, THUMB_CELL_MAX)) if rows_grid else ""
        confidence = number(candidate.get("confidence"))
        program = candidate.get("program")
        rows.append(
            f"<tr{' class=truth' if k == truth_index else ''}><td>{k + 1}</td><td>{thumb}</td>"
            f'<td><div class="bar"><span style="width:{100 * votes / total:.1f}%"></span></div></td>'
            f"<td>{votes:g} / {total:g}</td>"
            f"<td>{'' if confidence is None else f'conf {confidence:.2f}'}</td>"
            f"<td>{''.join(f'<span class=expert>{esc(e)}</span>' for e in candidate_experts(candidate))}</td>"
            f"<td>{'' if not program else f'<code>{esc(program)}</code>'}"
            f"{' <b class=ok>= true output</b>' if k == truth_index else ''}</td></tr>"
        )
    distinct = number(test.get("distinct"))
    caption = f"top candidates ({distinct:g} distinct grids)" if distinct is not None else "top candidates"
    return f'<table class="votes"><caption>{caption}</caption>{"".join(rows)}</table>'


def render_finetuning(report: dict[str, Any]) -> str:
    losses = [v for v in (number(x) for x in as_list(report.get("finetune_losses"))) if v is not None]
    if not losses:
        return ""
    return (
        f'<div class="ft"><span>fine-tuning loss over {len(losses)} steps</span>{sparkline(losses)}'
        f"<span>{losses[0]:.3g} &rarr; {losses[-1]:.3g}</span></div>"
    )


def cached_section(view: TaskView) -> Section:
    key = (view.task_id, view.digest())
    section = _SECTIONS.get(key)
    if section is None:
        section = render_task(view)
        _SECTIONS[key] = section
        while len(_SECTIONS) > CACHE_SIZE:
            _SECTIONS.popitem(last=False)
    else:
        _SECTIONS.move_to_end(key)
    return section


# -- the page -------------------------------------------------------------------------------


def render_summary(summary: dict[str, Any], sections: dict[str, Section], final: bool) -> str:
    counts = {status: 0 for status in STATUSES}
    for section in sections.values():
        counts[section.status] = counts.get(section.status, 0) + 1
    known = [c for s in sections.values() for c in s.correct if c is not None]
    score = as_dict(summary.get("score"))
    cards = []
    if number(score.get("kaggle")) is not None:
        cards.append(
            card(
                "score (Kaggle rule)",
                f"{score['kaggle']:.4f}",
                f"{score.get('correct', '?')}/{score.get('total', '?')} test outputs; per-task average "
                f"{number(score.get('per_task_average')) or 0:.4f}",
                "score",
            )
        )
    elif known:
        title = "score (Kaggle rule)" if final else "score so far (Kaggle rule)"
        cards.append(card(title, f"{sum(known) / len(known):.4f}", f"{sum(known)}/{len(known)} test outputs", "score"))
    else:
        cards.append(card("score", "-", "no true outputs known", "score"))
    cards.append(
        card(
            "tasks",
            str(len(sections)),
            ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "pending"),
            "counts",
        )
    )
    phases: dict[str, float] = {}
    for section in sections.values():
        for name, seconds in section.phases.items():
            phases[name] = phases.get(name, 0.0) + seconds
    wall = number(summary.get("seconds"))
    cards.append(
        card(
            "time",
            seconds_text(wall) if wall is not None else "-",
            "; ".join(f"{name} {seconds_text(s)}" for name, s in phases.items()) or "no phase timed yet",
            "phases",
        )
    )
    experts = [str(e) for e in as_list(summary.get("experts"))]
    experts = experts or sorted(set().union(*(s.experts for s in sections.values()))) or list(DEFAULT_EXPERTS)
    cards.append(card("experts", ", ".join(esc(e) for e in experts), "", "experts"))
    status_line = (
        "finished"
        if final
        else f"in progress: written {time.strftime('%H:%M:%S', time.gmtime())} UTC, reloads every {REFRESH_S} s"
    )
    replays = [r for s in sections.values() for r in s.replays]
    curve = accuracy_curve(replays)
    plot = (
        (
            f'<div class="plotbox"><h3>top-1 accuracy of the vote as augmentations are counted</h3>'
            f"{accuracy_plot(curve, len(replays))}</div>"
        )
        if curve
        else ""
    )
    return (
        f'<header class="top"><h1>ARC solver run <span class="state">{esc(status_line)}</span></h1>'
        f'<div class="summary"><div class="facts"><div class="cards">{"".join(cards)}</div>'
        f"{render_settings(summary)}{render_overview(sections)}{render_filters(counts, bool(known))}</div>"
        f"{plot}</div></header>"
    )


def card(title: str, big: str, detail: str, css: str) -> str:
    return (
        f'<div class="card {css}"><div class="label">{esc(title)}</div><div class="big">{big}</div>'
        f'<div class="detail">{esc(detail)}</div></div>'
    )


def render_settings(summary: dict[str, Any]) -> str:
    rows = [("weights", summary.get("weights"))]
    rows += [(f"weights: {k}", v) for k, v in as_dict(summary.get("weights_provenance")).items()]
    rows += [
        ("devices", ", ".join(map(str, as_list(summary.get("devices")))) or None),
        ("time budget", None if summary.get("time_budget") is None else f"{summary['time_budget']} s"),
    ]
    rows += list(as_dict(summary.get("solve_config")).items())
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


def render_filters(counts: dict[str, int], scored: bool) -> str:
    choices = [("all", "all")] + ([("right", "only right"), ("wrong", "only wrong")] if scored else [])
    choices += [(s, s) for s in STATUSES if counts.get(s)]
    buttons = "".join(
        f'<button type="button" data-filter="{f}" aria-pressed="{str(f == "all").lower()}">{label}</button>'
        for f, label in choices
    )
    return (
        f'<div id="filters">show: {buttons} <span class="shown"><b id="shown">{sum(counts.values())}</b> '
        f"of {sum(counts.values())} tasks</span></div>"
    )


STYLE = """
:root{--ok:#2a9d47;--bad:#d63a3a;--muted:#667;--line:#dde}
*{box-sizing:border-box}[hidden]{display:none!important}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f7;color:#1d1f24}
header.top{background:#fff;padding:14px 24px 10px;border-bottom:1px solid var(--line)}
h1{font-size:20px;margin:0 0 10px}h1 .state{font-size:13px;font-weight:400;color:var(--muted);margin-left:8px}
h2{font-size:16px;margin:0;font-family:ui-monospace,Menlo,monospace}h3{font-size:13px;margin:10px 0 6px;color:#444}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#f8f9fb;border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:140px}
.card .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card .big{font-size:24px;font-weight:650}.card .detail{font-size:12px;color:var(--muted)}
.settings{margin:10px 0}.settings table{border-collapse:collapse;font-size:12px;margin-top:6px}
.settings th{text-align:left;font-weight:500;color:var(--muted);padding:1px 12px 1px 0}
.summary{display:flex;flex-wrap:wrap;gap:10px 24px}.facts{flex:1 1 560px}.plotbox h3{margin-top:0}
svg.plot text{font-size:11px;fill:#444}
.dots{margin:8px 0;line-height:0}
.dot{display:inline-block;width:11px;height:11px;margin:1px;border-radius:2px;background:#bbb}
#filters{margin-top:8px}
#filters button{font:inherit;border:1px solid #bbc;background:#fff;border-radius:14px;padding:2px 12px;margin:0 2px;
cursor:pointer}
#filters button[aria-pressed=true]{background:#1d1f24;color:#fff;border-color:#1d1f24}
.shown{color:var(--muted);margin-left:8px}
section.task{background:#fff;border:1px solid var(--line);border-radius:8px;margin:12px 24px;padding:10px 16px 14px;
content-visibility:auto;contain-intrinsic-size:auto 520px}
.head{display:flex;flex-wrap:wrap;gap:10px;align-items:center}.head .time,.note{color:var(--muted);font-size:12px}
.head .json{margin-left:auto;font-size:12px}
.badge{display:inline-block;padding:1px 9px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;
background:#999}
.solved{background:#2f6fd0}.failed{background:var(--bad)}.invalid{background:#8e44ad}.timeout{background:#e67e22}
.pending{background:#aab}.right{background:var(--ok)}.wrong{background:var(--bad)}.unknown{background:#aab}
.cause{color:var(--bad);margin:6px 0;font-family:ui-monospace,Menlo,monospace;font-size:12px}
.pairs,.row{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.pair{display:flex;gap:6px;align-items:center;padding:6px;border:1px solid #eef;border-radius:6px;background:#fafbfc}
.arrow{color:#99a;font-size:18px}
figure{margin:0;display:inline-flex;flex-direction:column;align-items:center;gap:3px}
figcaption{font-size:11px;color:var(--muted)}
svg.g{display:block;outline:1px solid #888}svg.g g{shape-rendering:crispEdges}svg.g path{fill:none}
figure.ok svg.g{outline:3px solid var(--ok)}figure.bad svg.g{outline:3px solid var(--bad)}
figure.ok figcaption{color:var(--ok);font-weight:600}figure.bad figcaption{color:var(--bad);font-weight:600}
.nogrid{width:40px;height:40px;border:1px dashed #bbb;color:#999;font-size:11px;display:flex;align-items:center;
justify-content:center}
.test{border-top:1px solid #eef;margin-top:10px}
table.votes{border-collapse:collapse;margin-top:8px;font-size:12px}
table.votes caption{text-align:left;color:var(--muted);padding-bottom:3px}
table.votes td{padding:3px 8px 3px 0;vertical-align:middle}table.votes tr.truth{background:#eaf7ee}
.bar{width:140px;height:10px;background:#e8e9ee;border-radius:5px;overflow:hidden}
.bar span{display:block;height:100%;background:#0074D9}
.expert{display:inline-block;background:#eef;border-radius:4px;padding:0 5px;margin-right:3px}
b.ok{color:var(--ok)}code{background:#f3f4f7;padding:1px 4px;border-radius:3px}
.ft{display:flex;align-items:center;gap:10px;margin-top:10px;font-size:12px;color:var(--muted)}
"""

SCRIPT = """
(function(){
var buttons=document.querySelectorAll('#filters button');
function show(f){var n=0;document.querySelectorAll('section.task').forEach(function(s){
var on=f==='all'||s.dataset.status===f||s.dataset.verdict===f;s.hidden=!on;if(on)n++;});
buttons.forEach(function(b){b.setAttribute('aria-pressed',String(b.dataset.filter===f));});
document.getElementById('shown').textContent=n;try{sessionStorage.setItem('arc-report-filter',f);}catch(e){}}
buttons.forEach(function(b){b.addEventListener('click',function(){show(b.dataset.filter);});});
var saved=null;try{saved=sessionStorage.getItem('arc-report-filter');}catch(e){}
if(saved&&document.querySelector('#filters button[data-filter="'+saved+'"]'))show(saved);
})();
"""


def render_page(summary: dict[str, Any], sections: dict[str, Section], final: bool) -> str:
    refresh = "" if final else f'<meta http-equiv="refresh" content="{REFRESH_S}">'
    body = "".join(section.html for section in sections.values())
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{refresh}'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>ARC solver run</title>'
        f"<style>{STYLE}</style></head><body>{GRID_LINES_DEFS}{render_summary(summary, sections, final)}"
        f"<main>{body}</main><script>{SCRIPT}</script></body></html>"
    )


def task_views(
    reports: dict[str, dict[str, Any]], grids: dict[str, Any], answers: dict[str, list[Any]], order: Iterable[str]
) -> list[TaskView]:
    """One view per task, in `order` then any reported task not in it; tasks with no report are pending."""
    ids = list(dict.fromkeys([*order, *reports]))
    return [
        TaskView(
            task_id,
            as_dict(reports.get(task_id)) or {"status": "pending"},
            grids.get(task_id),
            as_list(answers.get(task_id)),
        )
        for task_id in ids
    ]


def build_page(summary: dict[str, Any], views: Sequence[TaskView], final: bool) -> str:
    sections = {view.task_id: cached_section(view) for view in views}
    return render_page(as_dict(summary), sections, final)


def write_text_atomic(path: Path, text: str) -> None:
    """Temporary file in the same folder, then a rename: a reader sees the old page or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # A task id may hold a lone surrogate, which UTF-8 cannot encode: shown escaped.
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the page from a web server or another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
