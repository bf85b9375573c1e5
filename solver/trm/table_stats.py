"""What new tasks' embeddings start from: the mean and spread of a pretrained task-embedding table.

A published table has ~1M rows (1-2.5 GB, usually memory-mapped), so it is read in
chunks of rows and summed in float64: the mean first, then the squared deviations
from it (two passes, no catastrophic cancellation). The standard deviation is the
population one, floored at STD_FLOOR, as Trelis's "normal" re-initialisation computes
it (`torch.std(..., unbiased=False).clamp_min(1e-6)`).
"""

from __future__ import annotations

import torch

CHUNK_ROWS = 1 << 15  # rows read at a time
STD_FLOOR = 1e-6


def table_mean_std(table: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """table (rows, dim), any float dtype -> (mean (dim,), std (dim,)), float32."""
    rows = table.shape[0]
    if rows == 0:
        raise ValueError("an empty embedding table has no mean")
    total = torch.zeros(table.shape[1], dtype=torch.float64)
    for start in range(0, rows, CHUNK_ROWS):
        total += table[start : start + CHUNK_ROWS].double().sum(0)
    mean = total / rows
    squares = torch.zeros_like(mean)
    for start in range(0, rows, CHUNK_ROWS):
        squares += (table[start : start + CHUNK_ROWS].double() - mean).pow(2).sum(0)
    std = (squares / rows).sqrt().clamp_min(STD_FLOOR)
    return mean.float(), std.float()
