"""The search of one task: its passes, and the answers ranked.

The plain pass searches the task as given (`enumeration`); the colour-normalised pass then
searches it with colours renumbered by their role (`normalize`); when still nothing fits and
`use_transpose` asks for it (off by default), the transposed pass searches the diagonally
flipped task. When no pass has found a program, the plain pass's third level is widened
(`Enumeration.end_with_untwinned_ops`). The answers are mapped back and ranked with the
plain ones. The demonstrations' outputs, when they repeat, follow every program's answer
(`lookup`). Every pass stops at its deadline; `stats` says where the time
went (`timing`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .enumeration import Enumeration
from .lookup import repeated_outputs
from .normalize import normalise_task
from .ranking import COSTS, Fit, SearchCandidate, rank
from .settings import DEFAULT_SETTINGS, SearchSettings
from .timing import PhaseTimes

PLAIN_SHARE = 0.6  # of the time limit, for the plain task when other passes may follow
NORMALISED_SHARE = 0.8  # the colour-normalised pass ends by this share when the flipped one may follow


@dataclass
class SearchResult:
    per_test: list[list[SearchCandidate]]  # one list per test input, best first, distinct grids
    stats: dict = field(default_factory=dict)


def _search_normalised(
    train, test_inputs, settings: SearchSettings, start: float, deadline: float, stats: dict, times: PhaseTimes
) -> list[Fit]:
    """Fits of the colour-normalised task, their test grids mapped back to each test's colours."""
    times.switch("normalised.setup")
    task = normalise_task(train, test_inputs)
    if task is None:
        return []
    stats["colour_normalised"] = True
    own_deadline = deadline if not settings.use_transpose else start + settings.time_limit_s * NORMALISED_SHARE
    s = Enumeration("normalised", task.train, task.test_inputs, settings, own_deadline, stats, times)
    s.run()
    return [
        f.wrapped("normalised_colours", [p.invert(g) for p, g in zip(task.test_permutations, f.test_grids)])
        for f in s.fits
    ]


def _search_transposed(train, test_inputs, settings: SearchSettings, deadline: float, stats: dict, times: PhaseTimes):
    """Fits of the diagonally flipped task, their test grids flipped back."""
    times.switch("transposed.setup")
    ttrain = [(i.T.copy(), o.T.copy()) for i, o in train]
    ttest = [t.T.copy() for t in test_inputs]
    s = Enumeration("transposed", ttrain, ttest, settings, deadline, stats, times)
    s.run()
    return [f.wrapped("transposed_task", [g.T.copy() for g in f.test_grids]) for f in s.fits]


def search_task(
    train: Sequence[tuple[np.ndarray, np.ndarray]],
    test_inputs: Sequence[np.ndarray],
    settings: SearchSettings = DEFAULT_SETTINGS,
) -> SearchResult:
    """Search programs that map every demonstration input to its output.

    train: (input, output) pairs of (H, W) uint8 grids. test_inputs: (H, W) uint8 grids.
    Returns, per test input, up to `settings.max_candidates` distinct grids made by
    programs that fit every demonstration, best first; when the demonstrations' outputs
    repeat, those outputs follow, marked `verified=False` (no program made them), after the
    programs that reproduce all demonstrations but one (`near_fits`, also unverified).
    stats: depth reached, programs tried, states stored, whether a cap or the deadline
    stopped it, and seconds per phase (`phase_cpu_s`, `phase_wall_s`: see `timing`).
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    times = PhaseTimes()
    deadline = start + settings.time_limit_s
    train = [(np.asarray(i, dtype=np.uint8), np.asarray(o, dtype=np.uint8)) for i, o in train]
    test_inputs = [np.asarray(t, dtype=np.uint8) for t in test_inputs]
    stats: dict = {"timed_out": False, "state_cap_hit": False, "lists_cut": False, "depth_reached": 0}
    fits: list[Fit] = []
    if train and test_inputs:
        # The colour-normalised pass runs after every plain one, as icecuber searches the
        # normalised task by default: its fits are ranked with the plain ones, so a simpler rule
        # of another kind can come first or take Kaggle's second attempt. Run only when the plain
        # programs left a test input without two answers, it saved about 9% of the CPU on arc1/train and
        # lost one output on each part (docs/RESULTS.md, "ninth session"). The plain task may use
        # 60% of the limit; the colour-normalised one the rest, or up to 80% when the flipped one may follow.
        later_passes = settings.use_colour_normalisation or settings.use_transpose
        plain_deadline = start + settings.time_limit_s * PLAIN_SHARE if later_passes else deadline
        s = Enumeration("plain", train, test_inputs, settings, plain_deadline, stats, times, first_pass=True)
        s.run()
        fits.extend(s.fits)
        if settings.use_colour_normalisation and time.perf_counter() < deadline:
            fits.extend(_search_normalised(train, test_inputs, settings, start, deadline, stats, times))
        if settings.use_transpose and not fits and time.perf_counter() < deadline:
            fits.extend(_search_transposed(train, test_inputs, settings, deadline, stats, times))
        if not fits and time.perf_counter() < deadline:  # the plain pass's third level, wider (`enumeration`)
            fits.extend(s.end_with_untwinned_ops(deadline))
        times.switch("ranking")
        fits.extend(s.near_fits.fits() if s.near_fits is not None else [])  # plain programs missing one demonstration
        fits.extend(_repeated_output_fits(train, test_inputs))
    times.switch("ranking")
    per_test = rank(fits, len(test_inputs), settings.max_candidates)
    times.switch(None)
    stats["fitting_programs"] = len(fits)
    stats["seconds"] = round(time.perf_counter() - start, 4)
    stats["cpu_seconds"] = round(time.process_time() - cpu_start, 4)
    stats.update(times.stats())
    return SearchResult(per_test, stats)


def _repeated_output_fits(train, test_inputs) -> list[Fit]:
    """The demonstrations' outputs, when they repeat, as answers ranked below every program."""
    per_test = [repeated_outputs(train, t) for t in test_inputs]
    fits = []
    for rank_ in range(min(len(answers) for answers in per_test)):
        grids = [answers[rank_][0] for answers in per_test]
        reasons = sorted({answers[rank_][1] for answers in per_test})
        fits.append(Fit("|".join(reasons), 0, 1, False, grids, COSTS.repeated_output + rank_, verified=False))
    return fits
