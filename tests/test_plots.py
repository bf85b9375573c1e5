import subprocess
import sys

import numpy as np
import pytest

from solver.train.log import COLUMNS, append_row, read_log
from solver.train.plots import EXIT_NO_MATPLOTLIB, HEIGHT, SERIES, WIDTH, main, render
from tests.helpers import ROOT


def write_log(path, runs=2, rows_per_run=5):
    step = 0
    for run in range(runs):
        for _ in range(rows_per_run):
            append_row(
                path,
                {
                    "run_id": f"run{run}",
                    "step": step,
                    "samples": step * 16,
                    "device_seconds": step * 0.5,
                    "train_loss": None if step == 0 else 2.5 / (1 + step / 10),
                    "val_loss": 2.6 - 0.1 * step,
                    "val_token_acc": min(1.0, 0.1 + 0.05 * step),
                    "val_exact_acc": 0.01 * step,
                    "val_halt_acc": 1.0,
                    "lr": 1e-3,
                    "timestamp": "2026-01-01T00:00:00Z",
                },
            )
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


def read_png(path):
    """(H, W, 3) uint8 pixels of a PNG (matplotlib reads it back as floats 0..1)."""
    from matplotlib.image import imread

    return (imread(path)[..., :3] * 255).round().astype(np.uint8)


def shows(pixels, colour, tolerance=8):
    """Whether some pixel has (nearly) this '#rrggbb' colour."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(pixels.astype(int) - rgb).max(axis=2) <= tolerance).any())


def test_png_shows_every_curve(tmp_path):
    pytest.importorskip("matplotlib")
    log = tmp_path / "log.csv"
    write_log(log)
    out = tmp_path / "curves.png"
    assert main([str(log), "--out", str(out)]) == 0
    pixels = read_png(out)
    assert pixels.shape == (HEIGHT, WIDTH, 3)
    for _, colour, _ in SERIES.values():
        assert shows(pixels, colour)
    assert (pixels != 255).any(axis=2).mean() > 0.01  # more than a blank canvas with axes


def test_a_single_row_still_draws(tmp_path):
    pytest.importorskip("matplotlib")
    write_log(tmp_path / "log.csv", runs=1, rows_per_run=1)
    out = tmp_path / "curves.png"
    render(read_log(tmp_path / "log.csv")).savefig(out, format="png")
    assert shows(read_png(out), SERIES["val_loss"][1])


def test_without_matplotlib_the_module_imports_and_the_command_says_why_it_cannot_draw(tmp_path):
    write_log(tmp_path / "log.csv")
    hide = "import sys; sys.modules['matplotlib'] = None; import solver.train.plots as p; "
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            hide + f"sys.exit(p.main([{str(tmp_path / 'log.csv')!r}, '--out', {str(tmp_path / 'curves.png')!r}]))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_NO_MATPLOTLIB == 2
    assert result.stderr.strip() == "error: python -m solver.train.plots needs matplotlib (pip install matplotlib)"
    assert not (tmp_path / "curves.png").exists()
