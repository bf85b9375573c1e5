"""What training optimises, shared by per-task fine-tuning and pretraining.

The deep-supervision loss (stablemax or softmax cross-entropy + halting BCE), the
learning-rate schedule, the AdamATan2 optimizer of the shared weights and the sparse
SignSGD update of task-embedding rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
import torch.nn.functional as F

from solver.config import TOKEN_LOSSES as LOSSES
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


def log_stablemax(logits: torch.Tensor) -> torch.Tensor:
    """Log-probabilities of stablemax over the last dimension, in float64 (TRM's loss).

    s(x) = x + 1 for x >= 0 and 1 / (1 - x) for x < 0; p_i = s(x_i) / sum_j s(x_j).
    s grows linearly, not exponentially, so a confident logit cannot push the loss of
    the others to float underflow (the "softmax collapse" that stablemax was made for).
    """
    x = logits.double()
    s = torch.where(x >= 0, x + 1, 1 / (1 - x.clamp(max=0)))  # clamp: no inf on the branch not taken
    return s.log() - s.sum(-1, keepdim=True).log()


def token_losses(logits: torch.Tensor, labels: torch.Tensor, loss: str) -> torch.Tensor:
    """Per-cell cross-entropy (B, L), zero on IGNORE_LABEL cells; float64 for stablemax, float32 for softmax."""
    valid = labels != IGNORE_LABEL
    targets = torch.where(valid, labels, 0)
    if loss == "stablemax":
        logp = log_stablemax(logits)
    elif loss == "softmax":
        logp = F.log_softmax(logits.float(), dim=-1)
    else:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    picked = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return -torch.where(valid, picked, torch.zeros_like(picked))


def exact_answers(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """(B,) bool: the argmax answer is right on every non-PAD cell (the halting head's target)."""
    valid = labels != IGNORE_LABEL
    return ((logits.argmax(-1) == labels) | ~valid).all(1)


def supervision_loss(
    logits: torch.Tensor, halt: torch.Tensor, labels: torch.Tensor, loss: str = "stablemax"
) -> torch.Tensor:
    """Token cross-entropy (mean per sample, then over the batch) + HALT_LOSS_WEIGHT x halting BCE.

    logits (B, L, V), halt (B,), labels (B, L) with IGNORE_LABEL on PAD cells. The
    halting target is whether the whole current answer is already exactly right.
    Returns a float32 scalar.
    """
    valid = labels != IGNORE_LABEL
    per_sample = token_losses(logits, labels, loss).sum(1) / valid.sum(1).clamp(min=1)
    with torch.no_grad():
        exact = exact_answers(logits, labels).float()
    halt_loss = F.binary_cross_entropy_with_logits(halt.float(), exact)
    return per_sample.mean().float() + HALT_LOSS_WEIGHT * halt_loss


class AdamATan2(torch.optim.Optimizer):
    """Adam with atan2 in place of m / (sqrt(v) + eps), decoupled weight decay (TRM's optimizer).

    Per parameter, at step t:  p <- p (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
    p <- p - lr atan2(m / (1 - b1^t), sqrt(v / (1 - b2^t))).
    No epsilon to tune and the step is bounded by lr pi/2 (a sign-like step where v is
    tiny), which is what the reference's hyper-parameters (lr 1e-4, betas (0.9, 0.95))
    were tuned with. Moments are float32 state named as AdamW's (exp_avg, exp_avg_sq, step).
    """

    def __init__(
        self,
        params: Iterable[torch.Tensor],
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.95),
        weight_decay: float = 0.1,
    ):
        if lr < 0 or weight_decay < 0 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError("AdamATan2: lr and weight_decay must be >= 0, betas in [0, 1)")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        if closure is not None:
            raise ValueError("AdamATan2 takes no closure")
        for group in self.param_groups:
            lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = torch.zeros((), dtype=torch.float32)
                    state["exp_avg"] = torch.zeros_like(p, dtype=torch.float32)
                    state["exp_avg_sq"] = torch.zeros_like(p, dtype=torch.float32)
                state["step"] += 1
                t = float(state["step"])
                grad = p.grad.float()
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.lerp_(grad, 1 - beta1)
                v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                update = torch.atan2(m / (1 - beta1**t), (v / (1 - beta2**t)).sqrt())
                p.mul_(1 - lr * wd).sub_((lr * update).to(p.dtype))
        return None


def sign_sgd_rows(table: torch.Tensor, rows: torch.Tensor, grad: torch.Tensor, lr: float, weight_decay: float) -> None:
    """Sparse SignSGD with decoupled weight decay on the touched rows only (as TRM's embedding optimizer).

    grad (B, P, D) for rows (B,); repeated rows have their gradients summed first.
    """
    unique, inverse = torch.unique(rows, return_inverse=True)
    summed = torch.zeros((len(unique), *grad.shape[1:]), dtype=grad.dtype, device=grad.device)
    summed.index_add_(0, inverse, grad)
    current = table[unique]
    table[unique] = current * (1 - lr * weight_decay) - lr * summed.sign()
