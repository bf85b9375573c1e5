import struct
import zlib

import numpy as np
import pytest

from solver.train.plots import HEIGHT, SERIES, WIDTH, main, png_bytes, render
from solver.train.log import COLUMNS, append_row, read_log


def write_log(path, runs=2, rows_per_run=5):
    step = 0
    for run in range(runs):
        for i in range(rows_per_run):
            append_row(path, {"run_id": f"run{run}", "step": step, "samples": step * 16, "device_seconds": step * 0.5,
                              "train_loss": None if step == 0 else 2.5 / (1 + step / 10), "val_loss": 2.6 - 0.1 * step,
                              "val_token_acc": min(1.0, 0.1 + 0.05 * step), "val_exact_acc": 0.01 * step,
                              "val_halt_acc": 1.0, "lr": 1e-3, "timestamp": "2026-01-01T00:00:00Z"})
            step += 1


def test_log_is_appended_across_runs_with_one_header(tmp_path):
    path = tmp_path / "log.csv"
    write_log(path, runs=2, rows_per_run=3)
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS) and len(lines) == 7
    rows = read_log(path)
    assert [r["run_id"] for r in rows] == ["run0"] * 3 + ["run1"] * 3
    assert rows[0]["train_loss"] is None and rows[1]["train_loss"] == pytest.approx(2.5 / 1.1)
    with pytest.raises(ValueError, match="differ"):
        append_row(path, {"step": 1})


def read_png(data):
    """(width, height, pixels (H, W, 3)) of an 8-bit RGB PNG written without filters; checks every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind, payload = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        chunks[kind] = payload
        offset += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour_type) == (8, 2) and b"IEND" in chunks
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, 1 + 3 * width)
    assert not raw[:, 0].any()  # filter type 0 on every row
    return width, height, raw[:, 1:].reshape(height, width, 3)


def test_png_is_valid_and_shows_every_curve(tmp_path):
    log = tmp_path / "log.csv"
    write_log(log)
    out = tmp_path / "curves.png"
    assert main([str(log), "--out", str(out)]) == 0
    width, height, pixels = read_png(out.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    colours = {tuple(c) for c in pixels.reshape(-1, 3)}
    for _, colour, _ in SERIES.values():
        assert colour in colours
    assert (pixels != 255).any(axis=2).mean() > 0.01  # more than a blank canvas with axes


def test_a_single_row_still_draws(tmp_path):
    write_log(tmp_path / "log.csv", runs=1, rows_per_run=1)
    image = render(read_log(tmp_path / "log.csv"))
    assert tuple(SERIES["val_loss"][1]) in {tuple(c) for c in image.reshape(-1, 3)}
    assert read_png(png_bytes(image))[2].shape == image.shape
