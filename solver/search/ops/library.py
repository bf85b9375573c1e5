"""The library: every op family's runs of ops, in one fixed order.

The order is part of the search's behaviour: when two programs reach the same state, the
one built from earlier ops is kept (tests/test_search_library.py freezes the order). Whole-
image edits come first (the shortest programs of that kind are the commonest), then the ops
that split an image into a list, pick from a list, join a list, and filter a list; then
each pick again answering with the input's cells under it, and per-object edits.
"""

from __future__ import annotations

from ..canvas import SizeRule
from . import colour, fill, geometry, join, lines, mapped, motion, placement, scale, select, split, summary, symmetry
from .base import IMAGE, LIST, Section, TaskParams, Transform

# Up to the picks: the region ops repeat every pick listed by then.
BEFORE_REGIONS: tuple[Section, ...] = (
    geometry.rigid_ops,  # rot90 ... antitranspose
    geometry.crop_ops,  # crop, crop_fg, trim_frame, inside_frame
    colour.colour_ops,  # keep_colour, erase_colour, keep_rank, paint
    fill.enclosure_ops,  # fill_enclosed, holes, fill_holes_own
    fill.edge_ops,  # border_cells, interior_cells, outline4, outline8
    motion.fall_ops,  # gravity, slide, slide_onto_largest, slide_to_colour
    scale.scale_ops,  # scale_up, scale_up_by_colours, scale_down
    scale.tile_ops,  # tile, mirror_tile
    symmetry.mirror_ops,  # symmetrize, complete_symmetry, symmetry_patch
    geometry.half_ops,
    lines.line_ops,  # rays, rays_through, connect
    geometry.compress_ops,  # dedupe_rows_cols, drop_empty_rows_cols
    summary.extreme_cell_ops,  # majority_cell, minority_cell
    colour.invert_ops,
    placement.input_ops,  # overlay_on_input, erase_from_input, place_on_blank
    fill.hull_ops,
    fill.cleanup_ops,  # remove_singletons, largest_rect_zero
    summary.colour_count_ops,  # colour_count_row
    fill.fill_bbox_ops,
    scale.block_reduce_ops,
    colour.zero_region_ops,  # zero_regions_by_size
    motion.shift_ops,
    scale.tile_unit_ops,
    summary.cells_row_ops,
    symmetry.periodic_ops,  # periodic_fill, diagonal_periodic_fill, antidiagonal_periodic_fill
    scale.self_kron_ops,
    colour.label_by_ops,
    placement.output_canvas_ops,  # on_output_canvas, with a size rule
    geometry.window_ops,  # window[...], with one output shape
    split.split_ops,  # image -> list: objects, split_colours, split_grid, split_rows, split_cols
    select.pick_ops,  # list -> image: largest, smallest, unique..., having_colour
)
AFTER_REGIONS: tuple[Section, ...] = (
    join.join_ops,  # list -> image: compose, paste_on_input, grid_of_cells, overlay_all, cells_and...
    summary.count_ops,  # count_column, count_row, colours_by_size_column, colours_by_size_row
    join.stack_ops,
    select.filter_ops,  # list -> list: drop_largest, drop_smallest, touching_border, not_touching_border
)


def build_library(
    colours: list[int], out_shape: tuple[int, int] | None = None, size_rule: SizeRule | None = None
) -> list[Transform]:
    """All transforms for a task whose grids use `colours` (sorted, 0 included or not).

    out_shape: the demonstrations' output shape when they all share one; it adds windows
    of that size. size_rule: the output's shape as a function of the input's
    (`canvas.fit_size_rule`); it adds a step that lays an image on the output's canvas,
    so that later steps can draw on it.
    """
    task = TaskParams(tuple(colours), out_shape, size_rule)
    library = [t for section in BEFORE_REGIONS for t in section(task)]
    library += select.region_ops(library)
    library += [t for section in AFTER_REGIONS for t in section(task)]
    library += mapped.map_ops(library)
    return library


def picks_of(library: list[Transform]) -> list[Transform]:
    """The library's plain picks (a list -> one of its elements, by size, shape, colour...),
    in library order: the ops `select.pick_ops` makes, without the region and join ops."""
    names = {t.name for t in select.pick_ops(TaskParams(tuple(range(10))))}
    return [t for t in library if t.takes == LIST and t.gives == IMAGE and t.name in names]


def joins_of(library: list[Transform]) -> list[Transform]:
    """The library's ops that make one image of a whole list (compose, overlay, stack, count...),
    in library order."""
    sections = (join.join_ops, summary.count_ops, join.stack_ops)
    names = {t.name for section in sections for t in section(TaskParams(tuple(range(10))))}
    return [t for t in library if t.takes == LIST and t.gives == IMAGE and t.name in names]
