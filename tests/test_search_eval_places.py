"""bench/search_eval.py: where the right answer sits among each test output's candidates."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import search_eval

from solver.arc.tasks import Pair, Task
from solver.search import SearchSettings
from solver.search.engine import SearchResult
from solver.search.ranking import SearchCandidate


def grid(v):
    return np.full((2, 2), v, dtype=np.uint8)


def candidates(*values):
    return [SearchCandidate(grid(v), f"p{v}", 0.0, 1) for v in values]


def test_each_test_output_gets_the_right_candidates_place(monkeypatch):
    task = Task("t", (Pair(grid(0), grid(1)),), tuple(Pair(grid(k), None) for k in range(4)))
    found = SearchResult([candidates(5, 6, 7), candidates(7, 5), candidates(5, 6), []], {})
    monkeypatch.setattr(search_eval, "search_task", lambda train, tests, settings: found)
    answers = [grid(7).tolist(), grid(7).tolist(), grid(7).tolist(), grid(7).tolist()]
    r = search_eval.run_task(task, answers, SearchSettings(), False)
    assert r.places == [2, 0, -1, None]
    # Third is past Kaggle's two attempts; the hits and the precision read the same places.
    assert r.hits == [False, True, False, False] and (r.proposed, r.top_right) == (3, 1)


def test_candidates_reach_the_search_and_the_places_are_printed_and_recorded(monkeypatch, tmp_path, capsys):
    kept = []

    def fake_search(train, test_inputs, settings):
        kept.append(settings.max_candidates)
        return SearchResult([candidates(0, 1, 2, 3) for _ in test_inputs], {})

    monkeypatch.setattr(search_eval, "search_task", fake_search)
    monkeypatch.setattr(search_eval, "warmup", lambda: None)
    out = tmp_path / "records.json"
    args = ["--tasks", "arc1/train", "--task-ids", "83302e8f", "--candidates", "50", "--json", str(out)]
    assert search_eval.main(args) == 0
    assert kept == [50]
    printed = capsys.readouterr().out
    places = "first 0, second 0, later 0, not among them 1, no candidate 0"
    assert f"right answer's place among the candidates: {places}" in printed
    assert json.loads(out.read_text())[0]["places"] == [-1]


def test_candidates_below_one_is_refused_before_anything_runs(capsys):
    with pytest.raises(SystemExit) as stop:
        search_eval.main(["--candidates", "0"])
    assert stop.value.code == 2
    assert "--candidates must be at least 1, got 0" in capsys.readouterr().err


def test_the_summary_counts_each_place(capsys):
    results = [
        search_eval.TaskResult("a", False, [0, 1, 2], 0.1, "p", {}),
        search_eval.TaskResult("b", False, [3, -1, None], 0.1, "p", {}),
    ]
    args = type("Args", (), {"time_limit": 10.0, "depth": 3, "demos": None})()
    search_eval.print_summary(results, args, 0.0, split=False)
    places = "first 1, second 1, later 2, not among them 1, no candidate 1"
    assert f"right answer's place among the candidates: {places}" in capsys.readouterr().out
