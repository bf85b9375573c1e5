"""The third level's list programs (solver/search/third_level_lists.py): programs of three
steps with a list in the middle, which the compiled ops (images only) cannot make."""

import time

import numpy as np

import solver.search.enumeration as enumeration
from solver.search import SearchSettings, search_task, warmup
from solver.search.compiled import CompiledLevels
from solver.search.outer_products import product
from solver.search.timing import PhaseTimes


def _task_grid(rng):
    """Three colour-3 objects and a colour-5 line across, larger than any of them; the output is
    the object with the most cells (so the line must go before the objects are compared)."""
    g = np.zeros((12, 12), dtype=np.uint8)
    g[rng.integers(5, 7), :] = 5
    slots = [(0, 0), (0, 6), (8, 0), (8, 6)]
    sizes = rng.permutation([2, 3, 3, 4])[:3]
    objects = []
    for (y0, x0), s in zip(rng.permutation(slots)[:3], sizes):
        shape = (rng.random((s, s)) < 0.6).astype(np.uint8) * 3
        shape[0, :] = 3  # one connected object
        shape[:, 0] = 3
        y, x = y0 + rng.integers(0, 5 - s), x0 + rng.integers(0, 6 - s)
        g[y : y + s, x : x + s] = shape
        objects.append((int(np.count_nonzero(shape)), rng.random(), shape))
    return g, max(objects, key=lambda o: (o[0], o[1]))[2]


def _found_at_depth_three_only(pairs) -> str:
    """The top program at depth 3 for a task whose last pair is the test, after checking that
    depth 2 does not answer it and depth 3 does, first and verified. The task as given only: the
    colour-normalised pass, which runs when depth 2 gives one grid, is another way to an answer."""
    train, (test_in, test_out) = pairs[:-1], pairs[-1]
    plain = {"time_limit_s": 30.0, "use_colour_normalisation": False}
    shallow = search_task(train, [test_in], SearchSettings(max_depth=2, **plain))
    assert not any(np.array_equal(c.grid, test_out) for c in shallow.per_test[0])
    deep = search_task(train, [test_in], SearchSettings(max_depth=3, **plain))
    best = deep.per_test[0][0]
    assert np.array_equal(best.grid, test_out) and best.verified
    return best.program


def test_depth_three_picks_from_an_edited_input_that_depth_two_cannot():
    rng = np.random.default_rng(0)
    program = _found_at_depth_three_only([_task_grid(rng) for _ in range(4)])
    assert program.startswith("largest[cells](objects8(")


def _boxes_task_grid(rng):
    """Four objects of several colours; the output fills each object's bounding box in its colour."""
    g = np.zeros((12, 12), dtype=np.uint8)
    out = g.copy()
    for y0, x0 in [(0, 0), (0, 6), (6, 0), (6, 6)]:
        h, w = rng.integers(2, 5, size=2)
        c = rng.integers(1, 4)
        y, x = y0 + rng.integers(0, 6 - h), x0 + rng.integers(0, 6 - w)
        shape = rng.random((h, w)) < 0.5
        shape[0, :] = True  # one object: the top row, and a diagonal chain down to the bottom row
        shape[np.arange(h), np.minimum(np.arange(h), w - 1)] = True
        g[y : y + h, x : x + w][shape] = c
        out[y : y + h, x : x + w] = c
    return g, out


def test_depth_three_edits_each_part_and_composes_them_back():
    rng = np.random.default_rng(0)
    program = _found_at_depth_three_only([_boxes_task_grid(rng) for _ in range(4)])
    assert program.startswith("compose(map[")


def _kron_task():
    """Outputs made as the input where it is 2 (found by the outer products)."""
    rng = np.random.default_rng(1)
    train = []
    for _ in range(3):
        x = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(3, 3))
        x[0, 0], x[1, 1] = 1, 2
        train.append((x, product("tile_where", (x == 2).astype(np.uint8), x)))
    return train, train[0][0][::-1].copy()


def test_the_list_programs_stop_at_their_share_and_give_the_pass_its_deadline_back(monkeypatch):
    seen = {}

    def endless(search, first_level):  # stands for a list step too large for its share
        seen["deadline"] = search.deadline
        while True:
            search.check_time()

    monkeypatch.setattr(enumeration, "grow_third_level_lists", endless)
    train, test = _kron_task()
    full = time.perf_counter() + 2.0
    search = enumeration.Enumeration("plain", train, [test], SearchSettings(), full, {}, PhaseTimes(), first_pass=True)
    search._grow_lists_in_part_of_the_time([])
    assert search.stats["lists_cut"] and search.deadline == full
    assert seen["deadline"] < full


def test_outer_products_are_kept_when_the_compiled_level_uses_the_rest_of_the_time(monkeypatch):
    warmup()  # compiling the kernels is not the search's time

    def endless(self, depth, last, check_time, on_fit):  # stands for a level too large for the time
        while True:
            check_time()

    monkeypatch.setattr(CompiledLevels, "run_level", endless)
    train, test = _kron_task()
    result = search_task(train, [test], SearchSettings(time_limit_s=4.0, max_depth=3))
    assert result.stats["timed_out"]
    best = result.per_test[0][0]
    assert best.program.startswith("tile_where") and best.verified
    assert np.array_equal(best.grid, product("tile_where", (test == 2).astype(np.uint8), test))
