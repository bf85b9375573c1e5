import numpy as np
import pytest

from solver.trm.codec import (
    EOS,
    IGNORE_LABEL,
    PAD,
    VOCAB_SIZE,
    canvas_side,
    decode,
    encode,
    encode_label,
    max_offset,
    task_canvas_side,
)
from tests.conftest import random_grid


@pytest.mark.parametrize("h,w", [(1, 1), (1, 30), (30, 1), (30, 30), (7, 13), (29, 29)])
def test_round_trip_edges(h, w, rng):
    grid = random_grid(rng, h, w)
    side = canvas_side(max(h, w))
    assert np.array_equal(decode(encode(grid, side), side), grid)


def test_round_trip_random(rng):
    for _ in range(300):
        grid = random_grid(rng)
        side = canvas_side(max(grid.shape))
        tokens = encode(grid, side)
        assert tokens.shape == (side * side,)
        assert np.array_equal(decode(tokens, side), grid)


def test_canvas_is_sized_to_the_task():
    assert canvas_side(3) == 4
    assert canvas_side(4) == 8  # a 4-wide grid needs a 5th column for EOS
    assert canvas_side(10) == 12
    assert canvas_side(29) == 30
    assert canvas_side(30) == 30  # no room for EOS: the canvas edge ends the grid
    with pytest.raises(ValueError):
        canvas_side(31)


def test_task_canvas_uses_every_known_grid(arc1_eval):
    task = arc1_eval.tasks[0]
    assert task_canvas_side(task) >= canvas_side(task.max_side)


def test_task_canvas_leaves_room_for_an_answer_that_grows_like_the_demonstrations():
    from solver.arc.tasks import parse_tasks

    raw = {"train": [{"input": [[1] * 3] * 3, "output": [[1] * 9] * 9}], "test": [{"input": [[2] * 4] * 4}]}
    task = parse_tasks({"grow": raw})[0]
    assert task.max_side == 9
    assert task_canvas_side(task) == canvas_side(12)  # the 4x4 test input is expected to give 12x12


def test_eos_and_pad_layout():
    grid = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    canvas = encode(grid, 4).reshape(4, 4)
    assert (canvas[2, :2] == EOS).all() and (canvas[:2, 2] == EOS).all()
    assert canvas[3, 3] == PAD and canvas[2, 2] == PAD
    labels = encode_label(grid, 4).reshape(4, 4)
    assert labels[3, 3] == IGNORE_LABEL and labels[2, 0] == EOS


def test_translation_places_grid_and_stays_on_canvas(rng):
    grid = random_grid(rng, 3, 5)
    side = 8
    max_r, max_c = max_offset([grid.shape, (4, 2)], side)
    assert (max_r, max_c) == (3, 2)
    canvas = encode(grid, side, (max_r, max_c)).reshape(side, side)
    assert np.array_equal(canvas[max_r : max_r + 3, max_c : max_c + 5] - 2, grid)
    with pytest.raises(ValueError):
        encode(grid, side, (side - 2, 0))


def test_decode_of_anything_is_a_valid_grid(rng):
    for side in (4, 12, 30):
        for _ in range(200):
            tokens = rng.integers(0, VOCAB_SIZE, side * side)
            grid = decode(tokens, side)
            assert 1 <= grid.shape[0] <= 30 and 1 <= grid.shape[1] <= 30
            assert grid.dtype == np.uint8 and grid.max() <= 9


def test_decode_empty_prediction_gives_blank_cell():
    assert decode(np.full(16, EOS), 4).tolist() == [[0]]
    assert decode(np.full(16, PAD), 4).tolist() == [[0]]


def test_fixed_canvas_mode_is_always_30(arc1_eval):
    task = arc1_eval.tasks[0]
    assert task_canvas_side(task, "30") == 30
    assert task_canvas_side(task) == task_canvas_side(task, "fit") <= 30
    with pytest.raises(ValueError, match="canvas mode"):
        task_canvas_side(task, "31")
