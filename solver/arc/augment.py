"""Augmentations: the 8 dihedral transforms (`solver.arc.dihedral`) x colour permutations, each with an
exact inverse.

Translation is not part of an `Augmentation`: it is a placement on the canvas chosen
at training time (see solver.trm.codec.encode_pair), and predictions are always decoded
from the canvas origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.arc.dihedral import NUM_DIHEDRAL, dihedral, inverse_dihedral
from solver.arc.tasks import NUM_COLOURS
from solver.seeding import task_rng


@dataclass(frozen=True)
class Augmentation:
    transform: int  # dihedral id 0..7
    colours: tuple[int, ...]  # colours[c] is the new colour of colour c

    def __post_init__(self) -> None:
        inverse_dihedral(self.transform)  # validates the id
        if sorted(self.colours) != list(range(NUM_COLOURS)):
            raise ValueError(f"colour map must be a permutation of 0..9, got {self.colours}")

    def apply(self, grid: np.ndarray) -> np.ndarray:
        return dihedral(np.asarray(self.colours, dtype=np.uint8)[grid], self.transform)

    def invert(self, grid: np.ndarray) -> np.ndarray:
        inverse_colours = np.argsort(np.asarray(self.colours)).astype(np.uint8)
        return inverse_colours[dihedral(grid, inverse_dihedral(self.transform))]


IDENTITY = Augmentation(0, tuple(range(NUM_COLOURS)))


def random_colour_map(rng: np.random.Generator, keep_zero: bool) -> tuple[int, ...]:
    if keep_zero:
        return (0, *(int(c) for c in rng.permutation(np.arange(1, NUM_COLOURS))))
    return tuple(int(c) for c in rng.permutation(NUM_COLOURS))


def draw_augmentations(task_id: str, seed: int, count: int, keep_colour_zero: bool = True) -> list[Augmentation]:
    """`count` distinct augmentations, the identity first, deterministic in (task_id, seed).

    The first eight are the eight dihedral transforms with random colour maps (the
    identity keeps its colours), so even a small budget covers every orientation.
    """
    if count < 1:
        raise ValueError("need at least one augmentation")
    rng = task_rng(task_id, seed, "augment")
    chosen: dict[tuple, Augmentation] = {(IDENTITY.transform, IDENTITY.colours): IDENTITY}
    transform = 1
    while len(chosen) < count:
        if transform < NUM_DIHEDRAL:
            candidate = Augmentation(transform, random_colour_map(rng, keep_colour_zero))
            transform += 1
        else:
            candidate = Augmentation(int(rng.integers(NUM_DIHEDRAL)), random_colour_map(rng, keep_colour_zero))
        chosen.setdefault((candidate.transform, candidate.colours), candidate)
    return list(chosen.values())
