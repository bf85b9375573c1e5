"""Reading an image state as the outputs, and fitting the program's final step.

A state's images may be the outputs as they are, or laid on the output's canvas (at their
own position, or grown as a periodic pattern, or repeated whole from where they lie), or
arranged as rotated and reflected blocks (`blocks`): those are its readings. A reading fits
when, on every demonstration, it equals the output exactly, or does so after one final step
fitted to the demonstrations: a colour map, a colour map by colour rank, a pair map, or a
cell rule (`fitters`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import kernels as K
from .blocks import block_counts, fit_blocks
from .canvas import extend_periodic
from .fitters import (
    LOCAL_FEATURE_SETS,
    fit_cell_rule,
    fit_colour_map,
    fit_pair_map,
    fit_rank_colour_map,
    rich_feature_sets,
    unseen_colours,
)
from .held_out import cell_rule_holds_out, colour_map_holds_out, pair_map_holds_out
from .image import Img
from .ranking import COSTS, Fit

CELL_RULE_MAX_DEPTH = 1  # cell rules on local neighbourhoods are fitted on states this shallow
PAIR_MAP_MAX_DEPTH = 2  # pair maps (`fit_pair_map`) are fitted on states this shallow
RICH_RULE_MAX_DEPTH = 0  # rules on every feature family (slower): on states this shallow
RICH_FEATURE_SETS = rich_feature_sets()


@dataclass(frozen=True)
class Examples:
    """One task as a pass searches it: every input (demonstrations first, then tests), the
    demonstrations' outputs, and the canvas each example's answer is laid on."""

    inputs: list  # (H, W) uint8 per example
    targets: list  # (H, W) uint8 per demonstration
    canvas_shapes: list | None  # the outputs' shapes, then the tests' predicted; None: no size rule
    target_flat: np.ndarray  # (N,) uint8: every output's cells, concatenated

    @property
    def n_train(self) -> int:
        return len(self.targets)

    @functools.cached_property
    def ends(self) -> np.ndarray:
        """(D,) int64: where each demonstration's output ends in target_flat."""
        return np.cumsum([t.size for t in self.targets]).astype(np.int64)

    @functools.cached_property
    def input_flat(self) -> np.ndarray:
        """The demonstrations' inputs end to end when each has its output's shape, else empty
        (a pair map needs both colours in every cell)."""
        inputs = self.inputs[: self.n_train]
        if any(i.shape != t.shape for i, t in zip(inputs, self.targets)):
            return np.zeros(0, dtype=np.uint8)
        return np.concatenate([i.ravel() for i in inputs]).astype(np.uint8, copy=False)

    def readable_first(self, first: Img) -> bool:
        """Whether an image in the first demonstration's place could be read as its output
        (`readings` mirrored on one example): the output's shape, or a block of it, or, with a
        size rule, no larger than it. False means the state has no reading at all, so a last
        step can stop after its first example."""
        (h, w), (th, tw) = first.a.shape, self.targets[0].shape
        if (h, w) == (th, tw) or block_counts((h, w), (th, tw)) is not None:
            return True
        return self.canvas_shapes is not None and h <= th and w <= tw


class Screen(NamedTuple):
    """One pass over a reading's cells (`kernels.screen_reading`): which final steps could
    still fit it, and its wrong cells, so that most states skip the slower checks."""

    flat: np.ndarray  # (N,) uint8: the reading's demonstration cells end to end
    wrong: list  # wrong cells on each demonstration
    flags: int  # kernels.COULD_* bits

    @property
    def exact(self) -> bool:
        return not any(self.wrong)

    def could(self, flag: int) -> bool:
        return bool(self.flags & flag)


def screen(results: list, ex: Examples) -> Screen:
    """The screen of a reading's demonstration results, each of its output's shape (as every
    `Reading` is: the kernel reads the cells by the outputs' extents)."""
    if any(r.shape != t.shape for r, t in zip(results, ex.targets)) or len(results) != ex.n_train:
        raise ValueError("a reading's results must have the outputs' shapes")
    flat = np.concatenate([r.ravel() for r in results])
    wrong = np.empty(ex.n_train, dtype=np.int64)
    flags = K.screen_reading(flat, ex.target_flat, ex.input_flat, ex.ends, wrong)
    return Screen(flat, wrong.tolist(), int(flags))


class Reading(NamedTuple):
    """An image state read as the outputs: per demonstration and per test, shaped like the output."""

    results: list  # (H, W) uint8 per demonstration
    tests: list  # (H, W) uint8 per test input
    program: str
    on_canvas: bool = False  # laid on a blank canvas of the output's size
    cost: float = 0.0  # added to the program's length when ranking


def readings(values: tuple, program: str, ex: Examples) -> list[Reading]:
    """Ways to read an image state (one Img per example) as the outputs, simplest first.

    An image of another size than the output is laid on a blank canvas of the output's
    size (the test's predicted by `canvas`): at its own position (an object cut out and
    kept in place), as a pattern repeated from its smallest period, or repeated whole every
    way from its own position (icecuber's repeat). Outputs made of
    rotated or reflected copies are fitted by `blocks`.
    """
    n_train = ex.n_train
    results = [v.a for v in values[:n_train]]
    tests = [v.a for v in values[n_train:]]
    if all(r.shape == t.shape for r, t in zip(results, ex.targets)):
        return [Reading(results, tests, program)]
    if not ex.readable_first(values[0]):
        return []  # most states: no need to try each way (the invariant is tested)
    return resized_readings(values, program, ex)


def resized_readings(values: tuple, program: str, ex: Examples) -> list[Reading]:
    """The readings of an image state not of the outputs' shapes (see `readings`)."""
    n_train = ex.n_train
    results = [v.a for v in values[:n_train]]
    tests = [v.a for v in values[n_train:]]
    found = []
    blocks = fit_blocks(results, ex.targets, tests)
    if blocks is not None:  # the arrangement is fitted to the outputs, so they match
        found.append(Reading(ex.targets, blocks[0], f"blocks[{blocks[1]}]({program})", cost=COSTS.fitted_step))
    if ex.canvas_shapes is None:
        return found
    placed = _placed(values, ex.canvas_shapes)
    if placed is not None:
        found.append(Reading(placed[:n_train], placed[n_train:], f"place_on_blank({program})", on_canvas=True))
    first, target = results[0], ex.targets[0]
    (h, w), (th, tw) = first.shape, target.shape
    # Cheap tests on the first demonstration before extending every example: a grown
    # pattern starts with the image itself.
    if (
        h <= th
        and w <= tw
        and fit_colour_map([first], [np.ascontiguousarray(target[:h, :w])]) is not None
        and fit_colour_map([extend_periodic(first, target.shape)], [target]) is not None
    ):
        grown = [extend_periodic(v.a, shape) for v, shape in zip(values, ex.canvas_shapes)]
        found.append(Reading(grown[:n_train], grown[n_train:], f"extend_periodic({program})", True, COSTS.fitted_step))
    # The whole image repeated every way from where it lies (icecuber's repeat: a band or tile
    # cut out of the input, continued across the canvas in its own phase).
    y, x = values[0].y, values[0].x
    if (
        (y or x)
        and values[0].box_in(target.shape) is not None
        and fit_colour_map([first], [np.ascontiguousarray(target[y : y + h, x : x + w])]) is not None
        and fit_colour_map([extend_periodic(first, target.shape, (y, x))], [target]) is not None
        and all(v.box_in(shape) is not None for v, shape in zip(values, ex.canvas_shapes))
    ):
        grown = [extend_periodic(v.a, shape, (v.y, v.x)) for v, shape in zip(values, ex.canvas_shapes)]
        found.append(Reading(grown[:n_train], grown[n_train:], f"repeat_in_place({program})", True, COSTS.fitted_step))
    return found


def _placed(values: tuple[Img, ...], shapes: list) -> list[np.ndarray] | None:
    """Each image at its own position on a blank canvas of its example's shape, or None
    when one does not fit inside."""
    placed = []
    for v, shape in zip(values, shapes):
        box = v.box_in(shape)
        if box is None:
            return None
        canvas = np.zeros(shape, dtype=np.uint8)
        canvas[box] = v.a
        placed.append(canvas)
    return placed


def final_step_fits(reading: Reading, depth: int, ex: Examples, s: Screen) -> tuple[list[Fit], bool]:
    """The fits this reading makes, simplest final step first, and whether it is settled
    (a fit that needs no guess was found: it is not kept as a piece). s: the reading's
    `screen`, which says which final steps are worth trying."""
    results, tests, program, cost = reading.results, reading.tests, reading.program, reading.cost
    if s.exact:
        return [Fit(program, depth, 1, False, tests, cost)], True
    fits = []
    cmap = fit_colour_map(results, ex.targets) if s.could(K.COULD_COLOUR_MAP) else None
    if cmap is not None:
        guess = COSTS.unseen_colour if unseen_colours(results, tests) else 0.0
        memorised = 0.0 if colour_map_holds_out(results, cmap) else COSTS.held_out
        mapped = [cmap[g] for g in tests]
        fits.append(Fit(f"recolour({program})", depth, 1, True, mapped, guess + memorised + cost))
        if not guess:
            return fits, True
    n_train = ex.n_train
    ranked = None
    if s.could(K.COULD_MAP_EACH):
        ranked = fit_rank_colour_map(results, ex.targets, ex.inputs[:n_train], tests, ex.inputs[n_train:])
    if ranked is not None:
        fits.append(Fit(f"recolour_by_rank({program})", depth, 1, True, ranked, COSTS.rank_map + cost))
        return fits, True
    # At depth 0 a pair map is a colour map of the input. Past the Python levels (the third
    # level's list programs) its flexibility found wrong answers that kept later passes from running.
    if 0 < depth <= PAIR_MAP_MAX_DEPTH and s.could(K.COULD_PAIR_MAP):
        paired = fit_pair_map(results, ex.inputs[:n_train], ex.targets, tests, ex.inputs[n_train:])
        if paired is not None:
            answers, table = paired
            holds_out = pair_map_holds_out(results, ex.inputs[:n_train], table)
            memorised = 0.0 if holds_out else COSTS.held_out
            fits.append(Fit(f"pair_map(input, {program})", depth, 1, False, answers, COSTS.pair_map + memorised + cost))
            if holds_out:  # else a cell rule, or a cover with this state as a piece, may do better
                return fits, True
    if depth <= CELL_RULE_MAX_DEPTH and not reading.on_canvas:
        sets = RICH_FEATURE_SETS if depth <= RICH_RULE_MAX_DEPTH else LOCAL_FEATURE_SETS
        rule = fit_cell_rule(results, ex.targets, tests, sets)
        if rule is not None:
            penalty = COSTS.cell_rule + COSTS.cell_rule_feature * (len(rule.features) - 1)
            if not cell_rule_holds_out(results, ex.targets, rule.features):
                penalty += COSTS.held_out
            name = f"cell_rule[{','.join(rule.features)}]({program})"
            fits.append(Fit(name, depth, 1, False, rule.test_grids, penalty + cost))
    return fits, False
