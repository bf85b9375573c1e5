"""Small HTML pieces of the report page: escaping, durations, anchors, cards and grid figures."""

from __future__ import annotations

import html
from typing import Any

from solver.report.svg import GridDrawer, cell_px
from solver.run.outputs import safe_filename

GRID_BOX, GRID_CELL_MAX = 180, 16  # demonstrations, test inputs, attempts, true outputs
THUMB_BOX, THUMB_CELL_MAX = 60, 8  # candidates in the vote table


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{rest:02d}"


def anchor(task_id: str) -> str:
    """The task's id on the page (report.html#task-<name>); <name> is also its file in OUT/reports/."""
    return f"task-{safe_filename(task_id)}"


def report_link(task_id: str) -> str:
    return f"reports/{safe_filename(task_id)}.json"


def figure(drawer: GridDrawer, rows: list[str] | None, caption: str, css: str = "") -> str:
    """A grid (or a "none" box) above its caption; `caption` is HTML."""
    css_attr = f' class="{css}"' if css else ""
    if rows is None:
        return f'<figure{css_attr}><div class="nogrid">none</div><figcaption>{caption}</figcaption></figure>'
    svg = drawer.svg(rows, cell_px(rows, GRID_BOX, GRID_CELL_MAX), f"{len(rows)}x{len(rows[0])}")
    return f"<figure{css_attr}>{svg}<figcaption>{caption}</figcaption></figure>"


def thumbnail(drawer: GridDrawer, rows: list[str] | None) -> str:
    return drawer.svg(rows, cell_px(rows, THUMB_BOX, THUMB_CELL_MAX)) if rows else ""


def card(title: str, big: str, detail: str, css: str) -> str:
    """A summary card; `big` is HTML, the rest text."""
    return (
        f'<div class="card {css}"><div class="label">{esc(title)}</div><div class="big">{big}</div>'
        f'<div class="detail">{esc(detail)}</div></div>'
    )
