"""Per-task test-time fine-tuning on the task's demonstration pairs under augmentation.

Every augmentation of the task gets its own task embedding (TRM sees no demonstrations
at inference: the rule lives in the embedding, and a rotated or recoloured rule is a
different rule). The embeddings start at the mean pretrained embedding (plus std x
noise with `embedding_init` mean+noise); the shared weights move too unless `tune`
says otherwise, after the first `frozen_trunk_share` of the steps (Trelis's recipe).

Training follows TRM's deep supervision: `finetune_batch` samples are in flight in a
persistent carry (solver.trm.carry), each optimizer step advances every one of them by
one supervision step, and a sample is replaced once it halts or reaches the model's
depth, so the model learns the whole trajectory inference will run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from solver.arc.augment import Augmentation
from solver.arc.tasks import Task
from solver.backoff import BatchSizer
from solver.clock import Deadline
from solver.config import SolveConfig
from solver.seeding import task_rng
from solver.trm.carry import SupervisionCarry
from solver.trm.codec import encode_pair
from solver.trm.model import TRM, autocast
from solver.trm.objectives import AdamATan2, lr_factor, sign_sgd_rows, supervision_loss


@dataclass
class FinetuneResult:
    embeddings: torch.Tensor  # (n_augmentations, prefix_len, D) float32, on the model's device
    steps: int
    last_loss: float | None
    seconds: float
    batch: int  # the batch size finally used (after any out-of-memory back-off)
    losses: list[float] = field(default_factory=list)  # the last supervision step's loss of every step run


def initial_embeddings(model: TRM, task_id: str, count: int, cfg: SolveConfig) -> torch.Tensor:
    """(count, prefix_len, D): where the task's embeddings start (cfg.embedding_init), noise seeded by the task."""
    if cfg.embedding_init == "mean":
        return model.new_task_embeddings(count)
    shape = (count, model.cfg.prefix_len, model.cfg.hidden_size)
    noise = task_rng(task_id, cfg.seed, "embedding-init").standard_normal(shape, dtype=np.float32)
    return model.new_task_embeddings(count, torch.from_numpy(noise))


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
        demos = [(p.input, p.output) for p in task.train if p.output is not None]  # always set for demos
        self.pairs = [[(aug.apply(i), aug.apply(o)) for i, o in demos] for aug in augmentations]

    def batch(self, rng: np.random.Generator, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(aug ids (B,), input tokens (B, side*side), labels (B, side*side))."""
        n_aug, n_pairs = len(self.pairs), len(self.pairs[0])
        aug_ids = rng.integers(n_aug, size=size)
        pair_ids = rng.integers(n_pairs, size=size)
        inputs, labels = [], []
        for a, j in zip(aug_ids, pair_ids):
            grid_in, grid_out = self.pairs[a][j]
            tokens, label = encode_pair(grid_in, grid_out, self.side, rng if self.translate else None)
            inputs.append(tokens)
            labels.append(label)
        if size == 0:  # no sample of the carry halted
            empty = torch.zeros((0, self.side * self.side), dtype=torch.int64)
            return torch.from_numpy(aug_ids), empty, empty.clone()
        return torch.from_numpy(aug_ids), torch.from_numpy(np.stack(inputs)), torch.from_numpy(np.stack(labels))


def finetune(
    model: TRM,
    task: Task,
    augmentations: list[Augmentation],
    side: int,
    steps: int,
    batch: int,
    cfg: SolveConfig,
    deadline: Deadline,
    device: torch.device,
) -> FinetuneResult:
    """Fine-tune `model` in place for up to `steps` optimizer steps (or until the deadline).

    Each step is one supervision step of `batch` samples in flight (see the module doc).
    """
    start = time.monotonic()
    embeddings = initial_embeddings(model, task.id, len(augmentations), cfg).to(device)
    params = tunable_parameters(model, cfg.tune)
    frozen_steps = math.ceil(steps * cfg.frozen_trunk_share)  # only the embeddings move before this step
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    optimizer = (
        AdamATan2(params, lr=cfg.finetune_lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95)) if params else None
    )
    data = TrainingPairs(task, augmentations, side, cfg.translate)
    rng = task_rng(task.id, cfg.seed, "finetune")
    sizer = BatchSizer(batch)
    model.train()
    last_loss, done, losses = None, 0, []
    flight: SupervisionCarry | None = None

    def train_step(batch_size: int, step: int) -> float:
        nonlocal flight
        if flight is None or flight.size != batch_size:  # first step, or the batch shrank after an OOM
            flight = SupervisionCarry(batch_size, model.cfg.halt_max_steps, device)
        aug_ids, tokens, labels = (t.to(device) for t in data.batch(rng, len(flight.needed())))
        flight.refill(model, aug_ids, tokens, labels, rng)
        scale = lr_factor(step, steps)
        if optimizer is not None:
            for group in optimizer.param_groups:
                group["lr"] = cfg.finetune_lr * scale
        batch_embeddings = embeddings[flight.rows].requires_grad_(True)  # (B, P, D)
        moving = params if step >= frozen_steps else []
        with autocast(device):
            state, logits, halt = model(flight.tokens, batch_embeddings, flight.state)
            loss = supervision_loss(logits, halt, flight.labels, cfg.loss)
        grads = torch.autograd.grad(loss, [batch_embeddings, *moving], allow_unused=True)
        with torch.no_grad():
            sign_sgd_rows(embeddings, flight.rows, grads[0], cfg.embedding_lr * scale, cfg.weight_decay)
            for p, g in zip(moving, grads[1:]):
                p.grad = g
        if optimizer is not None and moving:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        flight.advance(state, halt)
        return float(loss.detach())

    try:
        last_step_s = 0.0
        for step in range(steps):
            if not deadline.allows(last_step_s):  # the next step would not end in time
                break
            started = time.monotonic()
            last_loss = sizer.run(lambda b: train_step(b, step), f"task {task.id} fine-tuning")
            last_step_s = time.monotonic() - started
            losses.append(last_loss)
            done += 1
    finally:
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
    return FinetuneResult(embeddings.detach(), done, last_loss, time.monotonic() - start, sizer.batch, losses)
