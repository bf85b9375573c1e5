"""Tasks whose outputs repeat: the answer is one of the demonstrations' outputs.

Some tasks classify their input ("is it symmetric?", "which colour is the majority?") and
answer with one of a few fixed grids. No transform computes such an answer, but when the
demonstrations show only a few distinct outputs, and at least one of them twice, the test
answer is very likely one of those. A property of the input that predicts the output on
every demonstration puts its prediction first; the rest follow, most frequent first.
These answers rank below every program that fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from solver.arc.voting import grid_key

from . import kernels as K
from .ops.base import fg_colours_by_count

MAX_DISTINCT_OUTPUTS = 3


def _colour_by_count(a: np.ndarray, most: bool) -> int:
    """The commonest (rarest) non-zero colour, ties to the lower (higher) colour; -1 if none."""
    ranked = fg_colours_by_count(a)
    if not ranked:
        return -1
    return ranked[0] if most else ranked[-1]


def _objects(a: np.ndarray, diagonal: bool) -> int:
    return int(K.label_components(a, 0, diagonal, False)[1])


def _symmetric(a: np.ndarray, k: int) -> int:
    m = (a[:, ::-1], a[::-1, :], a.T, a[::-1, ::-1])[k]
    return int(m.shape == a.shape and np.array_equal(m, a))


# Properties of an input grid, each a small integer; simplest first.
FEATURES: dict[str, Callable[[np.ndarray], int]] = {
    "commonest_colour": lambda a: _colour_by_count(a, True),
    "rarest_colour": lambda a: _colour_by_count(a, False),
    "colour_count": lambda a: int(np.count_nonzero(K.colour_counts(a)[1:])),
    "objects4": lambda a: _objects(a, False),
    "objects8": lambda a: _objects(a, True),
    "symmetric_h": lambda a: _symmetric(a, 0),
    "symmetric_v": lambda a: _symmetric(a, 1),
    "symmetric_diag": lambda a: _symmetric(a, 2),
    "symmetric_rot180": lambda a: _symmetric(a, 3),
    "cells": lambda a: int(np.count_nonzero(a)),
}


def repeated_outputs(
    train: Sequence[tuple[np.ndarray, np.ndarray]], test_input: np.ndarray
) -> list[tuple[np.ndarray, str]]:
    """The demonstrations' distinct outputs as answers for one test input, best first,
    each with a readable reason; empty when the outputs do not repeat."""
    outputs: dict[bytes, np.ndarray] = {}
    labels = []
    for _, o in train:
        outputs.setdefault(grid_key(o), o)
        labels.append(grid_key(o))
    if len(outputs) > MAX_DISTINCT_OUTPUTS or len(outputs) == len(train):
        return []
    frequency = {k: labels.count(k) for k in outputs}
    order = sorted(outputs, key=lambda k: (-frequency[k], labels.index(k)))
    reason = {k: "most_frequent_output" for k in order}
    for name, feature in FEATURES.items():
        table: dict[int, bytes] = {}
        if all(table.setdefault(feature(i), label) == label for (i, _), label in zip(train, labels)):
            predicted = table.get(feature(test_input))
            # Evidence: the property separates the outputs, and some value of it recurs (a
            # property unique to every demonstration "predicts" anything).
            if predicted is not None and len(set(table.values())) > 1 and len(table) < len(train):
                order.remove(predicted)
                order.insert(0, predicted)
                reason[predicted] = f"output_by[{name}]"
                break
    return [(outputs[k].copy(), reason[k]) for k in order]
