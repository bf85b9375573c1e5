"""The last level's Python part (`Enumeration.end_with_untwinned_ops`): when no pass has found
anything, the image ops the compiled levels leave out end the plain pass's depth-2 states nearest
the outputs, and the pieces' cover is tried again."""

import time

import numpy as np
import pytest

import solver.search.enumeration as enumeration
from solver.search import SearchSettings, search_task
from solver.search.compiled.opcodes import compiled_ops
from solver.search.enumeration import NO_DISTANCE, Enumeration, State
from solver.search.image import Img
from solver.search.ops import IMAGE, LIST
from solver.search.ranking import Fit
from solver.search.timing import PhaseTimes


def rays_after_crop_task(seed: int = 0, n_train: int = 4):
    """Colours 3 and 2 kept (colour 5 erased), cropped, then rays down from every cell: the
    rays (not in the compiled levels) must come last, as they do not commute with the crop."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(n_train + 1):
        a = np.zeros((10, 10), np.uint8)
        for colour, count in ((3, 5), (5, 5), (2, 3)):
            for _ in range(count):
                y, x = rng.integers(0, 10, 2)
                if a[y, x] == 0:
                    a[y, x] = colour
        kept = np.where(a == 5, 0, a)
        ys, xs = np.nonzero(kept)
        out = kept[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].copy()
        for y in range(1, out.shape[0]):  # each cell's ray stops at the next non-zero cell below
            for x in range(out.shape[1]):
                if out[y, x] == 0 and out[y - 1, x] != 0:
                    out[y, x] = out[y - 1, x]
        pairs.append((a, out))
    return pairs[:-1], pairs[-1]


def _search(monkeypatch, states: int):
    monkeypatch.setattr(enumeration, "UNTWINNED_ENDS_STATES", states)
    train, (test_in, test_out) = rays_after_crop_task()
    result = search_task(train, [test_in], SearchSettings(time_limit_s=120.0, max_depth=3))
    assert not result.stats["timed_out"]
    return result.per_test[0], test_out


def test_a_last_step_without_a_twin_is_found(monkeypatch):
    candidates, test_out = _search(monkeypatch, enumeration.UNTWINNED_ENDS_STATES)
    top = candidates[0]
    assert np.array_equal(top.grid, test_out)
    assert top.program == "rays[down](crop(erase_colour[5](input)))" and top.depth == 3


def test_without_it_depth_three_misses_that_task(monkeypatch):
    candidates, test_out = _search(monkeypatch, 0)
    assert not any(np.array_equal(c.grid, test_out) for c in candidates)


def _pass(first_pass: bool = True, flipped: bool = False, max_depth: int = 3) -> Enumeration:
    """A pass over the rays task, or with `flipped`, over its inputs turned upside down
    (`flip_v(input)` fits at depth 1). A deadline far off: a busy machine must not cut it."""
    train, (test_in, _) = rays_after_crop_task()
    if flipped:
        train = [(i, np.ascontiguousarray(i[::-1])) for i, _ in train]
    stats = {"state_cap_hit": False}
    settings = SearchSettings(max_depth=max_depth)
    return Enumeration("plain", train, [test_in], settings, time.perf_counter() + 600, stats, PhaseTimes(), first_pass)


def _untwinned_ops(search: Enumeration) -> list:
    """The image ops the compiled levels leave out, as the compiled levels list theirs."""
    in_levels = {int(i) for i in compiled_ops(search.library, levels=True).library_index}
    return [t for i, t in enumerate(search.library) if t.takes == IMAGE and t.gives == IMAGE and i not in in_levels]


@pytest.mark.parametrize("limit, ended", [(1, 1), (2, 2), (5, 2)])
def test_only_the_nearest_image_states_with_a_reading_are_ended(monkeypatch, limit, ended):
    """The frontier comes nearest first; a list, or an image with no reading, is never ended."""
    monkeypatch.setattr(enumeration, "UNTWINNED_ENDS_STATES", limit)
    search = _pass()
    values = tuple(Img(np.asarray(g, np.uint8)) for g in search.ex.inputs)
    frontier = [
        State(values, IMAGE, "a", 2, distance=0),
        State(values, IMAGE, "b", 2, distance=7),
        State(values, IMAGE, "c", 2),  # no reading: NO_DISTANCE
        State(tuple((v,) for v in values), LIST, "d", 2, distance=0),
    ]
    assert frontier[2].distance == NO_DISTANCE
    search._keep_states_to_end(frontier)
    tried: list[tuple[str, int]] = []
    monkeypatch.setattr(search, "step", lambda t, state, depth, last, twins=None: tried.append((state.program, depth)))
    assert search.end_with_untwinned_ops(time.perf_counter() + 600) == []
    ops = _untwinned_ops(search)
    assert len(ops) > 50  # rays, slides, symmetry completion...
    assert tried == [(s.program, 3) for s in frontier[:ended] for _ in ops]


@pytest.mark.parametrize("first_pass, max_depth, kept", [(True, 3, True), (False, 3, False), (True, 2, False)])
def test_only_the_first_pass_at_depth_three_keeps_states_to_end(first_pass, max_depth, kept):
    """The later passes' states are mostly the plain pass's, recoloured; at depth 2 the Python
    levels already ran every op last."""
    search = _pass(first_pass, max_depth=max_depth)
    search.run()
    assert bool(search.states_to_end) == kept
    if kept:
        assert len(search.states_to_end) <= enumeration.UNTWINNED_ENDS_STATES
        assert all(s.depth == 2 and s.kind == IMAGE and s.distance < NO_DISTANCE for s in search.states_to_end)
        distances = [s.distance for s in search.states_to_end]
        assert distances == sorted(distances)  # nearest first


@pytest.mark.parametrize("flipped, called", [(True, False), (False, True)])
def test_they_run_only_when_no_pass_found_anything(monkeypatch, flipped, called):
    """Their programs would outrank answers of other kinds; they only answer what no program does."""
    calls = []
    original = Enumeration.end_with_untwinned_ops

    def spy(self, deadline):
        calls.append(self.first_pass)
        return original(self, deadline)

    monkeypatch.setattr(Enumeration, "end_with_untwinned_ops", spy)
    train, (test_in, _) = rays_after_crop_task()
    if flipped:
        train = [(i, np.ascontiguousarray(i[::-1])) for i, _ in train]
    result = search_task(train, [test_in], SearchSettings(time_limit_s=120.0, max_depth=3))
    assert calls == ([True] if called else [])
    assert result.per_test[0]  # either way the task gets an answer


@pytest.mark.parametrize("new_piece", [True, False])
def test_the_cover_is_tried_again_when_they_made_pieces(monkeypatch, new_piece):
    """No op fits, yet the pieces they offered may now make a cover: it is returned. With no new
    piece the cover would be the one already tried, and is not tried again."""
    search = _pass()
    search.run()
    assert search.fits == [] and search.pieces is not None and search.states_to_end
    pieces = search.pieces

    def step(t, state, depth, last, twins=None):
        if new_piece and not pieces.kept[-1].program.startswith("new"):
            pieces.kept.append(pieces.kept[-1]._replace(program=f"new({state.program})"))

    cover = Fit("overlay(a, b)", 3, 2, False, [search.ex.inputs[-1]])
    seen_by_cover = []
    monkeypatch.setattr(search, "step", step)
    monkeypatch.setattr(pieces, "cover", lambda check_time: seen_by_cover.append(pieces.kept[-1].program) or cover)
    found = search.end_with_untwinned_ops(time.perf_counter() + 600)
    if new_piece:
        assert found == [cover] and search.fits == [cover]
        assert seen_by_cover == [f"new({search.states_to_end[0].program})"]
    else:
        assert found == [] and seen_by_cover == []


def test_they_stop_at_the_deadline_and_count_what_they_tried(monkeypatch):
    search = _pass()
    search.run()
    search.stats["timed_out"] = False
    tried_before = search.stats["programs_tried"]
    calls = []
    real_step = search.step

    def slow_step(*args, **kw):  # 2 ms or more a step: the ops outlast the deadline
        calls.append(1)
        time.sleep(0.002)
        return real_step(*args, **kw)

    monkeypatch.setattr(search, "step", slow_step)
    search.end_with_untwinned_ops(time.perf_counter() + 0.05)
    assert search.stats["timed_out"]
    assert 0 < len(calls) < len(search.states_to_end) * len(_untwinned_ops(search))  # stopped part way
    assert 0 < search.stats["programs_tried"] - tried_before <= len(calls)


def test_at_the_state_cap_they_do_not_run(monkeypatch):
    """No state could be stored: the work would be for nothing, and must not report a cap it did not hit."""
    search = _pass()
    search.run()
    assert not search.stats["state_cap_hit"]
    monkeypatch.setattr(search, "settings", SearchSettings(max_depth=3, max_states=len(search.seen)))
    monkeypatch.setattr(search, "step", lambda *args, **kw: pytest.fail("a step at the state cap"))
    assert search.end_with_untwinned_ops(time.perf_counter() + 600) == []
    assert not search.stats["state_cap_hit"]


def test_their_time_is_a_phase_of_its_own():
    search = _pass()
    search.run()
    search.end_with_untwinned_ops(time.perf_counter() + 600)
    assert search.times.cpu.get("plain.ends", 0.0) > 0.0


def test_the_batched_ends_find_what_the_library_ops_find(monkeypatch):
    """The ends take the results of the ops `batch_only` compiles from one kernel call per
    state: the same programs, tries and states as with the library's ops one by one."""

    def ends():
        search = _pass()
        search.run()
        fits = search.end_with_untwinned_ops(time.perf_counter() + 600)
        return [f.program for f in fits], search.tried, len(search.seen)

    batched = ends()
    monkeypatch.setattr(enumeration, "compiled_ops", lambda library, levels=False: compiled_ops([]))
    assert ends() == batched and "rays[down](crop(erase_colour[5](input)))" in batched[0]
