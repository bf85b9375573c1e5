"""The pretraining log: one CSV, appended by every run piece, read back for plots.

A row is written at every validation; `train_loss` is empty on the row a fresh run
writes before its first step. `device_seconds` counts every device of the run.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

COLUMNS = (
    "run_id",
    "step",
    "samples",
    "device_seconds",
    "train_loss",
    "val_loss",
    "val_token_acc",
    "val_exact_acc",
    "val_halt_acc",
    "lr",
    "timestamp",
)
NUMERIC = COLUMNS[1:-1]


def append_row(path: Path, row: dict[str, Any]) -> None:
    """Append one row (keys exactly COLUMNS; None becomes an empty cell); writes the header to a new file."""
    if set(row) != set(COLUMNS):
        raise ValueError(f"log row keys {sorted(row)} differ from {list(COLUMNS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        if new:
            writer.writeheader()
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def read_log(path: Path) -> list[dict[str, Any]]:
    """Rows with numeric columns as float (None where empty)."""
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key in NUMERIC:
            row[key] = float(row[key]) if row.get(key) not in (None, "") else None
    return rows
