"""Inline SVG for the report page: grids, a loss sparkline, the accuracy-vs-augmentations plot.

Grids are drawn compactly so a 400-task page stays small: the commonest colour is one
rectangle, every other colour one path made of runs of equal cells along each row, a
grid seen twice in a task is drawn once and reused, and the cell lines are a pattern
defined once per page (GRID_LINES_DEFS). Every grid is in cell units (viewBox), scaled
by its width and height attributes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

# ARC's standard palette, colour index -> CSS colour.
PALETTE = ("#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25")
GRID_LINES_ID = "cells"
GRID_LINES_DEFS = (
    f'<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    f'<pattern id="{GRID_LINES_ID}" width="1" height="1" patternUnits="userSpaceOnUse">'
    f'<path d="M1 0V1H0" fill="none" stroke="#555" stroke-width=".1"/></pattern></defs></svg>'
)
MIN_LINED_CELL_PX = 5  # cell lines are drawn only on cells at least this big


def cell_px(rows: Sequence[str], box: int, largest: int) -> int:
    """Pixels per cell so the grid fits a `box`-pixel square, at most `largest` per cell, at least 2."""
    side = max(len(rows), len(rows[0]))
    return max(2, min(largest, box // side))


def grid_cells(rows: Sequence[str]) -> str:
    """SVG elements drawing a grid in cell units: the commonest colour as one rectangle, then for
    each other colour one path stroking its runs of equal cells (a 1-unit-wide line along each run)."""
    height, width = len(rows), len(rows[0])
    background = max("0123456789", key=lambda colour: sum(row.count(colour) for row in rows))
    runs: dict[str, list[str]] = {}
    for y, row in enumerate(rows):
        x = 0
        while x < width:
            end = x + 1
            while end < width and row[end] == row[x]:
                end += 1
            if row[x] != background:
                runs.setdefault(row[x], []).append(f"M{x} {y}h{end - x}")
            x = end
    paths = "".join(
        f'<path stroke="{PALETTE[int(colour)]}" d="{"".join(segments)}"/>' for colour, segments in sorted(runs.items())
    )
    # Shifted half a cell down, a run's line covers its cells exactly.
    return f'<rect width="{width}" height="{height}" fill="{PALETTE[int(background)]}"/>' + (
        f'<g transform="translate(0 .5)">{paths}</g>' if paths else ""
    )


class GridDrawer:
    """Draws one page section's grids; a grid already drawn in it is reused (<use>), not drawn again."""

    def __init__(self, prefix: str):
        self.prefix = prefix  # unique on the page: the ids are document-wide
        self.ids: dict[tuple[str, ...], str] = {}

    def svg(self, rows: Sequence[str], px: int, label: str = "") -> str:
        """An <svg> of a grid given as rows of digit characters ('0'..'9'), `px` pixels per cell."""
        height, width = len(rows), len(rows[0])
        key = tuple(rows)
        if key in self.ids:
            content = f'<use href="#{self.ids[key]}"/>'
        else:
            self.ids[key] = f"{self.prefix}-{len(self.ids)}"
            content = f'<g id="{self.ids[key]}">{grid_cells(rows)}</g>'
        if px >= MIN_LINED_CELL_PX:
            content += f'<rect width="{width}" height="{height}" fill="url(#{GRID_LINES_ID})"/>'
        title = f"<title>{html.escape(label)}</title>" if label else ""
        return (
            f'<svg class="g" width="{width * px}" height="{height * px}" viewBox="0 0 {width} {height}">'
            f"{title}{content}</svg>"
        )


def sparkline(values: Sequence[float], width: int = 160, height: int = 36, max_points: int = 60) -> str:
    """A polyline of `values` (first on the left), scaled to its own range; at most `max_points` drawn."""
    if len(values) > max_points:  # keep the shape, not every step
        stride = len(values) / max_points
        values = [values[int(i * stride)] for i in range(max_points)] + [values[-1]]
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    step = (width - 4) / max(1, len(values) - 1)
    points = " ".join(f"{2 + i * step:.0f},{2 + (hi - v) / span * (height - 4):.1f}" for i, v in enumerate(values))
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<polyline fill="none" stroke="#0074D9" stroke-width="1.5" points="{points}"/></svg>'
    )


def accuracy_plot(curve: Sequence[tuple[int, float]], n_tests: int, width: int = 420, height: int = 190) -> str:
    """Accuracy (0..1) against augmentations counted, on a log2 axis, with each point's value."""
    left, right, top, bottom = 40, 16, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    last = max(1, len(curve) - 1)

    def xy(i: int, accuracy: float) -> tuple[float, float]:
        return left + i / last * plot_w, top + (1 - accuracy) * plot_h

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#888"/>',
    ]
    for accuracy in (0.0, 0.5, 1.0):
        y = top + (1 - accuracy) * plot_h
        parts.append(f'<text x="{left - 6}" y="{y + 4:.0f}" text-anchor="end">{accuracy:g}</text>')
        if accuracy:
            parts.append(f'<line x1="{left}" y1="{y:.0f}" x2="{left + plot_w}" y2="{y:.0f}" stroke="#eee"/>')
    points = [xy(i, accuracy) for i, (_, accuracy) in enumerate(curve)]
    parts.append(
        '<polyline fill="none" stroke="#0074D9" stroke-width="2" points="'
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        + '"/>'
    )
    for (n, accuracy), (x, y) in zip(curve, points):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0074D9"><title>{n} augmentations: '
            f"{accuracy:.3f}</title></circle>"
        )
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{n}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" text-anchor="middle">augmentations counted '
        f"({n_tests} test outputs)</text>"
    )
    return f'<svg class="plot" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
