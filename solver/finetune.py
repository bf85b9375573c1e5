"""Per-task test-time fine-tuning on the task's demonstration pairs under augmentation.

Every augmentation of the task gets its own task embedding (TRM sees no demonstrations
at inference: the rule lives in the embedding, and a rotated or recoloured rule is a
different rule). The embeddings start at the mean pretrained embedding; the shared
weights move too unless `tune` says otherwise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from solver.augment import Augmentation
from solver.backoff import BatchSizer
from solver.budget import Deadline
from solver.codec import IGNORE_LABEL, encode, encode_label, max_offset
from solver.config import SolveConfig
from solver.model import TRM, autocast
from solver.seeding import task_rng
from solver.tasks import Task

HALT_LOSS_WEIGHT = 0.5
WARMUP_FRACTION = 0.1
MIN_LR_RATIO = 0.1


@dataclass
class FinetuneResult:
    embeddings: torch.Tensor  # (n_augmentations, prefix_len, D) float32, on the model's device
    steps: int
    last_loss: float | None
    seconds: float
    batch: int  # the batch size finally used (after any out-of-memory back-off)
    losses: list[float] = field(default_factory=list)  # the last supervision step's loss of every step run


def lr_factor(step: int, total: int) -> float:
    """Linear warm-up, then cosine decay to MIN_LR_RATIO."""
    warmup = max(1, int(total * WARMUP_FRACTION))
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return MIN_LR_RATIO + (1 - MIN_LR_RATIO) * 0.5 * (1 + math.cos(math.pi * progress))


def tunable_parameters(model: TRM, tune: str) -> list[torch.nn.Parameter]:
    if tune == "all":
        return list(model.parameters())
    if tune == "embeddings+heads":
        return [*model.lm_head.parameters(), *model.halt_head.parameters()]
    return []  # "embeddings": only the task embeddings move


class TrainingPairs:
    """The task's demonstration pairs under each augmentation, drawn as token batches."""

    def __init__(self, task: Task, augmentations: list[Augmentation], side: int, translate: bool):
        self.side = side
        self.translate = translate
        # pairs[a][j] = (input grid, output grid) of demo j under augmentation a.
        self.pairs = [[(aug.apply(p.input), aug.apply(p.output)) for p in task.train] for aug in augmentations]

    def batch(self, rng: np.random.Generator, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(aug ids (B,), input tokens (B, side*side), labels (B, side*side))."""
        n_aug, n_pairs = len(self.pairs), len(self.pairs[0])
        aug_ids = rng.integers(n_aug, size=size)
        pair_ids = rng.integers(n_pairs, size=size)
        inputs, labels = [], []
        for a, j in zip(aug_ids, pair_ids):
            grid_in, grid_out = self.pairs[a][j]
            offset = (0, 0)
            if self.translate:
                max_r, max_c = max_offset([grid_in.shape, grid_out.shape], self.side)
                offset = (int(rng.integers(max_r + 1)), int(rng.integers(max_c + 1)))
            inputs.append(encode(grid_in, self.side, offset))
            labels.append(encode_label(grid_out, self.side, offset))
        return torch.from_numpy(aug_ids), torch.from_numpy(np.stack(inputs)), torch.from_numpy(np.stack(labels))


def supervision_loss(logits: torch.Tensor, halt: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Token cross-entropy (mean per sample, then over the batch) + halting BCE.

    logits (B, L, V) float32, halt (B,), labels (B, L) with IGNORE_LABEL on PAD cells.
    The halting target is whether the whole answer is already exactly right.
    """
    valid = labels != IGNORE_LABEL
    token_loss = F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=IGNORE_LABEL, reduction="none")
    per_sample = token_loss.sum(1) / valid.sum(1).clamp(min=1)
    with torch.no_grad():
        exact = ((logits.argmax(-1) == labels) | ~valid).all(1).float()
    halt_loss = F.binary_cross_entropy_with_logits(halt, exact)
    return per_sample.mean() + HALT_LOSS_WEIGHT * halt_loss


def sign_sgd_rows(table: torch.Tensor, rows: torch.Tensor, grad: torch.Tensor, lr: float, weight_decay: float):
    """Sparse SignSGD with decoupled weight decay on the touched rows only (as TRM's embedding optimizer).

    grad (B, P, D) for rows (B,); repeated rows have their gradients summed first.
    """
    unique, inverse = torch.unique(rows, return_inverse=True)
    summed = torch.zeros((len(unique), *grad.shape[1:]), dtype=grad.dtype, device=grad.device)
    summed.index_add_(0, inverse, grad)
    current = table[unique]
    table[unique] = current * (1 - lr * weight_decay) - lr * summed.sign()


def finetune(model: TRM, task: Task, augmentations: list[Augmentation], side: int, steps: int, batch: int,
             cfg: SolveConfig, deadline: Deadline, device: torch.device) -> FinetuneResult:
    """Fine-tune `model` in place for up to `steps` optimizer steps of `batch` samples (or until the deadline)."""
    start = time.monotonic()
    embeddings = model.new_task_embeddings(len(augmentations)).to(device)
    params = tunable_parameters(model, cfg.tune)
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    optimizer = (torch.optim.AdamW(params, lr=cfg.finetune_lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95))
                 if params else None)
    data = TrainingPairs(task, augmentations, side, cfg.translate)
    rng = task_rng(task.id, cfg.seed, "finetune")
    sizer = BatchSizer(batch)
    model.train()
    last_loss, done, losses = None, 0, []

    def train_batch(batch_size: int, step: int) -> float:
        aug_ids, tokens, labels = (t.to(device) for t in data.batch(rng, batch_size))
        scale = lr_factor(step, steps)
        if optimizer is not None:
            for group in optimizer.param_groups:
                group["lr"] = cfg.finetune_lr * scale
        batch_embeddings = embeddings[aug_ids].requires_grad_(True)
        with autocast(device):
            x = model.embed(tokens, batch_embeddings)
            carry = model.initial_carry(x)
        loss_value = 0.0
        for _ in range(cfg.train_sup_steps):
            # Deep supervision: each step is its own optimizer step on a detached carry.
            with autocast(device):
                carry, logits, halt = model.step(carry, x, side)
                loss = supervision_loss(logits, halt, labels)
            grads = torch.autograd.grad(loss, [batch_embeddings, *params], allow_unused=True)
            with torch.no_grad():
                sign_sgd_rows(embeddings, aug_ids, grads[0], cfg.embedding_lr * scale, cfg.weight_decay)
                for p, g in zip(params, grads[1:]):
                    p.grad = g
            if optimizer is not None:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            # The next step sees the updated embeddings and weights.
            batch_embeddings = embeddings[aug_ids].requires_grad_(True)
            with autocast(device):
                x = model.embed(tokens, batch_embeddings)
            loss_value = float(loss.detach())
        return loss_value

    try:
        last_step_s = 0.0
        for step in range(steps):
            if not deadline.allows(last_step_s):  # the next step would not end in time
                break
            started = time.monotonic()
            last_loss = sizer.run(lambda b: train_batch(b, step), f"task {task.id} fine-tuning")
            last_step_s = time.monotonic() - started
            losses.append(last_loss)
            done += 1
    finally:
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
    return FinetuneResult(embeddings.detach(), done, last_loss, time.monotonic() - start, sizer.batch, losses)
