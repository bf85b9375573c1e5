"""Colour normalisation: exact inverses, fixed-role colours, and a task only it makes searchable."""

from dataclasses import replace

import numpy as np
import pytest

from solver.arc.tasks import load_source
from solver.search import SearchSettings, search_task
from solver.search.normalize import ColourPermutation, fit_normaliser, fixed_colours, normalise_task
from solver.search.ranking import Fit

FAST = SearchSettings(time_limit_s=120.0)  # far above the seconds these take: a busy machine cannot cut one short


def _random_task(rng, n_train=3):
    def grid():
        colours = rng.choice(10, size=rng.integers(1, 5), replace=False)
        return rng.choice(colours, size=(rng.integers(1, 8), rng.integers(1, 8))).astype(np.uint8)

    return [(grid(), grid()) for _ in range(n_train)], [grid() for _ in range(2)]


def test_permutation_round_trips_and_rejects_non_bijections():
    rng = np.random.default_rng(0)
    for _ in range(50):
        p = ColourPermutation(rng.permutation(10).astype(np.uint8))
        g = rng.integers(0, 10, (5, 7), dtype=np.uint8)
        assert np.array_equal(p.invert(p.apply(g)), g)
        assert np.array_equal(p.apply(p.invert(g)), g)
        assert p.apply(g).dtype == np.uint8
    assert ColourPermutation(np.arange(10, dtype=np.uint8)).is_identity
    with pytest.raises(ValueError):
        ColourPermutation(np.array([0, 1, 1, 3, 4, 5, 6, 7, 8, 9], dtype=np.uint8))


def test_fixed_colours_are_the_roles_shared_by_every_demonstration():
    a = np.array([[5, 1, 1]], dtype=np.uint8)
    b = np.array([[5, 2, 2]], dtype=np.uint8)
    # 5: in every input, no output. 8: only in outputs. 1 and 2 vary.
    train = [(a, np.array([[8, 1]], dtype=np.uint8)), (b, np.array([[8, 2]], dtype=np.uint8))]
    assert fixed_colours(train) == {0, 5, 8}
    # When every output holds the same colours, those are fixed too.
    same = [(a, np.array([[1, 0]], dtype=np.uint8)), (b, np.array([[1, 0]], dtype=np.uint8))]
    assert fixed_colours(same) == {0, 1, 5}


def test_every_permutation_is_a_bijection_that_keeps_the_fixed_colours():
    rng = np.random.default_rng(1)
    for _ in range(100):
        train, tests = _random_task(rng)
        normaliser = fit_normaliser(train)
        for g in [i for i, _ in train] + tests:
            p = normaliser.permutation(g)
            assert sorted(p.forward.tolist()) == list(range(10))
            assert all(p.forward[c] == c for c in normaliser.fixed)
            assert np.array_equal(p.invert(p.apply(g)), g)


def test_rarer_colour_gets_the_same_value_in_every_example():
    def example(common, rare):
        g = np.zeros((4, 4), dtype=np.uint8)
        g.flat[:6] = common
        g.flat[6:8] = rare
        return g, np.where(g == rare, rare, 0).astype(np.uint8)

    train = [example(1, 2), example(2, 1), example(3, 1)]
    task = normalise_task(train, [example(3, 2)[0]])
    assert task is not None
    assert len({int(o.max()) for _, o in task.train}) == 1  # one normalised value for "the rarer colour"


def test_no_pass_when_nothing_would_be_renumbered():
    g = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    assert normalise_task([(g, g), (g, g)], [g]) is None


def _swap_example(rng, common, rare):
    """Swap the two colours of the input; which colours they are changes per example."""
    g = np.zeros((6, 6), dtype=np.uint8)
    cells = rng.permutation(36)
    g.flat[cells[:10]] = common
    g.flat[cells[10:13]] = rare
    out = g.copy()
    out[g == common], out[g == rare] = rare, common
    return g, out


def test_only_the_normalised_pass_solves_a_colour_swap():
    rng = np.random.default_rng(0)
    train = [_swap_example(rng, a, b) for a, b in ((1, 2), (2, 1), (3, 1), (2, 3))]
    test_input, answer = _swap_example(rng, 3, 2)
    plain = SearchSettings(time_limit_s=120.0, use_colour_normalisation=False, use_transpose=False)
    assert not search_task(train, [test_input], plain).per_test[0]
    result = search_task(train, [test_input], SearchSettings(time_limit_s=120.0, use_transpose=False))
    top = result.per_test[0][0]
    assert top.program.startswith("normalised_colours[")
    assert np.array_equal(top.grid, answer)


def _bars_task():
    """arc1/train ba97ae07 (the bar drawn on top at a crossing changes; colours differ per
    pair): its demonstrations, test inputs and test answers."""
    source = load_source("arc1/train")
    task = next(t for t in source.tasks if t.id == "ba97ae07")
    answers = [np.array(a, dtype=np.uint8) for a in source.solutions[task.id]]
    return [(p.input, p.output) for p in task.train], [p.input for p in task.test], answers


def test_solves_a_real_task_whose_bars_change_colour():
    """arc1/train ba97ae07. Without pieces, nothing fits the plain task and only the
    normalised pass answers (with pieces, see the next test)."""
    train, tests, answers = _bars_task()
    settings = SearchSettings(time_limit_s=FAST.time_limit_s, use_pieces=False)
    result = search_task(train, tests, settings)
    for k, answer in enumerate(answers):
        top = result.per_test[k][0]
        assert top.program.startswith("normalised_colours[")
        assert np.array_equal(top.grid, answer)


def test_the_normalised_pass_fills_the_second_attempt_of_a_real_task():
    """arc1/train ba97ae07 with pieces on: the plain pass's only answer is an overlay of pieces
    that fits every demonstration and is wrong. The normalised pass's shorter program ranks
    first and is right."""
    train, tests, answers = _bars_task()
    plain_only = search_task(
        train, tests, SearchSettings(time_limit_s=FAST.time_limit_s, use_colour_normalisation=False)
    )
    assert len(plain_only.per_test[0]) == 1 and plain_only.per_test[0][0].program.startswith("overlay(")
    result = search_task(train, tests, FAST)
    assert result.stats.get("colour_normalised")
    assert result.per_test[0][0].program.startswith("normalised_colours[")
    cover = plain_only.per_test[0][0].grid
    assert any(np.array_equal(c.grid, cover) for c in result.per_test[0])  # still offered, ranked lower
    assert np.array_equal(result.per_test[0][0].grid, answers[0])


def test_the_normalised_pass_runs_even_when_the_plain_programs_give_two_answers():
    """Colours that differ by demonstration; the plain pass alone already gives two grids
    (a flip and a turn fit one-row demonstrations), and the normalised pass runs all the same."""
    train = [(_g([[3, 4, 4]]), _g([[4, 4, 3]])), (_g([[5, 5, 6]]), _g([[6, 5, 5]]))]
    tests = [_g([[7, 8], [8, 8]])]
    settings = SearchSettings(time_limit_s=30.0, max_depth=2)
    plain = search_task(train, tests, replace(settings, use_colour_normalisation=False))
    assert len({c.grid.tobytes() for c in plain.per_test[0]}) >= 2
    result = search_task(train, tests, settings)
    assert result.stats.get("colour_normalised")


def _g(rows) -> np.ndarray:
    return np.array(rows, dtype=np.uint8)


def _fit(*grids: np.ndarray) -> Fit:
    return Fit("p", 1, 1, False, list(grids))


class _PlainPass:
    """Stands in for the plain pass's `Enumeration`: the fits given, no near fits, nothing to end."""

    def __init__(self, fits):
        self.fits, self.near_fits = fits, None

    def run(self):
        pass

    def end_with_untwinned_ops(self, deadline):
        return []


@pytest.mark.parametrize("plain_grids", [[], [0, 0], [0, 1]])
def test_the_normalised_pass_runs_whatever_the_plain_fits_give(monkeypatch, plain_grids):
    """Nothing, one grid, or two: the colour-normalised pass runs after the plain one."""
    import solver.search.engine as engine

    fits = [_fit(np.full((2, 2), v, dtype=np.uint8)) for v in plain_grids]
    calls = []
    monkeypatch.setattr(engine, "Enumeration", lambda *args, **kwargs: _PlainPass(fits))
    monkeypatch.setattr(engine, "_search_normalised", lambda *args: calls.append(1) or [])
    g = np.zeros((2, 2), dtype=np.uint8)
    search_task([(g, g)], [g], SearchSettings(time_limit_s=60.0, use_transpose=False))
    assert calls
