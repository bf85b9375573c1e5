"""Object replacement: every object of the input becomes a patch learned from the demonstrations.

"Each ring becomes a plus", "each red pixel gets a frame": the output is the input with each
object's box (grown by a margin) replaced by a patch that depends only on the object itself
(its cells and colours). The table object -> patch is read off the demonstrations, must be
consistent, and must rebuild every demonstration output exactly. A box may run off the grid
(an object at the edge): the patch is then known only in part, and the parts seen in
different demonstrations are merged. A test object never seen, or a patch cell it needs but
no demonstration showed, means no answer: nothing is guessed.
"""

from __future__ import annotations

import numpy as np

from . import kernels as K

MARGINS = (0, 1)  # how far beyond an object's box its patch reaches
MAX_OBJECTS = 60
UNKNOWN = 255  # a patch cell no demonstration showed (its box ran off the grid there)


def _objects(grid: np.ndarray, multicolour: bool):
    """(key, top, left, bottom, right) per 8-connected object; key = its cut-out cells."""
    labels, n = K.label_components(grid, 0, True, multicolour)
    if n == 0 or n > MAX_OBJECTS:
        return None
    boxes = K.component_boxes(labels, n)
    found = []
    for k in range(n):
        r0, c0, r1, c1 = (int(b) for b in boxes[k, :4])
        cut = np.where(labels[r0:r1, c0:c1] == k, grid[r0:r1, c0:c1], 0)
        found.append((bytes(cut.shape) + cut.astype(np.uint8).tobytes(), r0, c0, r1, c1))
    return found


def _padded(grid: np.ndarray, margin: int) -> np.ndarray:
    """The grid inside a ring of UNKNOWN cells, so that every grown box lies within it."""
    out = np.full((grid.shape[0] + 2 * margin, grid.shape[1] + 2 * margin), UNKNOWN, dtype=np.uint8)
    out[margin : margin + grid.shape[0], margin : margin + grid.shape[1]] = grid
    return out


def _learn(inputs, targets, found, margin: int) -> dict | None:
    """object key -> (h + 2m, w + 2m) patch with UNKNOWN cells, or None if inconsistent."""
    table: dict[bytes, np.ndarray] = {}
    for target, objects in zip(targets, found):
        padded = _padded(target, margin)
        for key, r0, c0, r1, c1 in objects:
            patch = padded[r0 : r1 + 2 * margin, c0 : c1 + 2 * margin]
            known = table.get(key)
            if known is None:
                table[key] = patch.copy()
                continue
            both = (known != UNKNOWN) & (patch != UNKNOWN)
            if not np.array_equal(known[both], patch[both]):
                return None
            np.copyto(known, patch, where=known == UNKNOWN)
    return table


def _rebuild(grid: np.ndarray, objects, margin: int, table: dict) -> np.ndarray | None:
    """The input with each object's patch painted over its grown box, or None when an
    object is not in the table or its patch lacks a cell inside the grid."""
    out = _padded(grid, margin)
    inside = out != UNKNOWN
    for key, r0, c0, r1, c1 in objects:
        patch = table.get(key)
        if patch is None:
            return None
        box = (slice(r0, r1 + 2 * margin), slice(c0, c1 + 2 * margin))
        needed = inside[box]
        if (patch[needed] == UNKNOWN).any():
            return None
        np.copyto(out[box], patch, where=needed)
    return out[margin : margin + grid.shape[0], margin : margin + grid.shape[1]].copy()


def fit_object_replacement(
    inputs: list[np.ndarray], targets: list[np.ndarray], tests: list[np.ndarray]
) -> tuple[list[np.ndarray], str] | None:
    """Learn object -> patch on the demonstrations (same-shape input and output) and apply
    it to the test inputs. Returns (test grids, readable variant) or None."""
    if any(i.shape != t.shape for i, t in zip(inputs, targets)):
        return None
    if all(np.array_equal(i, t) for i, t in zip(inputs, targets)):
        return None
    for multicolour in (False, True):
        found = [_objects(g, multicolour) for g in list(inputs) + list(tests)]
        if any(f is None for f in found):
            continue
        for margin in MARGINS:
            table = _learn(inputs, targets, found, margin)
            if table is None:
                continue
            rebuilt = [_rebuild(g, objs, margin, table) for g, objs in zip(inputs, found)]
            if any(r is None or not np.array_equal(r, t) for r, t in zip(rebuilt, targets)):
                continue
            answers = [_rebuild(g, objs, margin, table) for g, objs in zip(tests, found[len(inputs) :])]
            if any(a is None for a in answers):
                continue
            kind = "multicolour" if multicolour else "one_colour"
            return [a for a in answers if a is not None], f"{kind},margin={margin}"
    return None
