"""The search's figures over a finished run's reports (bench/search_run_stats.py)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from search_run_stats import run_stats


def report(task_id, cpu, depth, tops, phases):
    return {
        "task_id": task_id,
        "search": {"cpu_seconds": cpu, "depth_reached": depth, "phase_cpu_s": phases},
        "tests": [{"top": [{"grid": g}] if g is not None else []} for g in tops],
    }


def test_run_stats_sums_phases_and_counts_right_top_candidates():
    solutions = {"a": [[[1]], [[2]]], "b": [[[3]]], "c": [[[4]]]}
    reports = [
        report("a", 1.0, 3, [[[1]], [[5]]], {"plain.enumeration": 0.5, "plain.fitting": 0.25}),
        report("b", 3.0, 3, [None], {"plain.enumeration": 1.0, "normalised.enumeration": 1.5}),
        report("c", 2.0, 2, [[[4]]], {"plain.pieces": 0.5}),
        {"task_id": "d", "status": "failed", "tests": []},  # no search figures: not counted
    ]
    s = run_stats(reports, solutions)
    assert s["tasks"] == 3 and s["cpu_median_s"] == 2.0 and s["cpu_max_s"] == 3.0
    assert s["depth_reached"] == {2: 1, 3: 2}
    assert s["phase_cpu_s"] == {"enumeration": 3.0, "fitting": 0.25, "pieces": 0.5}
    assert (s["top_right"], s["proposed"]) == (2, 3)  # "a" right once of two, "c" right, "b" none proposed
    assert np.isclose(s["cpu_p90_s"], 2.8)
    assert run_stats(reports, None)["proposed"] is None  # no solutions: no precision
