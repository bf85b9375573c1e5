"""What the top of the report page adds up over every task's section: counts, score, time, experts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from solver.report.replay import accuracy_curve
from solver.report.section import DEFAULT_EXPERTS, Section
from solver.task_report import DONE, STATUSES, is_number


@dataclass(frozen=True)
class Score:
    kaggle: float  # test outputs right / test outputs with a known truth
    correct: int
    total: int
    per_task_average: float | None  # TRM's evaluator, when the run reported it
    reported: bool  # the run's own score (report.json), not the page's count of what it can see


@dataclass(frozen=True)
class RunTotals:
    tasks: int
    counts: dict[str, int]  # tasks per status, every status of STATUSES first (zeros included)
    answered: int  # finished tasks where an expert proposed a grid for some test input
    score: Score | None  # None when no true output is known
    phases: dict[str, float]  # seconds per phase, summed over tasks (workers run tasks in parallel)
    search_phases: dict[str, float]  # the search's CPU seconds per phase kind, summed over tasks
    experts: list[str]
    curve: list[tuple[int, float]]  # the vote's top-1 accuracy by augmentations counted
    curve_tests: int  # test outputs the curve averages over


def reported_score(summary: dict[str, Any]) -> Score | None:
    """The run's own score from report.json, when it has a readable one."""
    score = summary.get("score")
    if not isinstance(score, dict) or not is_number(score.get("kaggle")):
        return None
    correct, total, average = score.get("correct"), score.get("total"), score.get("per_task_average")
    if not (is_number(correct) and is_number(total)):
        return None
    return Score(float(score["kaggle"]), int(correct), int(total), float(average) if is_number(average) else None, True)


def counted_score(sections: Iterable[Section]) -> Score | None:
    """The score by Kaggle's rule over the test outputs whose truth the page knows."""
    known = [c for s in sections for c in s.correct if c is not None]
    if not known:
        return None
    return Score(sum(known) / len(known), sum(known), len(known), None, False)


def run_totals(summary: dict[str, Any], sections: dict[str, Section]) -> RunTotals:
    counts = dict.fromkeys(STATUSES, 0)
    phases: dict[str, float] = {}
    search_phases: dict[str, float] = {}
    for section in sections.values():
        counts[section.status] = counts.get(section.status, 0) + 1
        for name, seconds in section.phases.items():
            phases[name] = phases.get(name, 0.0) + seconds
        for name, seconds in section.search_phases.items():
            search_phases[name] = search_phases.get(name, 0.0) + seconds
    named = summary.get("experts")
    experts = [str(e) for e in named] if isinstance(named, list) else []
    experts = experts or sorted(set().union(*(s.experts for s in sections.values()))) or list(DEFAULT_EXPERTS)
    replays = [r for s in sections.values() for r in s.replays]
    return RunTotals(
        tasks=len(sections),
        counts=counts,
        answered=sum(s.answered for s in sections.values() if s.status == DONE),
        score=reported_score(summary) or counted_score(sections.values()),
        phases=phases,
        search_phases=dict(sorted(search_phases.items(), key=lambda item: -item[1])),
        experts=experts,
        curve=accuracy_curve(replays),
        curve_tests=len(replays),
    )
