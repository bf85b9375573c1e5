"""The 8 rotations and reflections of a grid (the dihedral group of the square), by id.

One numbering for the whole solver: the augmentations (`solver.arc.augment`) and the
program search (its rotation ops and block arrangements) both use it. numpy only, so
that the search can import it without anything else of the solver.
"""

from __future__ import annotations

import numpy as np

NUM_DIHEDRAL = 8
IDENTITY, ROT90, ROT180, ROT270, FLIP_H, FLIP_V, TRANSPOSE, ANTITRANSPOSE = range(NUM_DIHEDRAL)
# flip_h mirrors left-right (columns reversed), flip_v upside down (rows reversed).
DIHEDRAL_NAMES = ("id", "rot90", "rot180", "rot270", "flip_h", "flip_v", "transpose", "antitranspose")
# rot90 and rot270 undo each other; every other transform is its own inverse.
_INVERSE = (IDENTITY, ROT270, ROT180, ROT90, FLIP_H, FLIP_V, TRANSPOSE, ANTITRANSPOSE)


def _check(transform: int) -> None:
    if not isinstance(transform, (int, np.integer)) or not 0 <= transform < NUM_DIHEDRAL:
        raise ValueError(f"dihedral transform id must be 0..7, got {transform!r}")


def dihedral(grid: np.ndarray, transform: int) -> np.ndarray:
    """Apply dihedral transform `transform` (0..7) to a 2-D array; a C-contiguous result."""
    _check(transform)
    if transform == ROT90:
        out = np.rot90(grid, 1)
    elif transform == ROT180:
        out = np.rot90(grid, 2)
    elif transform == ROT270:
        out = np.rot90(grid, 3)
    elif transform == FLIP_H:
        out = grid[:, ::-1]
    elif transform == FLIP_V:
        out = grid[::-1, :]
    elif transform == TRANSPOSE:
        out = grid.T
    elif transform == ANTITRANSPOSE:
        out = np.rot90(grid, 2).T
    else:
        out = grid
    return np.ascontiguousarray(out)


def inverse_dihedral(transform: int) -> int:
    """The id that undoes `transform`."""
    _check(transform)
    return _INVERSE[transform]
