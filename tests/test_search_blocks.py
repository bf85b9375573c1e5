"""Outputs made of rotated, reflected or empty copies of an image."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solver.arc.dihedral import dihedral
from solver.search.blocks import BLOCK_OPTIONS, EMPTY, _block_matches, _first_block_could_match, fit_blocks


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


@settings(max_examples=300, deadline=None)
@given(
    arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=st.sampled_from([0, 1, 2])),
    st.integers(0, 9),
    arrays(np.uint8, 16, elements=st.sampled_from([0, 1, 2, 7])),
)
def test_the_first_blocks_cheap_test_refuses_only_blocks_nothing_matches(r, option, noise):
    """The top-left block is one of the options (a rotation or reflection of r, or empty) or
    noise; the cheap test passes every block that some option matches."""
    h, w = r.shape
    is_option = option == 8 or (option < 8 and dihedral(r, option).shape == r.shape)
    if not is_option:
        block = noise[: h * w].reshape(h, w)
    else:
        block = np.zeros_like(r) if option == 8 else dihedral(r, option)
    t = np.concatenate([block, np.full_like(r, 5)], axis=1)
    matched = any(_block_matches(r, t, 0, 0, o) for o in (*BLOCK_OPTIONS, EMPTY))
    assert _first_block_could_match(r, t) or not matched
    if is_option:
        assert matched and _first_block_could_match(r, t)
