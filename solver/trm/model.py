"""The Tiny Recursive Model (TRM, arXiv 2510.04871) for ARC grids.

One shared block of `num_layers` post-norm transformer layers refines two states:
the latent z and the answer y. A supervision step runs `h_cycles` cycles, each with
`l_cycles` latent updates z <- net(z, y + x) and one answer update y <- net(y, z);
only the last cycle keeps gradients. The caller repeats supervision steps (deep
supervision) with the carry detached in between; a halting head on y reads whether
the current answer is already right.

The task enters only through learned task embeddings placed as a prefix of
`prefix_len` positions; they are a tensor the caller owns (one row per task or per
(task, augmentation)), so fine-tuning can create fresh rows without touching the block.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from solver.trm.config import ModelConfig
from solver.trm.rope1d import SequenceRotary, rotate_half

HALT_BIAS_INIT = -5.0  # start by predicting "not done", as TRM does


def rms_norm(x: torch.Tensor, eps: float) -> torch.Tensor:
    """Parameter-free RMSNorm computed in float32."""
    dtype = x.dtype
    x = x.float()
    return (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)).to(dtype)


def _lecun_linear(in_features: int, out_features: int) -> nn.Linear:
    layer = nn.Linear(in_features, out_features, bias=False)
    nn.init.trunc_normal_(
        layer.weight, std=1.0 / math.sqrt(in_features), a=-2 / math.sqrt(in_features), b=2 / math.sqrt(in_features)
    )
    return layer


class GridRotary(nn.Module):
    """2-D rotary positions: half of each head rotates with the row, half with the column.

    Grid cell (r, c) sits at position (r + 1, c + 1); the task-embedding prefix sits at
    (0, 0), apart from every cell.
    """

    inv_freq: torch.Tensor

    def __init__(self, head_dim: int, prefix_len: int, theta: float):
        super().__init__()
        self.prefix_len = prefix_len
        quarter = head_dim // 4
        inv_freq = 1.0 / (theta ** (torch.arange(quarter, dtype=torch.float32) / quarter))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self._cache: dict[tuple[int, torch.device], tuple[torch.Tensor, torch.Tensor]] = {}

    def forward(self, side: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """cos, sin of shape (prefix_len + side * side, head_dim), float32."""
        key = (side, device)
        if key not in self._cache:
            idx = torch.arange(side, dtype=torch.float32, device=device) + 1
            rows = torch.cat([torch.zeros(self.prefix_len, device=device), idx.repeat_interleave(side)])
            cols = torch.cat([torch.zeros(self.prefix_len, device=device), idx.repeat(side)])
            inv_freq = self.inv_freq.to(device)
            angles_r = rows[:, None] * inv_freq  # (L, head_dim/4)
            angles_c = cols[:, None] * inv_freq
            angles = torch.cat([angles_r, angles_r, angles_c, angles_c], dim=-1)  # (L, head_dim)
            self._cache[key] = (angles.cos(), angles.sin())
        return self._cache[key]


Rotate = Callable[[torch.Tensor], torch.Tensor]  # pairs each head dimension with the one it rotates with


def _rotate_halves(x: torch.Tensor) -> torch.Tensor:
    """Standard rotate-half, applied separately to the row half and the column half."""
    q = x.shape[-1] // 4
    a, b, c, d = x[..., :q], x[..., q : 2 * q], x[..., 2 * q : 3 * q], x[..., 3 * q :]
    return torch.cat([-b, a, -d, c], dim=-1)


def apply_rotary(
    x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, rotate: Rotate = _rotate_halves
) -> torch.Tensor:
    """x: (B, heads, L, head_dim); cos/sin: (L, head_dim). `rotate` pairs the dimensions."""
    return (x.float() * cos + rotate(x.float()) * sin).to(x.dtype)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.num_heads, self.head_dim = cfg.num_heads, cfg.head_dim
        self.rotate = _rotate_halves if cfg.positions == "grid2d" else rotate_half
        self.qkv = _lecun_linear(cfg.hidden_size, 3 * cfg.hidden_size)
        self.out = _lecun_linear(cfg.hidden_size, cfg.hidden_size)

    def forward(self, x: torch.Tensor, rotary: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        B, L, D = x.shape
        qkv = self.qkv(x).view(B, L, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # (B, heads, L, head_dim)
        q, k = apply_rotary(q, *rotary, self.rotate), apply_rotary(k, *rotary, self.rotate)
        y = F.scaled_dot_product_attention(q, k, v)  # non-causal: every cell sees the whole grid
        return self.out(y.transpose(1, 2).reshape(B, L, D))


class SwiGLU(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.gate_up = _lecun_linear(cfg.hidden_size, 2 * cfg.mlp_hidden)
        self.down = _lecun_linear(cfg.mlp_hidden, cfg.hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class Layer(nn.Module):
    """Post-norm transformer layer, as in TRM."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.eps = cfg.norm_eps
        self.attn = Attention(cfg)
        self.mlp = SwiGLU(cfg)

    def forward(self, x: torch.Tensor, rotary: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x = rms_norm(x + self.attn(x, rotary), self.eps)
        return rms_norm(x + self.mlp(x), self.eps)


class RecursiveBlock(nn.Module):
    """The single shared network: net(h, injection) = layers(h + injection)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.num_layers))

    def forward(
        self, h: torch.Tensor, injection: torch.Tensor, rotary: tuple[torch.Tensor, torch.Tensor]
    ) -> torch.Tensor:
        h = h + injection
        for layer in self.layers:
            h = layer(h, rotary)
        return h


@dataclass
class Carry:
    """Recursion state between supervision steps, both (B, prefix_len + side*side, D)."""

    y: torch.Tensor  # answer
    z: torch.Tensor  # latent


class TRM(nn.Module):
    y_init: torch.Tensor
    z_init: torch.Tensor
    task_embedding_mean: torch.Tensor
    task_embedding_std: torch.Tensor

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        D = cfg.hidden_size
        self.embed_scale = math.sqrt(D)
        self.token_embed = nn.Embedding(cfg.vocab_size, D)
        nn.init.trunc_normal_(self.token_embed.weight, std=1.0 / self.embed_scale)
        self.block = RecursiveBlock(cfg)
        rotary = GridRotary if cfg.positions == "grid2d" else SequenceRotary
        self.rotary = rotary(cfg.head_dim, cfg.prefix_len, cfg.rope_theta)
        self.lm_head = _lecun_linear(D, cfg.vocab_size)
        self.halt_head = nn.Linear(D, 1)
        nn.init.zeros_(self.halt_head.weight)
        nn.init.constant_(self.halt_head.bias, HALT_BIAS_INIT)
        # Starting states of y and z: fixed random vectors, saved with the weights.
        self.register_buffer("y_init", torch.nn.init.trunc_normal_(torch.empty(D), std=1.0))
        self.register_buffer("z_init", torch.nn.init.trunc_normal_(torch.empty(D), std=1.0))
        # Where fine-tuning starts every new task's embedding: the mean of the pretrained ones,
        # optionally plus their per-value standard deviation x N(0, 1) noise (zero: no spread known).
        self.register_buffer("task_embedding_mean", torch.zeros(cfg.prefix_len, D))
        self.register_buffer("task_embedding_std", torch.zeros(cfg.prefix_len, D))

    def num_parameters(self) -> int:
        """Trainable parameters of the shared model (task embeddings live outside it)."""
        return sum(p.numel() for p in self.parameters())

    def new_task_embeddings(self, count: int, noise: torch.Tensor | None = None) -> torch.Tensor:
        """(count, prefix_len, D) float32: the mean task embedding, plus std x `noise` (same shape) when given."""
        mean = self.task_embedding_mean.float().expand(count, -1, -1)
        if noise is None:
            return mean.clone()
        return mean + self.task_embedding_std.float() * noise.to(mean.device, torch.float32)

    def embed(self, tokens: torch.Tensor, task_embedding: torch.Tensor) -> torch.Tensor:
        """tokens (B, side*side) int64, task_embedding (B, P, D) -> input x (B, P + side*side, D)."""
        x = torch.cat([task_embedding.to(self.token_embed.weight.dtype), self.token_embed(tokens)], dim=1)
        return self.embed_scale * x

    def initial_carry(self, x: torch.Tensor) -> Carry:
        return Carry(self.y_init.to(x.dtype).expand_as(x).clone(), self.z_init.to(x.dtype).expand_as(x).clone())

    def reset_carry(self, carry: Carry, which: torch.Tensor) -> Carry:
        """Rows where `which` (B,) bool is True restart from the initial (y, z); the others keep theirs."""
        mask = which.view(-1, 1, 1)
        return Carry(
            torch.where(mask, self.y_init.to(carry.y.dtype), carry.y),
            torch.where(mask, self.z_init.to(carry.z.dtype), carry.z),
        )

    def _cycle(self, carry: Carry, x: torch.Tensor, rotary: tuple[torch.Tensor, torch.Tensor]) -> Carry:
        y, z = carry.y, carry.z
        for _ in range(self.cfg.l_cycles):
            z = self.block(z, y + x, rotary)
        y = self.block(y, z, rotary)
        return Carry(y, z)

    def forward(
        self, tokens: torch.Tensor, task_embedding: torch.Tensor, carry: Carry | None = None
    ) -> tuple[Carry, torch.Tensor, torch.Tensor]:
        """One supervision step from `carry` (a fresh one when None).

        tokens (B, side*side) int64 on a square canvas, task_embedding (B, P, D).
        Returns the detached carry, token logits (B, side*side, vocab) in float32 and
        halting logits (B,) in float32 (> 0 means "the answer is already right").
        """
        side = math.isqrt(tokens.shape[1])
        if side * side != tokens.shape[1]:
            raise ValueError(f"TRM: {tokens.shape[1]} tokens do not make a square canvas")
        x = self.embed(tokens, task_embedding)
        if carry is None:
            carry = self.initial_carry(x)
        rotary = self.rotary(side, x.device)
        with torch.no_grad():
            for _ in range(self.cfg.h_cycles - 1):
                carry = self._cycle(carry, x, rotary)
        carry = self._cycle(carry, x, rotary)
        logits = self.lm_head(carry.y[:, self.cfg.prefix_len :]).float()
        halt = self.halt_head(carry.y[:, 0]).float().squeeze(-1)
        return Carry(carry.y.detach(), carry.z.detach()), logits, halt


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA; plain float32 elsewhere."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
