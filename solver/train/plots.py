"""Training curves from the pretraining log as a PNG: `python -m solver.train.plots LOG.csv --out curves.png`.

Top panel: train and validation loss; bottom panel: validation token and exact-grid
accuracy (0..1); both against samples seen. Grey vertical lines mark where a run piece
began. No plotting library: lines are drawn on a numpy canvas, text in a 3x5 pixel font,
and the PNG is written with zlib and struct.
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from solver.train.log import read_log

WIDTH, HEIGHT = 900, 640
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_Y = 70, 20, 30
FONT_SCALE = 2
WHITE, BLACK, GREY = (255, 255, 255), (0, 0, 0), (200, 200, 200)
SERIES = {  # column -> (panel, colour, legend text)
    "train_loss": (0, (31, 119, 180), "TRAIN LOSS"),
    "val_loss": (0, (214, 39, 40), "VAL LOSS"),
    "val_token_acc": (1, (44, 160, 44), "VAL TOKEN ACC"),
    "val_exact_acc": (1, (148, 103, 189), "VAL EXACT ACC"),
}
# 3x5 glyphs, rows top to bottom, '#' = ink; only what the labels and numbers need.
GLYPHS = {
    "0": "####.##.##.####", "1": ".#.##..#..#.###", "2": "###..#####..###", "3": "###..####..####",
    "4": "#.##.####..#..#", "5": "####..###..####", "6": "####..####.####", "7": "###..#..#..#..#",
    "8": "####.#####.####", "9": "####.####..####", ".": ".............#.", "-": "......###......",
    "+": "....#.###.#....", " ": "...............", "A": ".#.#.#####.##.#", "C": "####..#..#..###",
    "E": "####..##.#..###", "I": "###.#..#..#.###", "K": "#.##.###.#.##.#", "L": "#..#..#..#..###",
    "M": "#.########.##.#", "N": "##.#.##.##.##.#", "O": "####.##.##.####", "P": "####.#####..#..",
    "R": "##.#.###.#.##.#", "S": "####..###..####", "T": "###.#..#..#..#.", "V": "#.##.##.##.#.#.",
    "X": "#.##.#.#.#.##.#",
}


def png_bytes(image: np.ndarray) -> bytes:
    """(H, W, 3) uint8 RGB -> PNG file bytes (8-bit truecolour, no filtering)."""
    height, width, _ = image.shape

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, -1)], axis=1)  # filter byte 0
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
            + chunk(b"IEND", b""))


def draw_text(image: np.ndarray, text: str, x: int, y: int, colour=BLACK) -> None:
    """Write `text` with its top-left corner at (x, y); unknown characters are left blank."""
    for i, char in enumerate(text.upper()):
        glyph = GLYPHS.get(char, GLYPHS[" "])
        bitmap = np.array([c == "#" for c in glyph]).reshape(5, 3)
        cell = np.kron(bitmap, np.ones((FONT_SCALE, FONT_SCALE), bool))
        left = x + i * 4 * FONT_SCALE
        region = image[y:y + cell.shape[0], left:left + cell.shape[1]]
        region[cell[:region.shape[0], :region.shape[1]]] = colour


def draw_line(image: np.ndarray, points: np.ndarray, colour) -> None:
    """Polyline through (n, 2) pixel (x, y) points, two pixels thick."""
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        xs = np.rint(np.linspace(x0, x1, n)).astype(int)
        ys = np.rint(np.linspace(y0, y1, n)).astype(int)
        for dy in (0, 1):
            keep = (ys + dy >= 0) & (ys + dy < image.shape[0]) & (xs >= 0) & (xs < image.shape[1])
            image[ys[keep] + dy, xs[keep]] = colour
    if len(points) == 1:  # a single measurement still shows
        x, y = np.rint(points[0]).astype(int)
        image[max(y - 2, 0):y + 3, max(x - 2, 0):x + 3] = colour


def render(rows: list[dict]) -> np.ndarray:
    """(HEIGHT, WIDTH, 3) uint8 image of the log's curves."""
    image = np.full((HEIGHT, WIDTH, 3), WHITE, np.uint8)
    samples = np.array([r["samples"] for r in rows], float)
    x_lo, x_hi = (samples.min(), samples.max()) if len(samples) else (0.0, 1.0)
    x_hi = x_hi if x_hi > x_lo else x_lo + 1
    panel_h = (HEIGHT - 3 * MARGIN_Y) // 2
    for panel in (0, 1):
        top, bottom = MARGIN_Y + panel * (panel_h + MARGIN_Y), MARGIN_Y + panel * (panel_h + MARGIN_Y) + panel_h
        left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
        columns = [c for c, (p, _, _) in SERIES.items() if p == panel]
        values = [r[c] for r in rows for c in columns if r[c] is not None]
        y_lo, y_hi = (0.0, 1.0) if panel == 1 or not values else (min(values), max(values))
        y_hi = y_hi if y_hi > y_lo else y_lo + 1

        def to_pixels(xs, ys):
            px = left + (np.asarray(xs) - x_lo) / (x_hi - x_lo) * (right - left)
            py = bottom - (np.asarray(ys) - y_lo) / (y_hi - y_lo) * (bottom - top)
            return np.stack([px, py], axis=1)

        for i in range(1, len(rows)):  # where a new run piece begins
            if rows[i]["run_id"] != rows[i - 1]["run_id"]:
                image[top:bottom, int(to_pixels([samples[i]], [y_lo])[0, 0])] = GREY
        image[top:bottom + 1, left] = BLACK
        image[bottom, left:right + 1] = BLACK
        draw_text(image, f"{y_hi:.3g}", 4, top)
        draw_text(image, f"{y_lo:.3g}", 4, bottom - 10)
        for k, column in enumerate(columns):
            _, colour, label = SERIES[column]
            kept = [(s, r[column]) for s, r in zip(samples, rows) if r[column] is not None]
            if kept:
                draw_line(image, to_pixels(*zip(*kept)), colour)
            image[top + 6 + 16 * k:top + 12 + 16 * k, right - 150:right - 136] = colour
            draw_text(image, label, right - 130, top + 4 + 16 * k)
    draw_text(image, f"{x_lo:.3g}", MARGIN_LEFT, HEIGHT - MARGIN_Y + 8)
    draw_text(image, "SAMPLES", WIDTH // 2 - 28, HEIGHT - MARGIN_Y + 8)
    draw_text(image, f"{x_hi:.3g}", WIDTH - MARGIN_RIGHT - 60, HEIGHT - MARGIN_Y + 8)
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver.train.plots", description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="CSV written by solver.train.pretrain (e.g. weights/trm-base.log.csv)")
    parser.add_argument("--out", type=Path, required=True, help="PNG to write")
    args = parser.parse_args(argv)
    rows = read_log(args.log)
    if not rows:
        parser.error(f"{args.log} holds no rows")
    args.out.write_bytes(png_bytes(render(rows)))
    print(f"wrote {args.out} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
