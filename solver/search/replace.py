"""Object replacement: every object of the input becomes a patch learned from the demonstrations.

"Each ring becomes a plus", "each red pixel gets a frame": the output is the input with each
object's box (grown by a margin) replaced by a patch that depends only on the object itself
(its cells and colours). The table object -> patch is read off the demonstrations, must be
consistent, and must rebuild every demonstration output exactly; a test object never seen
in the demonstrations means no answer (nothing is guessed).
"""

from __future__ import annotations

import numpy as np

from . import kernels as K

MARGINS = (0, 1)  # how far beyond an object's box its patch reaches
MAX_OBJECTS = 60


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


def _rebuild(grid: np.ndarray, objects, margin: int, table: dict):
    """The input with each object's patch painted over its grown box, or None when a box
    leaves the grid or an object is not in the table."""
    h, w = grid.shape
    out = grid.copy()
    for key, r0, c0, r1, c1 in objects:
        y0, x0, y1, x1 = r0 - margin, c0 - margin, r1 + margin, c1 + margin
        if y0 < 0 or x0 < 0 or y1 > h or x1 > w:
            return None
        patch = table.get(key)
        if patch is None:
            return None
        out[y0:y1, x0:x1] = patch
    return out


def fit_object_replacement(
    inputs: list[np.ndarray], targets: list[np.ndarray], tests: list[np.ndarray]
) -> tuple[list[np.ndarray], str] | None:
    """Learn object -> patch on the demonstrations (same-shape input and output) and apply
    it to the test inputs. Returns (test grids, readable variant) or None."""
    if any(i.shape != t.shape for i, t in zip(inputs, targets)):
        return None
    for multicolour in (False, True):
        found = [_objects(g, multicolour) for g in list(inputs) + list(tests)]
        if any(f is None for f in found):
            continue
        for margin in MARGINS:
            table: dict[bytes, np.ndarray] = {}
            consistent = True
            for grid, target, objects in zip(inputs, targets, found):
                for key, r0, c0, r1, c1 in objects:
                    y0, x0, y1, x1 = r0 - margin, c0 - margin, r1 + margin, c1 + margin
                    if y0 < 0 or x0 < 0 or y1 > grid.shape[0] or x1 > grid.shape[1]:
                        consistent = False
                        break
                    patch = target[y0:y1, x0:x1]
                    known = table.setdefault(key, patch)
                    if not np.array_equal(known, patch):
                        consistent = False
                        break
                if not consistent:
                    break
            if not consistent:
                continue
            rebuilt = [_rebuild(g, objs, margin, table) for g, objs in zip(inputs, found)]
            if any(r is None or not np.array_equal(r, t) for r, t in zip(rebuilt, targets)):
                continue
            if all(np.array_equal(i, t) for i, t in zip(inputs, targets)):
                return None
            answers = [_rebuild(g, objs, margin, table) for g, objs in zip(tests, found[len(inputs) :])]
            if any(a is None for a in answers):
                continue
            kind = "multicolour" if multicolour else "one_colour"
            return [a for a in answers if a is not None], f"{kind},margin={margin}"
    return None
