"""1-D rotary positions, as the reference TRM uses them (config `positions="rope1d"`).

Every position of the sequence (task-embedding prefix, then the canvas row by row) gets
its index 0..prefix_len + side*side - 1; frequencies theta^(-2i/head_dim) for the pairs
(i, i + head_dim/2) of the standard rotate-half convention over the full head width.
On the reference's 30x30 canvas with a 16-position prefix the indices are 0..915.
"""

from __future__ import annotations

import torch
from torch import nn


class SequenceRotary(nn.Module):
    inv_freq: torch.Tensor

    def __init__(self, head_dim: int, prefix_len: int, theta: float):
        super().__init__()
        self.prefix_len = prefix_len
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self._cache: dict[tuple[int, torch.device], tuple[torch.Tensor, torch.Tensor]] = {}

    def forward(self, side: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin of shape (prefix_len + side * side, head_dim), float32."""
        key = (side, device)
        if key not in self._cache:
            positions = torch.arange(self.prefix_len + side * side, dtype=torch.float32, device=device)
            angles = torch.outer(positions, self.inv_freq.to(device))  # (L, head_dim/2)
            angles = torch.cat([angles, angles], dim=-1)  # (L, head_dim)
            self._cache[key] = (angles.cos(), angles.sin())
        return self._cache[key]


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(a, b) -> (-b, a) over the two halves of the last dimension."""
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)
