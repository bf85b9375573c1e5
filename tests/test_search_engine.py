"""The program search: real ARC-AGI-1 training tasks, settings checks, time cap, determinism."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.arc.tasks import load_source
from solver.search import SearchSettings, search_task, warmup
from solver.search.enumeration import NO_DISTANCE, State, _promising_first
from solver.search.ops import IMAGE, LIST

# A cap far above the ~1-2 s these searches take, so a busy machine cannot cut one short
# (a cut search may find another, equivalent program first).
FAST = SearchSettings(time_limit_s=120.0, max_depth=2)


@pytest.fixture(scope="module")
def arc1_train():
    source = load_source("arc1/train")
    return {t.id: t for t in source.tasks}, source.solutions


def _solve(task, settings=FAST):
    return search_task([(p.input, p.output) for p in task.train], [p.input for p in task.test], settings)


@pytest.mark.parametrize(
    "task_id, program",
    [
        ("0520fde7", "recolour(cells_and(split_cols[2](input)))"),
        ("23b5c85d", "smallest[cells](objects4(input))"),
        ("ded97339", "connect[hv](input)"),
        ("b8825c91", "complete_symmetry[4](input)"),
        ("9ecd008a", "symmetry_patch[0](input)"),
        ("963e52fc", "extend_periodic(input)"),
        ("8eb1be9a", "repeat_in_place(crop(input))"),  # the band keeps its phase; its smallest period would not do
        ("7fe24cdd", "blocks[2x2:id,rot270,rot90,rot180](input)"),
        ("22eb0ac0", "connect[h](input)"),  # one demonstration has no pair to connect
        ("d4469b4b", "output_by[commonest_colour]"),  # no program: a demonstration's output
        ("6c434453", "replace_objects[one_colour,margin=0](input)"),
    ],
)
def test_finds_known_programs(arc1_train, task_id, program):
    tasks, solutions = arc1_train
    result = _solve(tasks[task_id])
    for k, answer in enumerate(solutions[task_id]):
        top = result.per_test[k][0]
        assert top.program == program
        assert np.array_equal(top.grid, np.array(answer, dtype=np.uint8))
        assert top.grid.dtype == np.uint8


def test_deterministic(arc1_train):
    tasks, _ = arc1_train
    task = tasks["23b5c85d"]
    a, b = _solve(task), _solve(task)
    assert [[(c.program, c.score, c.grid.tobytes()) for c in cs] for cs in a.per_test] == [
        [(c.program, c.score, c.grid.tobytes()) for c in cs] for cs in b.per_test
    ]


def test_candidates_fit_and_are_distinct(arc1_train):
    tasks, _ = arc1_train
    result = _solve(tasks["0520fde7"], SearchSettings(time_limit_s=120.0, max_depth=2, max_candidates=3))
    for cands in result.per_test:
        assert len(cands) <= 3
        keys = [bytes(c.grid.shape) + c.grid.tobytes() for c in cands]
        assert len(set(keys)) == len(keys)
        assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)


def test_hostile_task_stops_within_cap():
    warmup()
    rng = np.random.default_rng(0)
    train = [
        (rng.integers(0, 10, (30, 30), dtype=np.uint8), rng.integers(0, 10, (30, 30), dtype=np.uint8))
        for _ in range(40)
    ]
    tests = [rng.integers(0, 10, (30, 30), dtype=np.uint8) for _ in range(3)]
    cap = 2.0
    t0 = time.perf_counter()
    result = search_task(train, tests, SearchSettings(time_limit_s=cap, max_depth=3))
    assert time.perf_counter() - t0 < cap + 3.0
    assert len(result.per_test) == 3
    assert all(not cands for cands in result.per_test)  # noise has no program
    assert result.stats["timed_out"] is True


def test_no_program_means_no_candidate():
    a = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    train = [(a, np.array([[7]], np.uint8)), (a.T.copy(), np.array([[5, 5, 5]], np.uint8))]
    result = search_task(train, [a], SearchSettings(time_limit_s=5.0, max_depth=2))
    assert result.per_test == [[]]


@pytest.mark.parametrize(
    "bad",
    [
        dict(time_limit_s=0),
        dict(time_limit_s=-1.0),
        dict(max_depth=0),
        dict(max_depth=2.5),
        dict(max_states=0),
        dict(max_candidates=True),
        dict(max_depth=99),
    ],
)
def test_settings_reject_bad_values(bad):
    with pytest.raises(ValueError):
        SearchSettings(**bad)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([IMAGE, LIST]), st.sampled_from([0, 1, 2, 5, NO_DISTANCE])), max_size=30))
def test_frontier_order_is_lists_then_nearest_images_ties_kept(kinds_and_distances):
    """The Python levels grow their frontier in this order when time runs out mid-level."""
    states = [State((), kind, f"p{i}", 1, distance) for i, (kind, distance) in enumerate(kinds_and_distances)]
    want = sorted(states, key=lambda s: (s.kind != LIST, s.distance, int(s.program[1:])))
    assert [s.program for s in _promising_first(states)] == [s.program for s in want]
