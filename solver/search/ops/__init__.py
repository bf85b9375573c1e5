"""The transform library: one-argument functions over images and lists of images.

A `Transform` maps one value (an `Img` or a tuple of `Img`) of one example to another
value, or to None when it does not apply (empty result, too large, nothing to pick). An
edit with nothing to do on one example (no pair to connect, no hole to fill) returns the
image unchanged rather than None: one demonstration may need no edit while the others do,
and a state unchanged on every example is dropped by the search as a duplicate. A transform
may also read the example's original input grid (`ctx`), which lets a transform paint on
or cut from the input without being a two-argument function. Parameters (colours,
directions) are bound when the library is built, so every transform has a fixed readable
name: `keep_colour[3]`, `rays[down]`.

Each family module holds its ops and the functions that list them (its sections):
`geometry`, `scale`, `colour`, `fill`, `motion`, `symmetry`, `lines`, `summary`,
`placement` (image -> image); `split` (image -> list); `select` (list -> image, list ->
list); `join` (list -> image); `mapped` (per-object edits). `library.build_library(colours)`
puts the sections in their fixed order for one task: colour parameters range only over the
colours the task uses.
"""

from .base import IMAGE, LIST, TaskParams, Transform
from .library import build_library, joins_of, picks_of

__all__ = ["IMAGE", "LIST", "TaskParams", "Transform", "build_library", "joins_of", "picks_of"]
