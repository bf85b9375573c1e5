import itertools

import numpy as np
import pytest

from solver.arc.augment import IDENTITY, Augmentation, draw_augmentations, random_colour_map
from solver.arc.dihedral import DIHEDRAL_NAMES, NUM_DIHEDRAL, dihedral, inverse_dihedral
from tests.conftest import random_grid


def test_every_dihedral_transform_inverts_exactly(rng):
    for _ in range(50):
        grid = random_grid(rng)
        for t in range(NUM_DIHEDRAL):
            assert np.array_equal(dihedral(dihedral(grid, t), inverse_dihedral(t)), grid)


def test_the_eight_transforms_are_distinct():
    grid = np.arange(6, dtype=np.uint8).reshape(2, 3)
    images = {dihedral(grid, t).tobytes() + bytes(dihedral(grid, t).shape) for t in range(NUM_DIHEDRAL)}
    assert len(images) == NUM_DIHEDRAL


def test_transforms_compose_as_the_dihedral_group():
    grid = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rot = dihedral(grid, 1)
    assert np.array_equal(dihedral(rot, 1), dihedral(grid, 2))
    assert np.array_equal(dihedral(dihedral(grid, 2), 1), dihedral(grid, 3))
    assert np.array_equal(dihedral(grid, 6), grid.T)


def test_the_names_say_what_the_transforms_do():
    grid = np.arange(6, dtype=np.uint8).reshape(2, 3)
    named = {name: dihedral(grid, t) for t, name in enumerate(DIHEDRAL_NAMES)}
    assert np.array_equal(named["flip_h"], grid[:, ::-1])  # mirrored left-right
    assert np.array_equal(named["flip_v"], grid[::-1, :])  # upside down
    assert np.array_equal(named["rot90"], np.rot90(grid))  # a quarter turn anticlockwise
    assert np.array_equal(named["antitranspose"], grid[::-1, ::-1].T)


@pytest.mark.parametrize("keep_zero", [True, False])
def test_augmentation_round_trip_with_random_colour_maps(rng, keep_zero):
    for t, _ in itertools.product(range(NUM_DIHEDRAL), range(20)):
        aug = Augmentation(t, random_colour_map(rng, keep_zero))
        grid = random_grid(rng)
        assert np.array_equal(aug.invert(aug.apply(grid)), grid)
        assert np.array_equal(aug.apply(aug.invert(grid)), grid)
        if keep_zero:
            assert aug.colours[0] == 0


@pytest.mark.parametrize("bad", [-1, 8, 2.5, "rot90", None])
def test_invalid_transform_raises(bad):
    with pytest.raises(ValueError):
        dihedral(np.zeros((2, 2), np.uint8), bad)
    with pytest.raises(ValueError):
        Augmentation(bad, tuple(range(10)))


def test_invalid_colour_map_raises():
    with pytest.raises(ValueError):
        Augmentation(0, (0, 0, 1, 2, 3, 4, 5, 6, 7, 8))


def test_draws_are_deterministic_distinct_and_start_with_identity():
    first = draw_augmentations("abcd1234", seed=0, count=200)
    again = draw_augmentations("abcd1234", seed=0, count=200)
    other_task = draw_augmentations("ffff0000", seed=0, count=200)
    other_seed = draw_augmentations("abcd1234", seed=1, count=200)
    assert first == again
    assert first != other_task and first != other_seed
    assert first[0] == IDENTITY
    assert [a.transform for a in first[:8]] == list(range(8))  # every orientation early
    assert len({(a.transform, a.colours) for a in first}) == 200
    assert draw_augmentations("abcd1234", seed=0, count=5) == first[:5]
