"""Per-cell features of an image, for cell rules (output cell = f(features of the cell)).

Each feature is a small named family: a (H, W) int64 array of small non-negative codes,
computed the same way on demonstrations and tests. A rule keys on the cell's colour plus a
few features; `fitters.fit_cell_rule` picks which.
"""

from __future__ import annotations

import numpy as np

from .kernels import component_boxes, components_enclosing, first_hits, label_components, outside_mask

OUTSIDE = 10  # code of an off-grid neighbour, or of a look that leaves the grid
SIZE_CAP = 99  # component sizes above this share one code
RANK_CAP = 9  # size ranks from this one on share one code
NOT_OBJECT = 10  # the size rank of a background cell
CODE_BASE = 1 << 14  # every single-family code is below this (the four neighbours: 11**4 codes)

DIRECTIONS = (
    "up",
    "down",
    "left",
    "right",
    "up_left",
    "up_right",
    "down_left",
    "down_right",
)  # as kernels.objects.NEIGHBOUR_DY/DX


def _padded(a: np.ndarray) -> np.ndarray:
    h, w = a.shape
    p = np.full((h + 2, w + 2), OUTSIDE, dtype=np.int64)
    p[1:-1, 1:-1] = a
    return p


def neighbourhood_code(a: np.ndarray, offsets) -> np.ndarray:
    """(H, W) int64 code of each cell's neighbourhood (base 11, OUTSIDE off the grid)."""
    h, w = a.shape
    p = _padded(a)
    code = np.zeros((h, w), dtype=np.int64)
    for dy, dx in offsets:
        code = code * 11 + p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
    return code


def _component_features(a: np.ndarray, diagonal: bool, multicolour: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: (size of its component, 1 if the component touches the border). Background
    (colour 0) cells of multicolour components get size 0."""
    labels, n = label_components(a, 0 if multicolour else -1, diagonal, multicolour)
    if n == 0:
        z = np.zeros(a.shape, dtype=np.int64)
        return z, z
    boxes = component_boxes(labels, n)  # (n, 5): top, left, bottom, right, cells
    h, w = a.shape
    size = np.append(np.minimum(boxes[:, 4], SIZE_CAP), 0)
    border = np.append((boxes[:, 0] == 0) | (boxes[:, 1] == 0) | (boxes[:, 2] == h) | (boxes[:, 3] == w), False).astype(
        np.int64
    )
    return size[labels], border[labels]  # label -1 picks the appended 0


def _colour_sets(a: np.ndarray, axis: int) -> np.ndarray:
    """(H, W) bit set of the non-zero colours on each cell's row (axis=1) or column (axis=0)."""
    bits = np.where(a > 0, 1 << a.astype(np.int64), 0)
    return np.broadcast_to(np.bitwise_or.reduce(bits, axis=axis, keepdims=True), a.shape) >> 1


def _neighbours(a: np.ndarray) -> dict[str, np.ndarray]:
    h, w = a.shape
    p = _padded(a)
    f = {f"next_{name}": p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for name, (dy, dx) in zip(DIRECTIONS, _STEPS)}
    f["neighbours4"] = neighbourhood_code(a, _STEPS[:4])
    f["diagonals4"] = neighbourhood_code(a, _STEPS[4:])
    f["same4"] = sum((f[f"next_{name}"] == a) for name in DIRECTIONS[:4])
    f["nonzero8"] = sum((f[f"next_{name}"] != 0) & (f[f"next_{name}"] != OUTSIDE) for name in DIRECTIONS)
    for k in (4, 8):  # which colours touch the cell, wherever they are
        bits = [np.where(f[f"next_{name}"] < OUTSIDE, 1 << f[f"next_{name}"], 0) for name in DIRECTIONS[:k]]
        f[f"colours{k}"] = np.bitwise_or.reduce(bits) >> 1
    return f


def _sight(a: np.ndarray) -> dict[str, np.ndarray]:
    hits = first_hits(a, 0, OUTSIDE)  # (8, H, W): the colour met looking each way
    return {f"sees_{name}": hits[d] for d, name in enumerate(DIRECTIONS)}


def _size_ranks(size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: the rank of its object's size among the image's object sizes, largest first
    and smallest first (equal sizes share a rank; NOT_OBJECT off objects, RANK_CAP and up share one)."""
    sizes = np.unique(size[size > 0])  # ascending
    small = np.minimum(np.searchsorted(sizes, size), RANK_CAP)
    large = np.minimum(len(sizes) - 1 - np.searchsorted(sizes, size), RANK_CAP)
    return np.where(size > 0, large, NOT_OBJECT), np.where(size > 0, small, NOT_OBJECT)


def _components(a: np.ndarray) -> dict[str, np.ndarray]:
    f = {}
    f["size4"], f["border4"] = _component_features(a, False, False)
    f["size8"], f["border8"] = _component_features(a, True, False)
    f["object_size"], f["object_border"] = _component_features(a, True, True)
    f["object_rank_large"], f["object_rank_small"] = _size_ranks(f["object_size"])
    f["enclosed"] = (a == 0) & ~outside_mask(a, 0, False)
    f["encloses8"] = _walls_in(a)
    return f


def _walls_in(a: np.ndarray) -> np.ndarray:
    """Per cell: 1 when its one-colour object (8-connected, colour 0 aside) walls some cells in:
    a closed shape, however drawn."""
    labels, n = label_components(a, 0, True, False)
    if n == 0:
        return np.zeros(a.shape, dtype=np.int64)
    encloses = np.append(components_enclosing(labels, n), False).astype(np.int64)
    return encloses[labels]  # label -1 (background) picks the appended 0


def _position(a: np.ndarray) -> dict[str, np.ndarray]:
    rows, cols = np.indices(a.shape)
    f: dict[str, np.ndarray] = {"row_colours": _colour_sets(a, 1), "col_colours": _colour_sets(a, 0)}
    for k in (2, 3):
        f[f"row_mod{k}"], f[f"col_mod{k}"] = np.remainder(rows, k), np.remainder(cols, k)
    h, w = a.shape  # counted from the far edges too: patterns anchored at the bottom or right
    f["row_mod2_from_bottom"], f["col_mod2_from_right"] = np.remainder(h - 1 - rows, 2), np.remainder(w - 1 - cols, 2)
    f["diagonal"], f["anti_diagonal"] = rows == cols, rows + cols == w - 1
    f["image_colours"] = np.full(a.shape, np.count_nonzero(np.bincount(a.ravel(), minlength=10)[1:]))
    return f


_STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))  # (dy, dx) per DIRECTIONS
# Each group computes several families at once; the names it returns, in order.
_GROUPS = (
    (
        _neighbours,
        tuple(f"next_{d}" for d in DIRECTIONS)
        + ("neighbours4", "diagonals4", "same4", "nonzero8", "colours4", "colours8"),
    ),
    (_sight, tuple(f"sees_{d}" for d in DIRECTIONS)),
    (
        _components,
        ("size4", "border4", "size8", "border8", "object_size", "object_border")
        + ("object_rank_large", "object_rank_small", "enclosed", "encloses8"),
    ),
    (
        _position,
        ("row_colours", "col_colours", "row_mod2", "col_mod2", "row_mod3", "col_mod3")
        + ("row_mod2_from_bottom", "col_mod2_from_right", "diagonal", "anti_diagonal", "image_colours"),
    ),
)
GROUP_OF = {name: group for group, names in _GROUPS for name in names}  # family name -> its group
FAMILIES = tuple(GROUP_OF)  # every family name, in a fixed order


def cell_features(a: np.ndarray, names) -> dict[str, np.ndarray]:
    """The named feature families of image `a` ((H, W) uint8): name -> (H, W) int64 codes < CODE_BASE.

    Only the groups that hold a requested name are computed.
    """
    f: dict[str, np.ndarray] = {}
    for group in dict.fromkeys(GROUP_OF[n] for n in names):
        f.update(group(a))
    return {n: np.asarray(f[n], dtype=np.int64) for n in names}
