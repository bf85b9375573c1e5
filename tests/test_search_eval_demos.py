"""bench/search_eval.py --demos N: the search sees only each task's first N demonstrations."""

import sys
from pathlib import Path

import numpy as np

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
