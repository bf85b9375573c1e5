"""Ranking what fits: a program's score is minus its length plus what its flexibility costs;
per test input the distinct grids are ranked by score, then by how many programs agree.

Every penalty is in `Costs`: one place to read (and to change) what the search prefers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from solver.arc.voting import grid_key


@dataclass(frozen=True)
class Costs:
    """What each kind of flexibility adds to a program's length when ranking."""

    colour_map: float = 0.5  # a fitted colour map is a little less simple than none
    rank_map: float = 0.25  # a colour map by colour rank: on top of the colour-map cost
    unseen_colour: float = 1.0  # a colour map that must guess a colour the demonstrations never showed
    # A fitted step that, learned without one demonstration, no longer reproduces it (`held_out`).
    held_out: float = 1.0
    piece: float = 1.0  # each extra overlaid piece costs like one more transform
    # A fitted cell rule is flexible: rank it after exact programs of depth 2, and rules on
    # more feature families after rules on fewer.
    cell_rule: float = 2.5
    cell_rule_feature: float = 0.25  # per family beyond the first
    # A table on the (input, result) colours of each cell: a colour map on pairs, one step more.
    pair_map: float = 1.5
    fitted_step: float = 1.0  # a step fitted to the outputs (block arrangement, periodic growth): one transform
    replacement: float = 2.5  # a learned object -> patch table is flexible, like a local rule
    near_fit: float = 10.0  # a program that misses one demonstration (`near_fits`): below any that fits all
    repeated_output: float = 20.0  # a demonstration's output reused as the answer: below any program


COSTS = Costs()


@dataclass(frozen=True)
class SearchCandidate:
    grid: np.ndarray  # (H, W) uint8
    program: str  # readable, e.g. "crop(largest[cells](objects8(input)))"
    score: float  # higher is better
    depth: int  # transforms in the program (pieces: the sum)
    pieces: int = 1  # overlaid partial programs
    colour_mapped: bool = False
    agreeing: int = 1  # fitting programs that gave this same grid
    verified: bool = True  # made by a program that reproduces every demonstration (else a near fit or reused output)


@dataclass(frozen=True)
class Fit:
    """A program that reproduces every demonstration, with its answers for the test inputs."""

    program: str
    depth: int
    pieces: int
    colour_mapped: bool
    test_grids: list  # one (H, W) uint8 per test input
    penalty: float = 0.0  # from COSTS, beyond the program's length, colour map and pieces
    verified: bool = True

    @property
    def score(self) -> float:
        return -(
            self.depth
            + (self.pieces - 1) * COSTS.piece
            + (COSTS.colour_map if self.colour_mapped else 0.0)
            + self.penalty
        )

    def wrapped(self, name: str, test_grids: list) -> Fit:
        """This fit found on a changed copy of the task: one step longer, answers mapped back."""
        return dataclasses.replace(self, program=f"{name}[{self.program}]", depth=self.depth + 1, test_grids=test_grids)


def rank(fits: list[Fit], n_test: int, max_candidates: int) -> list[list[SearchCandidate]]:
    """Per test input: distinct grids, those a verified program made first (an unverified
    guess never outranks one, whatever its score), then best score, then more agreeing
    programs, then program text (a total, hash-free order). A grid is verified when any
    program that made it is."""
    order = sorted(range(len(fits)), key=lambda i: (not fits[i].verified, -fits[i].score, fits[i].program))
    per_test = []
    for k in range(n_test):
        groups: dict[bytes, list[int]] = {}
        for i in order:
            g = fits[i].test_grids[k]
            groups.setdefault(grid_key(g), []).append(i)
        ranked = sorted(
            groups.values(),
            key=lambda ids: (not fits[ids[0]].verified, -fits[ids[0]].score, -len(ids), fits[ids[0]].program),
        )
        cands = []
        for ids in ranked[:max_candidates]:
            f = fits[ids[0]]
            cands.append(
                SearchCandidate(
                    grid=f.test_grids[k].copy(),
                    program=f.program,
                    score=f.score,
                    depth=f.depth,
                    pieces=f.pieces,
                    colour_mapped=f.colour_mapped,
                    agreeing=len(ids),
                    verified=f.verified,
                )
            )
        per_test.append(cands)
    return per_test
