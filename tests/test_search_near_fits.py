"""Programs that miss one demonstration (solver/search/near_fits.py): offered, unverified,
only below every program that fits them all."""

import numpy as np

from solver.search import SearchSettings, search_task
from solver.search.near_fits import MAX_NEAR_FITS, NearFits
from solver.search.ranking import COSTS, Fit, rank


def g(rows):
    return np.array(rows, dtype=np.uint8)


def offer(near, targets, results, tests, program, depth):
    """Offer results as the search does: by their wrong cells on each demonstration."""
    near.offer([int((r != t).sum()) for r, t in zip(results, targets)], tests, program, depth)


def test_one_miss_is_kept_two_are_not():
    targets = [g([[1, 2]]), g([[3, 4]]), g([[5, 6]])]
    near = NearFits(len(targets))
    offer(near, targets, [g([[1, 2]]), g([[3, 4]]), g([[5, 7]])], [g([[9]])], "a(input)", 1)
    offer(near, targets, [g([[1, 2]]), g([[0, 4]]), g([[5, 7]])], [g([[8]])], "b(input)", 1)  # misses two
    offer(near, targets, [g([[1, 2]]), g([[3, 4]]), g([[5, 6]])], [g([[7]])], "c(input)", 1)  # fits all: not near
    fits = near.fits()
    assert [f.program for f in fits] == ["near_fit[2/3](a(input))"]
    assert not fits[0].verified


def test_shorter_then_closer_programs_first_and_only_a_few_kept():
    targets = [g([[1, 1, 1]]), g([[2, 2, 2]])]
    near = NearFits(len(targets))
    for k in range(MAX_NEAR_FITS + 3):
        wrong = g([[2, 2, 0]]) if k % 2 else g([[0, 0, 0]])  # 1 or 3 wrong cells
        offer(near, targets, [g([[1, 1, 1]]), wrong], [g([[k]])], f"p{k}(input)", depth=2 if k < 2 else 1)
    fits = near.fits()
    assert len(fits) == MAX_NEAR_FITS
    assert all(f.depth == 1 for f in fits)
    assert [f.program for f in fits][:2] == ["near_fit[1/2](p3(input))", "near_fit[1/2](p5(input))"]


def test_a_task_with_one_odd_demonstration_gets_the_near_fit_answer():
    rng = np.random.default_rng(0)
    train = []
    for k in range(3):
        a = rng.integers(0, 5, (5, 6)).astype(np.uint8)
        out = np.ascontiguousarray(a[:, ::-1])
        if k == 2:
            out = out.copy()
            out[0, 0] = 9  # one cell no rule explains
        train.append((a, out))
    test = rng.integers(0, 5, (5, 6)).astype(np.uint8)
    # Without pieces: stencils can overlay the odd cell onto the flip, a verified (if odd) program.
    result = search_task(train, [test], SearchSettings(time_limit_s=60.0, max_depth=2, use_pieces=False))
    cands = result.per_test[0]
    right = [c for c in cands if np.array_equal(c.grid, test[:, ::-1])]
    assert right and not right[0].verified and right[0].program.startswith("near_fit[2/3](")
    assert all(not c.verified for c in cands[: cands.index(right[0])])  # nothing verified was ranked lower


def test_an_unverified_grid_never_outranks_a_verified_one():
    grid = g([[1]])
    other = g([[2]])
    cover = Fit("overlay(a, b, c, d)", 8, 4, False, [grid])  # verified, score -11
    near = Fit("near_fit[2/3](x(input))", 1, 1, False, [other], COSTS.near_fit, verified=False)  # score -11
    same = Fit("near_fit[2/3](y(input))", 0, 1, False, [grid], COSTS.near_fit, verified=False)  # score -10
    (ranked,) = rank([near, same, cover], 1, 5)
    assert [c.program for c in ranked] == ["overlay(a, b, c, d)", "near_fit[2/3](x(input))"]
    assert ranked[0].verified and not ranked[1].verified
    assert ranked[0].agreeing == 2  # the near fit that made the same grid agrees with it
