"""What every op is made of: the `Transform` record, the two kinds of value, what a task's
library depends on, and small grid helpers the op families share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import kernels as K
from ..canvas import SizeRule
from ..image import Img, Value, ok_shape

IMAGE = "I"
LIST = "L"


@dataclass(frozen=True)
class Transform:
    name: str  # readable and unique in a library, e.g. "keep_colour[3]"
    takes: str  # IMAGE or LIST
    gives: str  # IMAGE or LIST
    # (value, the example's input grid) -> value or None; the value is an Img or a tuple, as `takes` says.
    fn: Callable[[Any, np.ndarray], Value | None]


@dataclass(frozen=True)
class TaskParams:
    """What one task's library depends on."""

    colours: tuple[int, ...]  # the colours its grids use, sorted
    out_shape: tuple[int, int] | None = None  # the demonstrations' output shape, when they share one
    size_rule: SizeRule | None = None  # the output's shape as a function of the input's (canvas.fit_size_rule)

    @property
    def fg(self) -> list[int]:
        """The non-zero colours: what colour parameters range over."""
        return [c for c in self.colours if c != 0]


Section = Callable[[TaskParams], list[Transform]]  # one family's run of ops, in library order


def as_img(a: np.ndarray, y: int = 0, x: int = 0) -> Img | None:
    """An image at (y, x), or None when the search may not keep its shape (empty, over 30 a side)."""
    if not ok_shape(a):
        return None
    return Img(np.ascontiguousarray(a, dtype=np.uint8), y, x)


def bbox(mask: np.ndarray):
    """(top, bottom_exclusive, left, right_exclusive) of the True cells, or None when there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def pad1(a: np.ndarray) -> np.ndarray:
    """a with a one-cell border of zeros (np.pad is slow on tiny arrays)."""
    p = np.zeros((a.shape[0] + 2, a.shape[1] + 2), dtype=a.dtype)
    p[1:-1, 1:-1] = a
    return p


def majority_colour(a: np.ndarray) -> int:
    counts = K.colour_counts(a)
    return int(np.argmax(counts))  # ties: lowest colour


def fg_colours_by_count(a: np.ndarray) -> list[int]:
    """Non-zero colours present, most frequent first (ties: lower colour first)."""
    counts = K.colour_counts(a)
    present = [c for c in range(1, 10) if counts[c] > 0]
    return sorted(present, key=lambda c: (-counts[c], c))


def cell_count(v: Img) -> int:
    """Non-zero cells."""
    return int(np.count_nonzero(v.a))
