"""The Python levels' compiled ops (solver/search/compiled/batch.py): one kernel call per state
gives every twin's values as the library op would, and the search finds the same programs."""

import numpy as np
import pytest

from solver.arc.tasks import load_source
from solver.search import enumeration, search_task
from solver.search.compiled.batch import TwinResults
from solver.search.compiled.opcodes import compiled_ops
from solver.search.image import Img, value_key
from solver.search.ops import IMAGE, build_library
from solver.search.settings import SearchSettings


def _library_values(t, values, inputs):
    out = []
    for v, ctx in zip(values, inputs):
        r = t.fn(v, ctx)
        if r is None:
            return None
        out.append(r)
    return tuple(out)


@pytest.mark.parametrize("seed", range(6))
def test_every_twin_gives_the_library_ops_values(seed):
    rng = np.random.default_rng(seed)
    library = build_library(list(range(10)))
    shapes = [(int(rng.integers(1, 12)), int(rng.integers(1, 12))) for _ in range(4)]
    inputs = [rng.integers(0, 4, shape).astype(np.uint8) for shape in shapes]
    for a in inputs:
        a[rng.random(a.shape) < 0.5] = 0
    # Positions of one and two digits, and negative ones, which the kernel's keys write as text.
    values = tuple(Img(a, int(rng.integers(-12, 13)), int(rng.integers(-12, 13))) for a in inputs)
    twins = TwinResults(compiled_ops(library), library, len(values))
    twins.compute(values)
    checked = failed = 0
    for t in library:
        if not twins.has(t):
            continue
        want, got = _library_values(t, values, inputs), twins.values(t)
        if want is None:
            assert got is None and twins.key(t) is None, t.name
            failed += 1
            continue
        assert got is not None, t.name
        for w, g in zip(want, got):
            assert (g.y, g.x) == (w.y, w.x) and g.a.dtype == np.uint8 and g.a.flags.c_contiguous, t.name
            np.testing.assert_array_equal(g.a, w.a, err_msg=t.name)
        # The state's key, made from the kernel's buffer, is the one the search makes of the values.
        assert twins.key(t) == IMAGE.encode() + b"".join(value_key(w) for w in want), t.name
        checked += 1
    assert checked > 80 and failed > 0  # both kinds of answer were compared


def test_an_op_that_fails_on_one_example_gives_none():
    library = build_library(list(range(10)))
    twins = TwinResults(compiled_ops(library), library, 2)
    full = Img(np.full((3, 3), 2, dtype=np.uint8))
    empty = Img(np.zeros((3, 3), dtype=np.uint8))  # nothing to crop
    twins.compute((full, empty))
    (crop,) = [t for t in library if t.name == "crop"]
    assert twins.values(crop) is None
    twins.compute((full, full))
    assert twins.values(crop) is not None


def _answers(task):
    result = search_task(
        [(p.input, p.output) for p in task.train],
        [p.input for p in task.test],
        SearchSettings(time_limit_s=60.0, max_depth=2),
    )
    return [[(c.program, c.grid.tobytes(), c.grid.shape) for c in cands] for cands in result.per_test], result.stats


def test_the_search_finds_the_same_programs_with_or_without_them(monkeypatch):
    tasks = {t.id: t for t in load_source("arc1/train").tasks}
    for task_id in ("3c9b0459", "a416b8f3", "d631b094"):  # a turn, a tiling, a count: all twins' work
        with_twins, stats = _answers(tasks[task_id])
        with monkeypatch.context() as m:
            m.setattr(enumeration, "compiled_ops", lambda library: compiled_ops([]))
            without, plain_stats = _answers(tasks[task_id])
        assert not stats["timed_out"] and not plain_stats["timed_out"]  # else the two may stop at different places
        assert with_twins == without and with_twins[0], task_id
        assert stats["states"] == plain_stats["states"] and stats["programs_tried"] == plain_stats["programs_tried"]


def test_an_image_over_arcs_size_is_left_to_the_library_ops():
    library = build_library(list(range(10)))
    twins = TwinResults(compiled_ops(library), library, 2)
    big = Img(np.ones((31, 31), dtype=np.uint8))
    assert not twins.compute((big, Img(np.ones((3, 3), dtype=np.uint8))))  # the kernel's slots hold 30 x 30
    grid = np.ones((31, 31), dtype=np.uint8)
    grid[0, 0] = 2
    result = search_task([(grid, grid[::-1].copy())] * 2, [grid], SearchSettings(time_limit_s=30.0, max_depth=2))
    assert result.per_test  # the library's ops refuse the grid as before; nothing overflows


def test_the_search_warmup_compiles_the_batch_and_screen_kernels(monkeypatch):
    from solver.search import compiled, kernels, warmup

    called = []
    monkeypatch.setattr(compiled.batch, "warmup", lambda: called.append("batch"))
    real_screen = kernels.screen_reading
    monkeypatch.setattr(kernels, "screen_reading", lambda *a: called.append("screen") or real_screen(*a))
    warmup()
    assert "batch" in called and "screen" in called  # no task's time limit pays for compiling them
