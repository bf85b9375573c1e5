"""Training curves from the pretraining log as a PNG: `python -m solver.train.plots LOG.csv --out curves.png`.

Top panel: train and validation loss; bottom panel: validation token and exact-grid
accuracy (0..1); both against samples seen. Grey vertical lines mark where a run piece
began. Drawn with matplotlib, an optional dependency (Kaggle's image has it): this module
imports without it, and the command says so in one line and exits 2.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from solver.atomic import write_bytes_atomic
from solver.train.log import read_log

if TYPE_CHECKING:
    from matplotlib.figure import Figure

EXIT_NO_MATPLOTLIB = 2
WIDTH, HEIGHT, DPI = 900, 640, 100  # the PNG's size in pixels
SERIES = {  # column -> (panel, colour, legend text)
    "train_loss": (0, "#1f77b4", "train loss"),
    "val_loss": (0, "#d62728", "validation loss"),
    "val_token_acc": (1, "#2ca02c", "validation token accuracy"),
    "val_exact_acc": (1, "#9467bd", "validation exact-grid accuracy"),
}


def render(rows: list[dict]) -> Figure:
    """A (WIDTH x HEIGHT pixel) figure of the log's curves. Needs matplotlib."""
    from matplotlib.figure import Figure  # optional dependency: imported only to draw

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    loss_axes, accuracy_axes = figure.subplots(2, 1, sharex=True)
    samples = [r["samples"] for r in rows]
    for axes, panel in ((loss_axes, 0), (accuracy_axes, 1)):
        for i in range(1, len(rows)):  # where a new run piece begins
            if rows[i]["run_id"] != rows[i - 1]["run_id"]:
                axes.axvline(samples[i], color="#c8c8c8", linewidth=1)
        for column, (series_panel, colour, label) in SERIES.items():
            if series_panel != panel:
                continue
            kept = [(s, r[column]) for s, r in zip(samples, rows) if r[column] is not None]
            if kept:
                xs, ys = zip(*kept)
                axes.plot(xs, ys, color=colour, linewidth=2, label=label, marker="o" if len(kept) == 1 else None)
        axes.grid(True, color="#eeeeee")
        axes.legend(loc="best", fontsize=9)
    loss_axes.set_ylabel("loss")
    accuracy_axes.set_ylabel("accuracy")
    accuracy_axes.set_ylim(0, 1.02)  # a curve at 1 stays visible
    accuracy_axes.set_xlabel("samples seen")
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver.train.plots", description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="CSV written by solver.train.pretrain (e.g. weights/trm-base.log.csv)")
    parser.add_argument("--out", type=Path, required=True, help="PNG to write")
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("error: python -m solver.train.plots needs matplotlib (pip install matplotlib)", file=sys.stderr)
        return EXIT_NO_MATPLOTLIB
    rows = read_log(args.log)
    if not rows:
        parser.error(f"{args.log} holds no rows")
    image = io.BytesIO()
    render(rows).savefig(image, format="png")
    write_bytes_atomic(args.out, image.getvalue())
    print(f"wrote {args.out} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
