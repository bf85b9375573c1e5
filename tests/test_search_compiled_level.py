"""The compiled levels (solver/search/compiled/): depth 3 and 4 found past Python's depth 2,
repeats dropped, the caps and the deadline held."""

import time

import numpy as np
import pytest

from solver.search import SearchSettings, search_task, warmup
from solver.search.compiled.level import PAINTED_WRONG, seed_table, table_insert
from solver.search.compiled.step import CompiledLevels, pack_grids
from solver.search.enumeration import State
from solver.search.image import Img
from solver.search.ops import IMAGE, build_library
from solver.search.ops.base import bbox
from solver.search.timing import OutOfTime


def shape_task(seed: int, scale: bool, n_train: int = 4):
    """Colour 3's cells (a shape in two or more pieces) rotated, among colour-5 noise;
    with `scale`, also scaled up twice: a depth-3 (or depth-4) program."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(n_train + 1):
        a = np.zeros((10, 10), np.uint8)
        y, x = rng.integers(0, 5, 2)
        pattern = (rng.random((4, 4)) < 0.5).astype(np.uint8) * 3
        pattern[0, 0] = pattern[3, 3] = 3
        a[y : y + 4, x : x + 4] = pattern
        for _ in range(6):
            yy, xx = rng.integers(0, 10, 2)
            if a[yy, xx] == 0:
                a[yy, xx] = 5
        r0, r1, c0, c1 = bbox(a == 3)
        out = np.rot90(np.where(a == 3, a, 0)[r0:r1, c0:c1], 1)
        if scale:
            out = np.repeat(np.repeat(out, 2, 0), 2, 1)
        pairs.append((a, np.ascontiguousarray(out)))
    return pairs[:-1], pairs[-1]


def _top_two(depth: int, scale: bool):
    train, (test_in, test_out) = shape_task(0, scale)
    result = search_task(train, [test_in], SearchSettings(time_limit_s=120.0, max_depth=depth))
    return [(c.program, c.depth, np.array_equal(c.grid, test_out)) for c in result.per_test[0][:2]], result.stats


def test_depth_three_finds_what_depth_two_cannot():
    found2, stats2 = _top_two(2, scale=False)
    found3, stats3 = _top_two(3, scale=False)
    assert not any(right for _, _, right in found2)
    assert stats2["depth_reached"] == 2
    program, depth, right = found3[0]
    assert right and depth == 3
    # The rotation as a third step: by the compiled level (`rot90(...)`), or mapped over the parts of a
    # list (`third_level_lists`), which ties with it and may win on the program's text.
    assert "rot90" in program
    assert stats3["depth_reached"] == 3
    assert "plain.compiled" in stats3["phase_cpu_s"]


def test_depth_four_keeps_compiled_states_and_rebuilds_their_programs():
    found3, _ = _top_two(3, scale=True)
    found4, stats4 = _top_two(4, scale=True)
    assert not any(right for _, _, right in found3)
    program, depth, right = found4[0]
    assert right and depth == 4
    assert program.startswith("scale_up[2](rot90(")
    assert stats4["compiled_states"] > 0


def _levels(states, frontier, inputs, targets, room=0):
    library = build_library(list(range(10)))
    return CompiledLevels(library, inputs, targets, states, frontier, room_states=room, room_bytes=room * 1000)


def test_a_state_python_reached_is_not_found_again():
    a = np.array([[1, 2], [3, 4]], np.uint8)
    root = State((Img(a),), IMAGE, "input", 0)
    flipped = State((Img(np.ascontiguousarray(a[:, ::-1])),), IMAGE, "flip_h(input)", 1)
    target = np.ascontiguousarray(a[:, ::-1])  # flip_h(flip_h(flip_h(input))) would fit too
    levels = _levels([root, flipped], [flipped], [a], [target])
    fits = []
    levels.run_level(2, True, lambda: None, fits.append)
    programs = [f.program for f in fits]
    assert "flip_h(flip_h(input))" not in programs  # the input again: Python's root has it
    assert all(p.endswith("(flip_h(input))") for p in programs)
    for f in fits:  # every fit reproduces the target through one colour table, by the reference ops
        got = f.values[0].a
        assert got.shape == target.shape
        table = {}
        assert all(table.setdefault(int(g), int(t)) == int(t) for g, t in zip(got.ravel(), target.ravel()))


def test_hash_table_drops_repeats():
    table = np.zeros(16, dtype=np.uint64)
    assert table_insert(table, np.uint64(5)) and not table_insert(table, np.uint64(5))
    assert table_insert(table, np.uint64(21))  # same slot, another key: linear probing
    assert table_insert(table, np.uint64(0)) and not table_insert(table, np.uint64(1))  # 0 is stored as 1
    buf = np.array([1, 2, 1, 2], np.uint8)
    images = np.array([[0, 1, 2], [2, 1, 2]], np.int64)  # two equal images
    states = np.array([[0], [1]], np.int64)
    fresh = np.zeros(16, dtype=np.uint64)
    seed_table(buf, images, states, 2, fresh)
    assert np.count_nonzero(fresh) == 1


def test_the_state_cap_stops_a_storing_level():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, (6, 6)).astype(np.uint8)
    root = State((Img(a),), IMAGE, "input", 0)
    levels = _levels([root], [root], [a], [np.zeros((1, 1), np.uint8)], room=300)
    levels.run_level(1, False, lambda: None, lambda fit: None)
    first = levels.added_states
    assert 0 < first <= 300
    finished = levels.run_level(2, False, lambda: None, lambda fit: None)
    assert finished  # with no room left the level still ran, reporting fits only
    assert levels.cap_hit and levels.added_states <= 300


def test_a_storing_level_without_room_still_reports_its_fits():
    # Python's two levels leave no room under this state cap: depth 3 must still be searched.
    train, (test_in, test_out) = shape_task(0, scale=False)
    settings = SearchSettings(time_limit_s=120.0, max_depth=4, max_states=400)
    result = search_task(train, [test_in], settings)
    top = result.per_test[0][0]
    assert np.array_equal(top.grid, test_out) and top.program.startswith("rot90(")
    assert result.stats["state_cap_hit"]


def test_a_last_level_where_everything_fits_cannot_fill_the_table():
    # Every 6x6 result fits a one-colour output through a colour table: thousands of fits.
    rng = np.random.default_rng(0)
    a = rng.integers(0, 10, (6, 6)).astype(np.uint8)
    states = [State((Img(rng.integers(0, 10, (6, 6)).astype(np.uint8)),), IMAGE, f"s{k}", 2) for k in range(30)]
    levels = _levels(states, states, [a], [np.zeros((6, 6), np.uint8)])
    fits = []
    assert levels.run_level(3, True, lambda: None, fits.append)
    assert len(fits) > 1000
    assert 2 * np.count_nonzero(levels.table) <= len(levels.table)


def test_deadline_is_checked_between_chunks():
    rng = np.random.default_rng(2)
    grids = [rng.integers(0, 10, (30, 30)).astype(np.uint8) for _ in range(6)]
    states = [
        State(tuple(Img(np.ascontiguousarray(np.roll(g, (k % 30, k // 30), (0, 1)))) for g in grids), IMAGE, f"s{k}", 2)
        for k in range(120)
    ]
    levels = _levels(states, states, grids, grids[:3])
    calls = []

    def check():
        calls.append(1)
        if len(calls) > 2:
            raise OutOfTime

    with pytest.raises(OutOfTime):
        levels.run_level(3, True, check, lambda fit: None)
    assert len(calls) == 3


def test_a_hostile_task_stops_on_time_inside_the_compiled_levels():
    # Python's levels take about a second here; the plain pass to depth 4 about 9 s (2026-12-02, on a
    # fast hour), against the 2.4 s its share of the cap allows. (Three 12 x 12 demonstrations and a
    # 6 s cap, first used here, needed 4.2 s against 3.6 once the search got faster: no margin.)
    warmup()
    rng = np.random.default_rng(0)
    train = [
        (rng.integers(0, 10, (20, 20), dtype=np.uint8), rng.integers(0, 10, (20, 20), dtype=np.uint8)) for _ in range(4)
    ]
    test = rng.integers(0, 10, (20, 20), dtype=np.uint8)
    cap = 4.0
    t0 = time.perf_counter()
    result = search_task(train, [test], SearchSettings(time_limit_s=cap, max_depth=4))
    assert time.perf_counter() - t0 < cap + 3.0
    assert result.stats["timed_out"] and result.stats["depth_reached"] < 4
    assert "plain.compiled" in result.stats["phase_cpu_s"]
    assert result.per_test == [[]]


def test_the_last_level_keeps_pieces_mostly_right_where_they_paint():
    # Two demonstrations of different shapes (the masks run over both outputs) and a test input.
    # Each output is its input without the 2s, plus a 5 on the first that nothing paints.
    a = np.array([[1, 2, 0], [3, 1, 0], [0, 0, 2]], np.uint8)
    b = np.array([[0, 1], [1, 2], [3, 3]], np.uint8)
    targets = [np.where(a == 2, 0, a), np.where(b == 2, 0, b)]
    targets[0][2, 2] = 5
    root = State((Img(a), Img(b), Img(a)), IMAGE, "input", 0)
    ones = State(tuple(Img(np.where(g == 1, g, 0)) for g in (a, b, a)), IMAGE, "ones", 1)  # Python reached it
    levels = CompiledLevels(build_library(list(range(10))), [a, b, a], targets, [root, ones], [root], 0, 0, True)
    levels.run_level(1, True, lambda: None, lambda fit: None)
    flat = np.concatenate([t.ravel() for t in targets])
    programs = []
    for piece in levels.pieces():
        built = levels.rebuild_piece(piece)
        got = np.concatenate([v.a.ravel() for v in built.values[:2]])
        painted, wrong = piece.mask != 0, piece.mask == PAINTED_WRONG
        assert np.array_equal(painted, got != 0)  # the kernel's cells are the reference op's
        assert np.array_equal(wrong, (got != 0) & (got != flat))
        assert painted.sum() > 2 * wrong.sum()  # more right cells than wrong ones
        programs.append(built.program)
    assert "erase_colour[2](input)" in programs and "keep_colour[3](input)" in programs
    assert "keep_colour[2](input)" not in programs  # paints only 2s, where the output is 0
    assert "keep_colour[1](input)" not in programs  # the state Python reached: a repeat


def test_a_last_level_piece_may_be_wrong_only_under_cells_the_output_paints():
    # The output: the input's two 1s over an 8-filled box; the last column stays 0.
    a = np.zeros((3, 4), np.uint8)
    a[0, 0] = a[2, 2] = 1
    target = np.zeros((3, 4), np.uint8)
    target[:, :3] = 8
    target[a == 1] = 1
    box = np.zeros((3, 4), np.uint8)
    box[:, :3] = 1
    root = State((Img(a),), IMAGE, "input", 0)
    in_box = State((Img(box),), IMAGE, "box", 1)
    everywhere = State((Img(np.ones((3, 4), np.uint8)),), IMAGE, "everywhere", 1)
    levels = CompiledLevels(
        build_library(list(range(10))), [a], [target], [root, in_box, everywhere], [in_box, everywhere], 0, 0, True
    )
    levels.run_level(2, True, lambda: None, lambda fit: None)
    found = {levels.rebuild_piece(p).program: p for p in levels.pieces()}
    eights = found["paint[8](box)"]  # right on 7 cells, wrong (8 for 1) under the input's 1s
    assert (eights.mask != 0).sum() == 9 and np.array_equal(eights.mask == PAINTED_WRONG, (a == 1).ravel())
    assert "paint[8](everywhere)" not in found  # paints the last column, which the output leaves 0
    assert "border_cells(box)" not in found  # 8 cells painted, 6 of them wrong: not mostly right


def test_pack_grids_lays_grids_end_to_end_in_a_writable_buffer():
    """Views (a transpose, a slice) are laid out row by row, as the kernels read them; the
    buffer is writable, the array type every kernel was compiled for."""
    a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    cells, boxes = pack_grids([a.T, a[:, 1:], np.full((1, 1), 9, np.uint8)])
    assert cells.tolist() == [0, 3, 1, 4, 2, 5, 1, 2, 4, 5, 9]
    assert boxes.tolist() == [[0, 3, 2], [6, 2, 2], [10, 1, 1]]
    assert cells.flags.writeable and cells.dtype == np.uint8
    empty, no_boxes = pack_grids([])
    assert empty.shape == (0,) and no_boxes.shape == (0, 3)
    with pytest.raises(ValueError, match="uint8"):
        pack_grids([np.zeros((2, 2), dtype=np.int64)])  # its bytes would not be its cells
