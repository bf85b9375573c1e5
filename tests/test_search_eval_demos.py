"""bench/search_eval.py --demos N: the search sees only each task's first N demonstrations."""

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


def test_run_task_passes_only_the_first_demonstrations(monkeypatch):
    task = Task("t", tuple(Pair(grid(k), grid(k + 1)) for k in range(3)), (Pair(grid(7), None),))
    seen = []

    def fake_search(train, test_inputs, settings):
        seen.append([int(i[0, 0]) for i, _ in train])
        return SearchResult([[SearchCandidate(grid(8), "p", 0.0, 1)]], {})

    monkeypatch.setattr(search_eval, "search_task", fake_search)
    settings = SearchSettings()
    r = search_eval.run_task(task, [grid(8).tolist()], settings, False, demos=2)
    search_eval.run_task(task, [grid(8).tolist()], settings, False)
    assert seen == [[0, 1], [0, 1, 2]]
    assert r.hits == [True] and (r.proposed, r.top_right) == (1, 1)


def test_demos_below_one_is_refused_before_anything_runs(capsys):
    with pytest.raises(SystemExit) as stop:
        search_eval.main(["--demos", "0"])
    assert stop.value.code == 2
    assert "--demos must be at least 1, got 0" in capsys.readouterr().err


def test_main_passes_demos_on_and_records_precision(monkeypatch, tmp_path, capsys):
    """The whole command: `--demos 1` reaches the search, the header says so, and each JSON
    record counts the test outputs proposed and the right top answers."""
    seen = []

    def fake_search(train, test_inputs, settings):
        seen.append(len(train))
        return SearchResult([[SearchCandidate(t, "identity", 0.0, 1)] for t in test_inputs], {})

    monkeypatch.setattr(search_eval, "search_task", fake_search)
    monkeypatch.setattr(search_eval, "warmup", lambda: None)
    out = tmp_path / "records.json"
    assert (
        search_eval.main(["--tasks", "arc1/train", "--task-ids", "83302e8f", "--demos", "1", "--json", str(out)]) == 0
    )
    assert seen == [1]
    assert "demonstrations 1" in capsys.readouterr().out
    (record,) = json.loads(out.read_text())
    assert record["id"] == "83302e8f" and (record["proposed"], record["top_right"]) == (1, 0)
