"""What training optimises, shared by per-task fine-tuning and pretraining.

The deep-supervision loss, the learning-rate schedule and the sparse SignSGD update
of task-embedding rows.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from solver.trm.codec import IGNORE_LABEL

HALT_LOSS_WEIGHT = 0.5
WARMUP_FRACTION = 0.1
MIN_LR_RATIO = 0.1



def lr_factor(step: int, total: int) -> float:
    """Linear warm-up, then cosine decay to MIN_LR_RATIO."""
    warmup = max(1, int(total * WARMUP_FRACTION))
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return MIN_LR_RATIO + (1 - MIN_LR_RATIO) * 0.5 * (1 + math.cos(math.pi * progress))


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
