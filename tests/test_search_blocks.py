"""Outputs made of rotated, reflected or empty copies of an image."""

import numpy as np

from solver.search.blocks import fit_blocks


def _grid(seed, shape=(3, 3)):
    return np.random.default_rng(seed).integers(1, 6, shape).astype(np.uint8)


def _kaleidoscope(a):
    return np.block([[a, np.rot90(a, 3)], [np.rot90(a, 1), np.rot90(a, 2)]])


def test_fits_a_kaleidoscope_and_applies_it():
    demos = [_grid(s) for s in range(3)]
    test = _grid(9)
    found = fit_blocks(demos, [_kaleidoscope(a) for a in demos], [test])
    assert found is not None
    grids, arrangement = found
    assert arrangement == "2x2:id,rot270,rot90,rot180"
    assert np.array_equal(grids[0], _kaleidoscope(test))


def test_empty_blocks_and_non_square_images():
    demos = [_grid(s, (2, 3)) for s in range(2)]
    outs = [np.block([[a, np.zeros_like(a), a[:, ::-1]]]) for a in demos]
    grids, arrangement = fit_blocks(demos, outs, [_grid(5, (2, 3))])
    assert arrangement == "1x3:id,empty,flip_h"
    assert grids[0].shape == (2, 9) and not grids[0][:, 3:6].any()


def test_refuses_what_is_not_blocks():
    demos = [_grid(s) for s in range(2)]
    assert fit_blocks(demos, [np.tile(a, (2, 2)) for a in demos], [demos[0]]) is None  # plain tiling: not ours
    assert fit_blocks(demos, [np.zeros((6, 7), np.uint8)] * 2, [demos[0]]) is None  # not a multiple
    noisy = [_kaleidoscope(a) for a in demos]
    noisy[1][0, 5] = 9 if noisy[1][0, 5] != 9 else 8  # one block matches no copy
    assert fit_blocks(demos, noisy, [demos[0]]) is None
    # Different block counts per demonstration: no single arrangement.
    assert fit_blocks(demos, [_kaleidoscope(demos[0]), np.tile(demos[1], (1, 2))], [demos[0]]) is None
