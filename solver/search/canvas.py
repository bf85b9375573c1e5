"""The output canvas: predict the test outputs' shapes, and grow a pattern to fill one.

A program that reproduces the demonstrations may give an image of another size than the
output (an object cut out of the input, a pattern's unit); to lay it on the output canvas
the search must know the canvas size of each test output. The rules are tried simplest
first and must hold on every demonstration:

- the output has the input's shape;
- every output has one fixed shape;
- each side is a linear function of one input side: out = a * side + b, or side / k + b.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from solver.arc.tasks import MAX_SIDE

SCALES = (1, 2, 3, 4, 5)  # out = a * side + b
DIVISORS = (2, 3, 4, 5)  # out = side / k + b, when side is a multiple of k
MAX_OFFSET = 3  # |b|


def _side_rules():
    """(name, function of (in_h, in_w) -> side or None), simplest first."""
    rules = []
    for src in (0, 1):
        for b in sorted(range(-MAX_OFFSET, MAX_OFFSET + 1), key=abs):
            for a in SCALES:
                rules.append((src, lambda s, a=a, b=b: a * s + b))
            for k in DIVISORS:
                rules.append((src, lambda s, k=k, b=b: s // k + b if s % k == 0 else None))
    return rules


_SIDE_RULES = _side_rules()


def _fit_side(in_shapes, out_sides, axis: int):
    """The first rule giving every demonstration's output side, or None. Rules on the same
    side of the input come first: with square demonstration inputs, a rule on the other
    side fits as well and would read a non-square test's width from its height."""
    for same_side in (True, False):
        for src, rule in _SIDE_RULES:
            if (src == axis) != same_side:
                continue
            if all(rule(shape[src]) == side for shape, side in zip(in_shapes, out_sides)):
                return src, rule
    return None


SizeRule = Callable[[tuple[int, ...]], "tuple[int, int] | None"]


def fit_size_rule(train: Sequence[tuple[np.ndarray, np.ndarray]]) -> SizeRule | None:
    """The simplest rule giving every demonstration's output shape from its input's shape,
    as a function of an input shape (None where it gives no valid shape), or None."""
    if not train:
        return None
    in_shapes = [i.shape for i, _ in train]
    out_shapes = [o.shape for _, o in train]
    if all(i == o for i, o in zip(in_shapes, out_shapes)):
        return lambda shape: (shape[0], shape[1])
    fixed = out_shapes[0] if len(set(out_shapes)) == 1 else None
    if fixed is not None and len(train) > 1:
        return lambda shape: fixed
    fits = [_fit_side(in_shapes, [o[axis] for o in out_shapes], axis) for axis in (0, 1)]
    if fits[0] is None or fits[1] is None:
        return None if fixed is None else (lambda shape: fixed)

    def rule(shape):
        sides = [side_rule(shape[src]) for src, side_rule in fits]
        if any(side is None or not 0 < side <= MAX_SIDE for side in sides):
            return None
        return (sides[0], sides[1])

    return rule


def predict_output_sizes(
    train: Sequence[tuple[np.ndarray, np.ndarray]], test_inputs: Sequence[np.ndarray]
) -> list[tuple[int, int]] | None:
    """One (H, W) per test input, or None when no rule fits the demonstrations."""
    return sizes_by_rule(fit_size_rule(train), test_inputs)


def sizes_by_rule(rule: SizeRule | None, test_inputs: Sequence[np.ndarray]) -> list[tuple[int, int]] | None:
    """One (H, W) per test input by a fitted rule, or None when there is no rule or it gives
    no size for some test input."""
    if rule is None:
        return None
    sizes = []
    for t in test_inputs:
        size = rule(t.shape)
        if size is None:
            return None
        sizes.append(size)
    return sizes


def period(a: np.ndarray) -> int:
    """Smallest p with a[i] == a[i - p] for every row i >= p."""
    n = a.shape[0]
    for p in range(1, n):
        if np.array_equal(a[p:], a[: n - p]):
            return p
    return n


def extend_periodic(a: np.ndarray, shape: tuple[int, int], at: tuple[int, int] | None = None) -> np.ndarray:
    """(H, W) uint8 canvas of `shape` filled by repeating `a`'s smallest 2-D period from its
    top-left corner (a pattern that continues past the image's edges); or, given `at`, by
    repeating the whole of `a` every way with its top-left cell at `at` (a band or tile cut
    out of a grid, continued in its own phase)."""
    py, px = (period(a), period(a.T)) if at is None else a.shape
    y, x = (0, 0) if at is None else at
    h, w = shape
    rows = (np.arange(h) - y) % py
    cols = (np.arange(w) - x) % px
    return np.ascontiguousarray(a[rows[:, None], cols[None, :]])
