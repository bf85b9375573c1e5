"""One task's section of the report page: demonstrations, each test's attempts and candidates, timings.

Every attempt says where it came from: an expert's candidate, or a fallback (the test input
copied, or a blank grid) when no expert proposed anything or the task did not finish.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from solver.arc.submission import ATTEMPT_KEYS, BLANK_GRID
from solver.report.grids import as_rows
from solver.report.markup import anchor, esc, figure, report_link, seconds_text, thumbnail
from solver.report.replay import leaders
from solver.report.svg import GridDrawer, sparkline
from solver.task_report import DONE, PENDING, CandidateReport, TaskReport, TestReport

log = logging.getLogger(__name__)

DEFAULT_EXPERTS = ("trm",)  # reports written before experts were named came from the TRM alone
BLANK_ROWS = as_rows(BLANK_GRID)

Rows = list[str]


@dataclass(frozen=True)
class TaskView:
    """Everything the page shows of one task; any part may be missing."""

    task_id: str
    report: TaskReport  # TaskReport() (pending) before the task finishes
    grids: dict[str, Any] | None  # solver.report.grids.task_grids: demonstrations, test inputs, true outputs
    attempts: list[Any]  # its submission entries, one {"attempt_1", "attempt_2"} per test input

    def digest(self) -> str:
        document = [self.task_id, self.report.to_dict(), self.grids, self.attempts]
        return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Section:
    """A task's rendered section and the facts the page's summary adds up."""

    html: str
    status: str
    verdict: str  # right, wrong, unknown (no true output), or "" while pending
    correct: tuple[bool | None, ...] = ()  # per test output; None where the truth is unknown
    replays: tuple[tuple[dict[int, int], int], ...] = ()  # per test with a known truth: (leaders, truth's index)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    search_phases: dict[str, float] = field(default_factory=dict)  # the search's CPU seconds per phase kind
    experts: frozenset[str] = frozenset()
    answered: bool = False  # an expert proposed a grid for at least one test input


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def candidate_experts(candidate: CandidateReport) -> list[str]:
    return candidate.experts or list(DEFAULT_EXPERTS)


def render_task(view: TaskView) -> Section:
    """The task's section; a report the page cannot show still gets a section saying so."""
    try:
        return _render_task(view)
    except Exception as error:  # a view must never stop a run: show the problem, keep the page
        log.warning("report page: task %r could not be rendered (%s)", view.task_id, error)
        status = view.report.status
        body = (
            f"{section_open(view.task_id, status, 'unknown', False)}<h2>{esc(view.task_id)}</h2>"
            f'<p class="cause">this task\'s report could not be shown: {esc(error)}</p></section>'
        )
        return Section(body, status, "unknown")


def section_open(task_id: str, status: str, verdict: str, answered: bool) -> str:
    """The section's tag; its data attributes are what the page's filters match."""
    answer = "" if status == PENDING else "expert" if answered else "fallback"
    return (
        f'<section class="task" id="{esc(anchor(task_id))}" data-status="{esc(status)}" data-verdict="{verdict}" '
        f'data-answer="{answer}">'
    )


def _render_task(view: TaskView) -> Section:
    report = view.report
    if report.status == PENDING:  # its attempts are fallbacks until it finishes: nothing to show yet
        body = f"{section_open(view.task_id, PENDING, '', False)}{task_header(view.task_id, report, '', [])}</section>"
        return Section(body, PENDING, "")
    grids = as_dict(view.grids)
    tests = report.tests or []
    test_grids = as_list(grids.get("test"))
    flags = report.correct or []
    n_tests = max(len(tests), len(test_grids), len(view.attempts), len(flags))
    correct: list[bool | None] = []
    replays = []
    test_parts = []
    drawer = GridDrawer(anchor(view.task_id))
    for i in range(n_tests):
        test = tests[i] if i < len(tests) else TestReport()
        pair = as_dict(test_grids[i]) if i < len(test_grids) else {}
        truth = as_rows(pair.get("output"))
        top = test.top or []
        attempts = attempt_rows(view.attempts[i] if i < len(view.attempts) else None, top)
        if truth is not None:
            right: bool | None = any(a is not None and a == truth for a in attempts)
        else:
            right = flags[i] if i < len(flags) else None
        correct.append(right)
        truth_index = next((k for k, c in enumerate(top) if truth is not None and as_rows(c.grid) == truth), -1)
        if test.vote_sequence and truth is not None:
            replays.append((leaders(test.vote_sequence), truth_index))
        test_input = as_rows(pair.get("input"))
        figures = attempt_figures(drawer, test_input, attempts, top, truth)
        test_parts.append(render_test(drawer, i, n_tests, test_input, figures, truth, right, test, truth_index))
    known = [c for c in correct if c is not None]
    verdict = ("right" if all(known) else "wrong") if known else "unknown"
    experts = {e for t in tests for c in t.top or [] for e in candidate_experts(c)} | set(report.experts or [])
    if report.status == DONE and not experts:
        experts = set(DEFAULT_EXPERTS)
    answered = any(t.top for t in tests)
    parts = [
        section_open(view.task_id, report.status, verdict, answered),
        task_header(view.task_id, report, verdict, known),
    ]
    if report.error:
        parts.append(f'<p class="cause">{esc(report.error)}</p>')
    parts.append(render_demonstrations(drawer, as_list(grids.get("train"))))
    parts.extend(test_parts)
    parts.append(render_finetuning(report))
    parts.append("</section>")
    return Section(
        "".join(parts),
        report.status,
        verdict,
        tuple(correct),
        tuple(replays),
        report.phase_seconds(),
        report.search_phase_cpu(),
        frozenset(experts),
        answered,
    )


def attempt_rows(entry: Any, top: list[CandidateReport]) -> list[Rows | None]:
    """The two attempts of a submission entry; without one, the two best candidates (the rule that made them)."""
    entry = as_dict(entry)
    if entry:
        return [as_rows(entry.get(key)) for key in ATTEMPT_KEYS]
    grids = [as_rows(c.grid) for c in top[:2]]
    return (grids + grids[:1] + [None, None])[:2]


def attempt_source(
    k: int, rows: Rows, attempts: list[Rows | None], top: list[CandidateReport], test_input: Rows | None
) -> str:
    """Where attempt k came from, when it is not simply an expert's candidate: '' if it is."""
    if any(as_rows(c.grid) == rows for c in top):
        return "same as attempt 1: the only candidate" if k == 1 and rows == attempts[0] else ""
    if rows == test_input:
        return "fallback: a copy of the test input"
    if rows == BLANK_ROWS:
        return "fallback: a blank grid"
    return "fallback: no expert proposed it"


def attempt_figures(
    drawer: GridDrawer,
    test_input: Rows | None,
    attempts: list[Rows | None],
    top: list[CandidateReport],
    truth: Rows | None,
) -> list[str]:
    figures = []
    for k, rows in enumerate(attempts):
        if truth is None or rows is None:
            mark, css = "", "attempt"
        elif rows == truth:
            mark, css = " &#10003; right", "attempt ok"
        else:
            mark, css = " &#10007; wrong", "attempt bad"
        source = attempt_source(k, rows, attempts, top, test_input) if rows is not None else ""
        if source.startswith("fallback"):
            css += " fallback"
        note = f'<span class="source">{esc(source)}</span>' if source else ""
        figures.append(figure(drawer, rows, f"attempt {k + 1}{mark}{note}", css=css))
    return figures


def task_header(task_id: str, report: TaskReport, verdict: str, known: list[bool]) -> str:
    status = report.status
    parts = [f'<div class="head"><h2>{esc(task_id)}</h2><span class="badge {esc(status)}">{esc(status)}</span>']
    if verdict in ("right", "wrong"):
        parts.append(f'<span class="badge {verdict}">{sum(known)}/{len(known)} right</span>')
    if report.seconds is not None:
        split = [f"{name} {seconds_text(seconds)}" for name, seconds in report.phase_seconds().items()]
        parts.append(
            f'<span class="time">{seconds_text(report.seconds)}{" (" + ", ".join(split) + ")" if split else ""}</span>'
        )
    if report.resumed:
        parts.append('<span class="note">resumed from the journal</span>')
    if status != PENDING:
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
    test_input: Rows | None,
    attempt_parts: list[str],
    truth: Rows | None,
    right: bool | None,
    test: TestReport,
    truth_index: int,
) -> str:
    title = f"test {i + 1}" if n_tests > 1 else "test"
    figures = [figure(drawer, test_input, "input"), *attempt_parts]
    if truth is not None:
        figures.append(figure(drawer, truth, "true output", css="truth"))
    verdict = {
        True: '<span class="badge right">right</span>',
        False: '<span class="badge wrong">wrong</span>',
        None: "",
    }[right]
    return (
        f'<div class="test"><h3>{title} {verdict}</h3><div class="row">{"".join(figures)}</div>'
        f"{render_candidates(drawer, test, truth_index)}</div>"
    )


def render_candidates(drawer: GridDrawer, test: TestReport, truth_index: int) -> str:
    """The best candidates; the TRM's vote columns only where the TRM voted."""
    top = test.top
    if top is None:
        return ""
    if not top:
        return '<p class="none">no expert proposed a grid: both attempts are fallbacks</p>'
    voted = test.candidates is not None or any(c.votes for c in top)
    total = test.candidates or sum(c.votes for c in top) or 1
    rows = []
    for k, candidate in enumerate(top):
        experts = candidate_experts(candidate)
        if not voted:
            vote = ""
        elif candidate.votes == 0 and "trm" not in experts:
            vote = '<td colspan="3" class="novote">no TRM vote</td>'
        else:
            confidence = "" if candidate.confidence is None else f"conf {candidate.confidence:.2f}"
            vote = (
                f'<td><div class="bar"><span style="width:{100 * candidate.votes / total:.1f}%"></span></div></td>'
                f"<td>{candidate.votes:g} / {total:g}</td><td>{confidence}</td>"
            )
        rows.append(
            f"<tr{' class=truth' if k == truth_index else ''}><td>{k + 1}</td>"
            f"<td>{thumbnail(drawer, as_rows(candidate.grid))}</td>{vote}"
            f"<td>{''.join(f'<span class=expert>{esc(e)}</span>' for e in experts)}</td>"
            f"<td>{'' if not candidate.program else f'<code>{esc(candidate.program)}</code>'}"
            f"{' <b class=ok>= true output</b>' if k == truth_index else ''}</td></tr>"
        )
    caption = "top candidates" if test.distinct is None else f"top candidates ({test.distinct:g} distinct grids)"
    return f'<table class="votes"><caption>{caption}</caption>{"".join(rows)}</table>'


def render_finetuning(report: TaskReport) -> str:
    losses = report.trm.finetune_losses if report.trm else None
    if not losses:
        return ""
    return (
        f'<div class="ft"><span>fine-tuning loss over {len(losses)} steps</span>{sparkline(losses)}'
        f"<span>{losses[0]:.3g} &rarr; {losses[-1]:.3g}</span></div>"
    )
