"""Which library ops have a compiled twin, as (code, param) rows in library order.

The compiled step runs the image -> image ops that are cheap and common as a last step
(rotations, crops, colour filters, halves, scaling and tiling, gravity, fills and edges):
`LEVEL_TWINS`. The Python levels also batch the rays, connected pairs, slides, filled
object boxes and a few more (`batch_only`), which the compiled levels leave out: `TWINS`
holds both.
Each is found in the task's library by its exact name, so the library's numpy op is its
reference (for the test answers and for the property test) and the library's order decides,
as everywhere in the search, which of two programs reaching the same state is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from solver.arc.dihedral import DIHEDRAL_NAMES

from ..kernels import LABEL_PROPS
from ..ops import Transform
from ..ops.geometry import RIGID_ORDER
from ..ops.lines import CONNECT_KINDS, RAY_DIRS
from ..ops.motion import SLIDE_DIRS
from ..ops.scale import BLOCK_SIDES
from . import apply as A
from . import batch_only as B

COLOURS = range(1, 10)
TILES = ((1, 2), (2, 1), (2, 2), (3, 3), (1, 3), (3, 1))
MIRRORED = ((1, 2), (2, 1), (2, 2))
DIRECTIONS = ("down", "up", "right", "left")


def _twins() -> Iterator[tuple[str, int, int]]:
    """(library name, code, param) of every op the compiled levels run (`LEVEL_TWINS`)."""
    for k in RIGID_ORDER:
        yield DIHEDRAL_NAMES[k], A.DIHEDRAL, k
    yield "crop", A.CROP, 0
    yield "crop_fg", A.CROP_FG, 0
    yield "trim_frame", A.TRIM_FRAME, 0
    for c in COLOURS:
        yield f"keep_colour[{c}]", A.KEEP_COLOUR, c
        yield f"erase_colour[{c}]", A.ERASE_COLOUR, c
        yield f"paint[{c}]", A.PAINT, c
        yield f"fill_enclosed[{c}]", A.FILL_ENCLOSED, c
        yield f"outline4[{c}]", A.OUTLINE, c * 2
        yield f"outline8[{c}]", A.OUTLINE, c * 2 + 1
    for r in range(2):
        yield f"keep_rank[{r}]", A.KEEP_RANK, r
    yield "invert", A.INVERT, 0
    for i, which in enumerate(("top", "bottom", "left", "right")):
        yield f"half[{which}]", A.HALF, i
    yield "dedupe_rows_cols", A.DEDUPE_ROWS_COLS, 0
    yield "drop_empty_rows_cols", A.DROP_EMPTY_ROWS_COLS, 0
    for k in (2, 3, 4):
        yield f"scale_up[{k}]", A.SCALE_UP, k
    for k in (2, 3):
        yield f"scale_down[{k}]", A.SCALE_DOWN, k
    for ry, rx in TILES:
        yield f"tile[{ry}x{rx}]", A.TILE, ry * 8 + rx
    for ry, rx in MIRRORED:
        yield f"mirror_tile[{ry}x{rx}]", A.MIRROR_TILE, ry * 8 + rx
    for d, name in enumerate(DIRECTIONS):
        yield f"gravity[{name}]", A.GRAVITY, d
    for i, kind in enumerate(("h", "v", "hv", "diag")):
        yield f"symmetrize[{kind}]", A.SYMMETRIZE, i
    for d, name in enumerate(DIRECTIONS):
        yield f"shift[{name}]", A.SHIFT, d
    yield "self_kron", A.SELF_KRON, 0
    yield "self_kron_inverse", A.SELF_KRON, 1
    yield "hull", A.HULL, 0
    yield "holes", A.HOLES, 0
    yield "border_cells", A.BORDER_CELLS, 0
    yield "interior_cells", A.INTERIOR_CELLS, 0


def _batch_only_twins() -> Iterator[tuple[str, int, int]]:
    """(library name, code, param) of every op only the Python levels run compiled."""
    for name, mask in RAY_DIRS.items():
        yield f"rays[{name}]", B.RAYS, mask * 2 + 1
        yield f"rays_through[{name}]", B.RAYS, mask * 2
    for name, (horizontal, vertical, diagonal) in CONNECT_KINDS.items():
        yield f"connect[{name}]", B.CONNECT, horizontal + 2 * vertical + 4 * diagonal
    for d, name in enumerate(SLIDE_DIRS):
        yield f"slide[{name}]", B.SLIDE, d * 2
        yield f"slide_onto_largest[{name}]", B.SLIDE, d * 2 + 1
    for c in COLOURS:
        yield f"slide_to_colour[{c}]", B.SLIDE_TO_COLOUR, c
        yield f"fill_bbox[{c}]", B.FILL_BBOX, c
    yield "tile_unit", B.TILE_UNIT, 0
    for k in BLOCK_SIDES:
        yield f"block_reduce[{k}]", B.BLOCK_REDUCE, k
    yield "symmetrize[rot]", B.SYMMETRIZE_ROT, 0
    for i, prop in enumerate(LABEL_PROPS):
        yield f"label_by[{prop}]", B.LABEL_BY, i
    yield "fill_holes_own", B.FILL_HOLES_OWN, 0
    yield "periodic_fill[0]", B.PERIODIC_FILL, 0
    yield "periodic_fill[rarest]", B.PERIODIC_FILL, 1
    yield "diagonal_periodic_fill", B.DIAGONAL_PERIODIC_FILL, 0
    yield "antidiagonal_periodic_fill", B.DIAGONAL_PERIODIC_FILL, 1


LEVEL_TWINS: dict[str, tuple[int, int]] = {name: (code, param) for name, code, param in _twins()}
TWINS: dict[str, tuple[int, int]] = LEVEL_TWINS | {name: (code, param) for name, code, param in _batch_only_twins()}


@dataclass(frozen=True)
class CompiledOps:
    """The task's ops that have a compiled twin (or only those the compiled levels run), in library order."""

    table: np.ndarray  # (K, 2) int64: code, param
    library_index: np.ndarray  # (K,) int64: the op's place in the task's library

    def __len__(self) -> int:
        return len(self.library_index)


def compiled_ops(library: list[Transform], levels: bool = False) -> CompiledOps:
    """The library's ops with a compiled twin; with `levels`, only those the compiled levels run."""
    twins = LEVEL_TWINS if levels else TWINS
    rows, where = [], []
    for i, t in enumerate(library):
        twin = twins.get(t.name)
        if twin is not None:
            rows.append(twin)
            where.append(i)
    table = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return CompiledOps(table, np.array(where, dtype=np.int64))
