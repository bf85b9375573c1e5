"""The pretraining recipe: a frozen dataclass with named presets, like solver.config.

Optimizer settings follow TRM's ARC recipe (arXiv 2510.04871): AdamATan2 with betas
(0.9, 0.95), lr 1e-4, weight decay 0.1, SignSGD at 1e-2 for the task embeddings, EMA
0.999, stablemax cross-entropy. One training step is one optimizer update: every sample
in flight (a persistent carry per canvas size, solver.trm.carry) advances by one
supervision step, up to the model's depth `halt_max_steps`, as in solver.trm.finetune.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.config import TOKEN_LOSSES
from solver.settings import FrozenConfig
from solver.trm.config import MODEL_PRESETS


@dataclass(frozen=True)
class PretrainConfig(FrozenConfig):
    model: str = "trm-7m"  # a solver.config model preset
    # Optimizer steps (= supervision steps of every sample in flight): the schedule's length
    # (warm-up then cosine, solver.trm.objectives.lr_factor). 80000 = the former 20000 batches x 4
    # supervision steps, the same training work.
    total_steps: int = 80000
    batch_tokens: int = 131072  # tokens (prefix included) in flight per canvas size per device
    max_batch: int = 768  # cap on samples in flight per canvas size per device
    loss: str = "stablemax"  # token cross-entropy: stablemax (TRM's) | softmax
    lr: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.95)
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    embedding_lr: float = 1e-2
    embedding_weight_decay: float = 0.1
    ema_decay: float = 0.999
    augmentations_per_task: int = 8  # embedding rows per task; 8 keeps the trm-7m checkpoint under 64 MiB
    translate: bool = True
    eval_every: int = 2000  # optimizer steps between validations (and log rows); the former 500 batches x 4
    # Steps over which the learning rate ramps up again after a resume that had to drop the
    # optimizer moments (see docs/PRETRAINING.md); Adam's betas forget in ~20 steps anyway.
    rewarm_steps: int = 50
    seed: int = 0

    def __post_init__(self) -> None:
        if self.model not in MODEL_PRESETS:
            raise ValueError(f"PretrainConfig: unknown model preset {self.model!r}")
        if self.loss not in TOKEN_LOSSES:
            raise ValueError(f"PretrainConfig: loss must be one of {TOKEN_LOSSES}, got {self.loss!r}")
        for name in ("total_steps", "batch_tokens", "max_batch", "augmentations_per_task", "eval_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"PretrainConfig: {name} must be >= 1")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError("PretrainConfig: ema_decay must be in [0, 1)")
        if self.rewarm_steps < 0:
            raise ValueError("PretrainConfig: rewarm_steps must be >= 0")
        object.__setattr__(self, "betas", tuple(self.betas))


PRETRAIN_PRESETS: dict[str, PretrainConfig] = {
    "trm-7m": PretrainConfig(),
    # CPU tests and demonstrations: seconds per dozen steps on two cores.
    # total_steps 800 = the former 400 batches x 2 supervision steps.
    "tiny": PretrainConfig(
        model="tiny",
        total_steps=800,
        batch_tokens=2048,
        max_batch=16,
        lr=3e-3,
        ema_decay=0.9,
        eval_every=40,
        rewarm_steps=5,
    ),
}


def pretrain_preset(name: str) -> PretrainConfig:
    if name not in PRETRAIN_PRESETS:
        raise ValueError(f"unknown pretraining preset {name!r}; choose from {sorted(PRETRAIN_PRESETS)}")
    return PRETRAIN_PRESETS[name]
