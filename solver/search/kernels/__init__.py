"""Grid primitives as numba kernels on small uint8 arrays.

Every kernel takes (H, W) uint8 grids (H, W <= 30 in ARC, but nothing here assumes it)
and returns new arrays; none mutates its input. The kernels are the loops that numpy
cannot vectorise well (component labelling, flood fills, gravity, rays); everything
else lives in the ops (`solver/search/ops/`) as plain numpy. By family: `objects`,
`lines`, `patterns`, `tables`.

Compilation: `cache=True` writes machine code in NUMBA_CACHE_DIR when it is set (numba looks
there first: an empty one means a cold compile even beside a filled `__pycache__`), else next
to the kernel files (`__pycache__`). When that folder is read-only (Kaggle mounts datasets
read-only under /kaggle/input), numba falls back, silently, to its user-wide cache dir
(~/.cache/numba/kernels_<hash>/, compiled_<hash>/); verified with a read-only bind mount. So on Kaggle the
first process compiles once (~10 s for these kernels on a busy 2-core machine, ~20 s with the
compiled levels of `solver/search/compiled/`) and later
processes load the cache (~1 s). `warmup()` compiles (or loads) every kernel up front so
that the first task's time limit is not spent compiling.
"""

from __future__ import annotations

import numpy as np

from .lines import connect_pairs, first_hits, gravity_down, rays
from .objects import (
    LABEL_PROPS,
    component_boxes,
    components_enclosing,
    fill_holes_own,
    label_components,
    label_objects_by,
    outside_mask,
    slide_objects,
    slide_to_box,
)
from .patterns import (
    diagonal_periodic_fill,
    largest_frame,
    largest_zero_rect,
    mirror_symmetries,
    periodic_fill,
    periodic_fill_hole,
    symmetry_fill,
)
from .tables import (
    COULD_BE_PIECE,
    COULD_COLOUR_MAP,
    COULD_MAP_EACH,
    COULD_PAIR_MAP,
    colour_counts,
    colour_table,
    pair_table,
    rule_table_sizes,
    screen_reading,
)

__all__ = [
    "COULD_BE_PIECE",
    "COULD_COLOUR_MAP",
    "COULD_MAP_EACH",
    "COULD_PAIR_MAP",
    "LABEL_PROPS",
    "colour_counts",
    "colour_table",
    "component_boxes",
    "components_enclosing",
    "connect_pairs",
    "diagonal_periodic_fill",
    "fill_holes_own",
    "first_hits",
    "gravity_down",
    "label_components",
    "label_objects_by",
    "largest_frame",
    "largest_zero_rect",
    "mirror_symmetries",
    "outside_mask",
    "pair_table",
    "periodic_fill",
    "periodic_fill_hole",
    "rays",
    "rule_table_sizes",
    "screen_reading",
    "slide_objects",
    "slide_to_box",
    "symmetry_fill",
    "warmup",
]


def warmup() -> None:
    """Compile (or load from the cache) every kernel once, on a tiny grid."""
    g = np.array([[0, 1], [2, 0]], dtype=np.uint8)
    labels, n = label_components(g, 0, True, True)
    component_boxes(labels, n)
    components_enclosing(labels, n)
    outside_mask(g, 0, False)
    label_objects_by(g, 0)
    fill_holes_own(g)
    gravity_down(g, 0)
    rays(g, 0, 3, True)
    connect_pairs(g, 0, True, True, True)
    colour_counts(g)
    periodic_fill(g, 0)
    periodic_fill_hole(g, True)
    largest_zero_rect(g)
    symmetry_fill(g, 0, 0.5)
    mirror_symmetries(g)
    largest_frame(g)
    colour_table(g, g, np.full(10, -1, dtype=np.int64))
    pair_table(g, g, g, np.full(100, -1, dtype=np.int64))
    slide_objects(g, labels, n, 1, 0, -1)
    slide_to_box(g, labels, n, 0, 1, 0, 1)
    diagonal_periodic_fill(g, 1)
    first_hits(g, 0, 10)
    one = np.zeros(1, dtype=np.int64)
    rule_table_sizes(np.zeros((1, 1), dtype=np.int64), one, one, np.zeros((1, 1), dtype=np.int64), 2)
    flat = g.ravel()
    screen_reading(flat, flat, flat, np.array([flat.size], dtype=np.int64), one)
