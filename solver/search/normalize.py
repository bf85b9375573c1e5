"""Colour normalisation: renumber each example's colours by their role, not their value.

Many tasks use different colours in each demonstration ("keep the rarest colour", "recolour
the shape with the marker's colour"), so no program with a fixed colour parameter fits them
all. Renumbering each example's colours by features of its INPUT (so the test input can be
renumbered too) can turn such a task into one with fixed colours (icecuber's ARC 2020 idea).

Colours with a fixed role in the task keep their value: the background 0, colours that only
outputs hold, colours that every input holds and no output does, and every output colour
when all outputs hold the same set. The other colours of an input are ranked by a sequence
of features learned on the demonstration inputs: at each rank, the feature that singles out
one colour by the widest margin in every input (most cells, fewest components, topmost...).
Ranked colours take the free colour values in ascending order, so each example gets a
permutation of 0..9 with an exact inverse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import kernels as K

N_COLOURS = 10
BACKGROUND = 0
ALONE_MARGIN = 1e3  # a colour alone among the unranked ones is singled out by any feature
IDENTITY_MARGIN = 1.5  # "this very colour": beaten by a count that differs by more than half
POSITION_SCALE = 1000.0  # positions single a colour out only when no count does


@dataclass(frozen=True)
class ColourPermutation:
    """A bijection of the colours 0..9: `forward[c]` is colour c's normalised value."""

    forward: np.ndarray  # (10,) uint8

    def __post_init__(self):
        if sorted(self.forward.tolist()) != list(range(N_COLOURS)):
            raise ValueError(f"not a permutation of 0..9: {self.forward.tolist()}")

    @property
    def inverse(self) -> np.ndarray:
        """(10,) uint8 with inverse[forward[c]] == c."""
        inv = np.empty(N_COLOURS, dtype=np.uint8)
        inv[self.forward] = np.arange(N_COLOURS, dtype=np.uint8)
        return inv

    @property
    def is_identity(self) -> bool:
        return bool(np.array_equal(self.forward, np.arange(N_COLOURS)))

    def apply(self, grid: np.ndarray) -> np.ndarray:
        """(H, W) uint8 -> (H, W) uint8 in normalised colours."""
        return self.forward[grid]

    def invert(self, grid: np.ndarray) -> np.ndarray:
        """(H, W) uint8 in normalised colours -> (H, W) uint8 in the example's colours."""
        return self.inverse[grid]


def _colour_set(grid: np.ndarray) -> set[int]:
    return set(np.flatnonzero(K.colour_counts(grid)).tolist())


def fixed_colours(train: Sequence[tuple[np.ndarray, np.ndarray]]) -> frozenset[int]:
    """Colours whose role is the same in every demonstration; they are never renumbered."""
    ins = [_colour_set(i) for i, _ in train]
    outs = [_colour_set(o) for _, o in train]
    any_in, every_in = set().union(*ins), set.intersection(*ins)
    any_out, every_out = set().union(*outs), set.intersection(*outs)
    fixed = {BACKGROUND} | (any_out - any_in) | (every_in - any_out)
    if any_out == every_out:  # every output holds the same colours: the rule names them
        fixed |= every_out
    return frozenset(fixed)


# Feature columns: (name, kind). "max"/"min" pick the colour with the largest/smallest value.
COUNT, POSITION, IDENTITY = "count", "position", "identity"
_COUNT_FEATURES = ("cells", "components", "interior")
_POSITION_FEATURES = ("top", "bottom", "left", "right")
FEATURES: tuple[tuple[str, str], ...] = (
    tuple((f"{name}_{way}", COUNT) for name in _COUNT_FEATURES for way in ("max", "min"))
    + tuple((f"{name}_{way}", POSITION) for name in _POSITION_FEATURES for way in ("max", "min"))
    + tuple((f"is_{c}", IDENTITY) for c in range(1, N_COLOURS))
)


def colour_features(grid: np.ndarray, colours: Sequence[int]) -> np.ndarray:
    """(len(colours), len(FEATURES)) float64: per colour, values where larger is better."""
    labels, n = K.label_components(grid, BACKGROUND, True, False)
    component_colour = np.zeros(n, dtype=np.int64)
    component_colour[labels[labels >= 0]] = grid[labels >= 0]
    components = np.bincount(component_colour, minlength=N_COLOURS)
    p = np.full((grid.shape[0] + 2, grid.shape[1] + 2), N_COLOURS, dtype=np.int64)
    p[1:-1, 1:-1] = grid
    inner = (p[:-2, 1:-1] == grid) & (p[2:, 1:-1] == grid) & (p[1:-1, :-2] == grid) & (p[1:-1, 2:] == grid)
    interior = np.bincount(grid[inner], minlength=N_COLOURS)
    cells = K.colour_counts(grid)
    rows = []
    for c in colours:
        ys, xs = np.nonzero(grid == c)
        counts = (cells[c], components[c], interior[c])
        positions = (-ys.min(), ys.max(), -xs.min(), xs.max())  # reaching furthest up/down/left/right
        row = [v for x in counts for v in (x, -x)] + [v for x in positions for v in (x, -x)]
        row += [float(c == k) for k in range(1, N_COLOURS)]
        rows.append(row)
    return np.array(rows, dtype=np.float64).reshape(len(colours), len(FEATURES))


def _margin(values: np.ndarray, feature: int) -> tuple[float, int]:
    """(how clearly the best value beats the rest, index of the best; ties: the first)."""
    best = int(np.argmax(values))
    if values.size == 1:
        return ALONE_MARGIN, best
    a, b = np.sort(values)[::-1][:2]
    kind = FEATURES[feature][1]
    if kind == COUNT:  # ratio of (count + 1); a "min" column holds negated counts
        return (max(abs(a), abs(b)) + 1.0) / (min(abs(a), abs(b)) + 1.0), best
    if kind == POSITION:
        return 1.0 + (a - b) / POSITION_SCALE, best
    return (IDENTITY_MARGIN if a > b else 1.0), best


@dataclass(frozen=True)
class ColourNormaliser:
    """Learned on the demonstration inputs; gives each grid its colour permutation."""

    fixed: frozenset[int]
    picks: tuple[int, ...]  # the feature (index into FEATURES) that ranks each colour, in rank order

    def permutation(self, grid: np.ndarray) -> ColourPermutation:
        """The permutation for an example, read from its input grid (H, W) uint8."""
        left = sorted(_colour_set(grid) - self.fixed)
        feats = colour_features(grid, left)
        order = []
        alive = np.ones(len(left), dtype=bool)
        for rank in range(len(left)):
            f = self.picks[rank] if rank < len(self.picks) else 0  # beyond the learned ranks: most cells
            idx = np.flatnonzero(alive)
            _, best = _margin(feats[idx, f], f)
            order.append(left[idx[best]])
            alive[idx[best]] = False
        free = [c for c in range(N_COLOURS) if c not in self.fixed]
        order += [c for c in free if c not in order]  # absent colours keep their relative order
        forward = np.arange(N_COLOURS, dtype=np.uint8)
        forward[order] = free
        return ColourPermutation(forward)


def fit_normaliser(train: Sequence[tuple[np.ndarray, np.ndarray]]) -> ColourNormaliser:
    """Pick, rank by rank, the feature that best singles out one colour in every input."""
    fixed = fixed_colours(train)
    lefts = [sorted(_colour_set(i) - fixed) for i, _ in train]
    feats = [colour_features(i, left) for (i, _), left in zip(train, lefts)]
    alive = [np.ones(len(left), dtype=bool) for left in lefts]
    picks = []
    while any(a.any() for a in alive):
        scores = np.full(len(FEATURES), np.inf)
        chosen = np.zeros((len(FEATURES), len(train)), dtype=np.int64)
        for k, (f_k, a_k) in enumerate(zip(feats, alive)):
            if not a_k.any():
                continue
            idx = np.flatnonzero(a_k)
            for f in range(len(FEATURES)):
                margin, best = _margin(f_k[idx, f], f)
                scores[f] = min(scores[f], margin)
                chosen[f, k] = idx[best]
        f = int(np.argmax(scores))  # ties: the earlier feature
        picks.append(f)
        for k, a_k in enumerate(alive):
            if a_k.any():
                a_k[chosen[f, k]] = False
    return ColourNormaliser(fixed, tuple(picks))


@dataclass(frozen=True)
class NormalisedTask:
    train: list[tuple[np.ndarray, np.ndarray]]  # inputs and outputs in their input's colours
    test_inputs: list[np.ndarray]
    test_permutations: list[ColourPermutation]  # to map test answers back


def normalise_task(
    train: Sequence[tuple[np.ndarray, np.ndarray]], test_inputs: Sequence[np.ndarray]
) -> NormalisedTask | None:
    """The task with each example's colours renumbered, or None when nothing would change."""
    normaliser = fit_normaliser(train)
    train_perms = [normaliser.permutation(i) for i, _ in train]
    test_perms = [normaliser.permutation(t) for t in test_inputs]
    if all(p.is_identity for p in train_perms + test_perms):
        return None
    return NormalisedTask(
        [(p.apply(i), p.apply(o)) for p, (i, o) in zip(train_perms, train)],
        [p.apply(t) for p, t in zip(test_perms, test_inputs)],
        test_perms,
    )
