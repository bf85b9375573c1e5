"""The values a search program passes around: positioned images and lists of them.

An `Img` is a (H, W) uint8 array plus the position of its top-left cell on the canvas it
came from, so that an object cut out of the input can be put back where it was. Colour 0 is
the background (transparent when images are overlaid). A list value is a tuple of `Img`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from solver.arc.tasks import MAX_SIDE  # the largest side a search value may have (ARC's limit)

T = TypeVar("T")


class Img:
    """A positioned image. Never changed once made: no op writes to its input or reassigns its
    fields (tests/test_search_library.py checks the arrays), which is what makes `memo` safe.
    A plain class with slots, not a frozen dataclass: the search makes millions, and a frozen
    dataclass's constructor costs six times as much. Equality is identity."""

    __slots__ = ("_memo", "a", "x", "y")

    def __init__(self, a: np.ndarray, y: int = 0, x: int = 0) -> None:
        self.a = a  # (H, W) uint8
        self.y = y  # row of a[0, 0] on the source canvas
        self.x = x  # column of a[0, 0] on the source canvas
        self._memo: dict | None = None

    def __repr__(self) -> str:
        return f"Img(a={self.a!r}, y={self.y}, x={self.x})"

    def box_in(self, shape: tuple[int, ...]) -> tuple[slice, slice] | None:
        """Where the image lies on a canvas of `shape` (index with it), or None when it does not fit."""
        h, w = self.a.shape
        if self.y < 0 or self.x < 0 or self.y + h > shape[0] or self.x + w > shape[1]:
            return None
        return slice(self.y, self.y + h), slice(self.x, self.x + w)

    def memo(self, feature: Callable[[Img], T]) -> T:
        """feature(self), computed once per image: a list's elements are measured by many picks
        (largest, smallest, unique...), each once per list. Safe because an image is never
        changed once made (no op writes to its input: tests/test_search_library.py). The
        cache is keyed by the feature object, so pass one made once (a module-level function),
        never a lambda made per call."""
        cache = self._memo
        if cache is None:
            cache = self._memo = {}
        if feature not in cache:
            cache[feature] = feature(self)
        return cache[feature]

    def key(self) -> bytes:
        """Canonical bytes: position, shape, cells (the batch kernel writes the same: `compiled.batch._put_key`)."""
        h, w = self.a.shape
        return b"%d,%d,%d,%d:" % (self.y, self.x, h, w) + self.a.tobytes()


Value = Img | tuple  # an image, or a tuple of images (a list value)


IMAGE_KEY_TAG = b"I"  # starts an image's `value_key` (the compiled twins write it too: `compiled.batch`)


def value_key(value: Value) -> bytes:
    """Canonical bytes of an image or a list of images."""
    if isinstance(value, Img):
        return IMAGE_KEY_TAG + value.key()
    return b"L%d[" % len(value) + b"|".join(v.key() for v in value) + b"]"


def ok_shape(a: np.ndarray) -> bool:
    """A grid the search may keep: non-empty, at most MAX_SIDE per side."""
    h, w = a.shape
    return 0 < h <= MAX_SIDE and 0 < w <= MAX_SIDE
