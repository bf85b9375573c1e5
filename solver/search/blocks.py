"""Outputs made of blocks: each block one rotation or reflection of an image, or empty.

Many tasks lay copies of the input side by side, some of them flipped or turned (a 2 x 2
kaleidoscope, a row of mirrored copies). Rather than enumerate every arrangement, the
search fits it: when every output is k x m blocks of the program's image size, each block
takes the first of {the 8 rotations and reflections, empty} that matches that block on
every demonstration.
"""

from __future__ import annotations

import numpy as np

from solver.arc.dihedral import (
    ANTITRANSPOSE,
    DIHEDRAL_NAMES,
    FLIP_H,
    FLIP_V,
    IDENTITY,
    ROT90,
    ROT180,
    ROT270,
    TRANSPOSE,
    dihedral,
)

MAX_BLOCKS_PER_SIDE = 6
EMPTY = -1  # a block of zeros
# The order blocks try the transforms in: the first that matches is kept.
BLOCK_OPTIONS = (IDENTITY, ROT90, ROT180, ROT270, FLIP_V, FLIP_H, TRANSPOSE, ANTITRANSPOSE)
SHAPE_KEEPING = (IDENTITY, ROT180, FLIP_V, FLIP_H)  # the ones that keep a non-square image's shape


def block_counts(shape: tuple[int, int], target_shape: tuple[int, int]) -> tuple[int, int] | None:
    """(k, m) when target_shape is k x m blocks of shape (not 1 x 1, at most
    MAX_BLOCKS_PER_SIDE a side), else None."""
    (h, w), (th, tw) = shape, target_shape
    if th % h or tw % w:
        return None
    km = (th // h, tw // w)
    return None if km == (1, 1) or max(km) > MAX_BLOCKS_PER_SIDE else km


def _block_grid(results: list[np.ndarray], targets: list[np.ndarray]) -> tuple[int, int] | None:
    """(k, m) with every target k x m times its result's shape, the same for all, or None."""
    counts = {block_counts(r.shape, t.shape) for r, t in zip(results, targets)}
    return counts.pop() if len(counts) == 1 else None


def fit_blocks(
    results: list[np.ndarray], targets: list[np.ndarray], tests: list[np.ndarray]
) -> tuple[list[np.ndarray], str] | None:
    """Fit the block arrangement on the demonstrations and apply it to the test results.

    results/targets: per demonstration, (h, w) and (k*h, m*w) uint8. Returns (test grids,
    readable arrangement such as "2x2:id,flip_h,flip_v,rot180") or None.
    """
    km = _block_grid(results, targets)
    if km is None:
        return None
    k, m = km
    if not _first_block_could_match(results[0], targets[0]):
        return None  # most states: no arrangement starts the first output
    square = all(r.shape[0] == r.shape[1] for r in list(results) + list(tests))
    options = [op for op in BLOCK_OPTIONS if square or op in SHAPE_KEEPING] + [EMPTY]
    chosen = []
    for i in range(k):
        for j in range(m):
            for op in options:
                if all(_block_matches(r, t, i, j, op) for r, t in zip(results, targets)):
                    chosen.append(op)
                    break
            else:
                return None
    if all(op == 0 for op in chosen):
        return None  # a plain tiling: the `tile` transforms name it more simply
    grids = []
    for r in tests:
        h, w = r.shape
        if k * h > 30 or m * w > 30:
            return None
        out = np.zeros((k * h, m * w), dtype=np.uint8)
        for n, op in enumerate(chosen):
            if op != EMPTY:
                i, j = divmod(n, m)
                out[i * h : (i + 1) * h, j * w : (j + 1) * w] = dihedral(r, op)
        grids.append(out)
    names = ",".join("empty" if op == EMPTY else DIHEDRAL_NAMES[op] for op in chosen)
    return grids, f"{k}x{m}:{names}"


def _first_block_could_match(r: np.ndarray, t: np.ndarray) -> bool:
    """Whether the output's top-left block could be empty or a rotation or reflection of r: a
    block of zeros, or one with r's colours in r's numbers (one cheap test rather than nine)."""
    h, w = r.shape
    block = t[:h, :w].tobytes()
    return block.count(0) == len(block) or sorted(block) == sorted(r.tobytes())


def _block_matches(r: np.ndarray, t: np.ndarray, i: int, j: int, op: int) -> bool:
    h, w = r.shape
    block = t[i * h : (i + 1) * h, j * w : (j + 1) * w]
    if op == EMPTY:
        return not block.any()
    return np.array_equal(block, dihedral(r, op))
