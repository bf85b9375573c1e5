"""Grid <-> token codec on a square canvas sized to the task.

A grid of h x w cells is written at (row, col) offset on an S x S canvas:
colour c becomes token c + COLOUR_OFFSET, the row just below the grid and the
column just right of it are EOS (where they fit on the canvas), the rest is PAD.
TRM uses a fixed 30 x 30 canvas; here S is the task's own size rounded up to a
bucket (canvas "fit"), so a 10 x 10 task costs ~1/9 of the tokens of a 30 x 30 one.
A model configured with canvas "30" (the reference's layout, for its published
checkpoints) always gets S = 30: an untranslated grid then sits at the top-left with
its EOS row and column, token for token as the reference encodes it.
"""

from __future__ import annotations

import math

import numpy as np

from solver.arc.tasks import MAX_SIDE, NUM_COLOURS, Task

PAD = 0
EOS = 1
COLOUR_OFFSET = 2
VOCAB_SIZE = COLOUR_OFFSET + NUM_COLOURS
IGNORE_LABEL = -100  # label of PAD cells: the model is not asked to predict them
CANVAS_MULTIPLE = 4  # canvas sides are bucketed to multiples of this (then capped at MAX_SIDE)


def canvas_side(max_grid_side: int) -> int:
    """Smallest bucketed canvas side that fits a grid of that side plus its EOS line."""
    if not 1 <= max_grid_side <= MAX_SIDE:
        raise ValueError(f"grid side {max_grid_side} outside 1..{MAX_SIDE}")
    needed = max_grid_side + 1
    return min(MAX_SIDE, CANVAS_MULTIPLE * -(-needed // CANVAS_MULTIPLE))


def expected_max_side(task: Task) -> int:
    """The largest side the task's grids may have, test outputs included.

    Test outputs are unknown; when demonstrations grow (output larger than input),
    each test input is scaled by the largest growth seen, so an answer that grows the
    same way still fits the canvas.
    """
    side = task.max_side
    shapes = [(p.input.shape, p.output.shape) for p in task.train if p.output is not None]  # always set for demos
    growth_h = max(out[0] / inp[0] for inp, out in shapes)
    growth_w = max(out[1] / inp[1] for inp, out in shapes)
    for pair in task.test:
        h, w = pair.input.shape
        side = max(side, math.ceil(h * growth_h), math.ceil(w * growth_w))
    return min(side, MAX_SIDE)


def task_canvas_side(task: Task, canvas: str = "fit") -> int:
    """The canvas side for a task under a model's `canvas` mode (ModelConfig.canvas)."""
    if canvas == "30":
        return MAX_SIDE
    if canvas != "fit":
        raise ValueError(f"unknown canvas mode {canvas!r}")
    return canvas_side(expected_max_side(task))


def encode(grid: np.ndarray, side: int, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Grid (h, w) -> tokens (side * side,) int64, grid placed at `offset`."""
    h, w = grid.shape
    r0, c0 = offset
    if r0 < 0 or c0 < 0 or r0 + h > side or c0 + w > side:
        raise ValueError(f"grid {h}x{w} at offset {offset} does not fit a {side}x{side} canvas")
    canvas = np.full((side, side), PAD, dtype=np.int64)
    canvas[r0 : r0 + h, c0 : c0 + w] = grid.astype(np.int64) + COLOUR_OFFSET
    if r0 + h < side:
        canvas[r0 + h, c0 : c0 + w] = EOS
    if c0 + w < side:
        canvas[r0 : r0 + h, c0 + w] = EOS
    return canvas.reshape(-1)


def encode_label(grid: np.ndarray, side: int, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Like `encode`, with PAD cells replaced by IGNORE_LABEL for the loss."""
    tokens = encode(grid, side, offset)
    return np.where(tokens == PAD, IGNORE_LABEL, tokens)


def max_offset(shapes: list[tuple[int, int]], side: int) -> tuple[int, int]:
    """Largest (row, col) translation that keeps every grid and its EOS line on the canvas."""
    rows = min(side - h - (1 if h < side else 0) for h, _ in shapes)
    cols = min(side - w - (1 if w < side else 0) for _, w in shapes)
    return max(rows, 0), max(cols, 0)


def encode_pair(
    grid_in: np.ndarray, grid_out: np.ndarray, side: int, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A training pair as (input tokens, label tokens), both (side * side,).

    With `rng`, input and output move together to a random offset that keeps both
    (and their EOS lines) on the canvas; without it they sit at the origin.
    """
    offset = (0, 0)
    if rng is not None:
        max_r, max_c = max_offset([grid_in.shape, grid_out.shape], side)
        offset = (int(rng.integers(max_r + 1)), int(rng.integers(max_c + 1)))
    return encode(grid_in, side, offset), encode_label(grid_out, side, offset)


def decode(tokens: np.ndarray, side: int) -> np.ndarray:
    """Tokens (side * side,) -> grid, cropped at EOS; always a valid grid.

    The grid's width is the run of colour tokens along row 0, its height the run
    along column 0. Non-colour tokens inside that rectangle become colour 0, and an
    empty rectangle becomes [[0]], so any model output decodes to a legal answer.
    """
    canvas = np.asarray(tokens).reshape(side, side)
    is_colour = (canvas >= COLOUR_OFFSET) & (canvas < VOCAB_SIZE)
    width = int(np.argmin(is_colour[0])) if not is_colour[0].all() else side
    height = int(np.argmin(is_colour[:, 0])) if not is_colour[:, 0].all() else side
    if width == 0 or height == 0:
        return np.zeros((1, 1), dtype=np.uint8)
    crop = canvas[:height, :width]
    colours = np.where(is_colour[:height, :width], crop - COLOUR_OFFSET, 0)
    return colours.astype(np.uint8)
