"""Measure a device's speed in work units per second (see solver.run.budget), for the budget planner."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from solver.config import SolveConfig
from solver.run.budget import Throughput, sample_work
from solver.trm.codec import PAD, VOCAB_SIZE
from solver.trm.model import TRM, autocast
from solver.trm.objectives import supervision_loss

CALIBRATION_SIDE = 12
CALIBRATION_BATCH = 4  # small: on a CPU every calibration second comes out of the budget
REPEATS = 2  # the first run pays one-off costs (allocations, kernel selection); keep the best


def _time(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def measure_throughput(model: TRM, cfg: SolveConfig, device: torch.device) -> Throughput:
    """Time one training and one inference supervision step on random tokens.

    The model's weights are left as they were (no optimizer step is taken).
    """
    side = CALIBRATION_SIDE
    batch = min(CALIBRATION_BATCH, cfg.finetune_batch)
    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(PAD, VOCAB_SIZE, (batch, side * side), generator=generator).to(device)
    embeddings = model.new_task_embeddings(batch).to(device)

    def train_step() -> None:
        model.train()
        with autocast(device):
            _, logits, halt = model(tokens, embeddings)
            loss = supervision_loss(logits, halt, tokens, cfg.loss)
        inputs: list[torch.Tensor] = [p for p in model.parameters() if p.requires_grad] or [embeddings]
        grads = torch.autograd.grad(loss, inputs)
        del grads

    @torch.no_grad()
    def infer_step() -> None:
        model.eval()
        with autocast(device):
            model(tokens, embeddings)

    needs_grad = [p.requires_grad for p in model.parameters()]
    for p in model.parameters():
        p.requires_grad_(True)
    try:
        train_s = _time(train_step)
    finally:
        for p, flag in zip(model.parameters(), needs_grad):
            p.requires_grad_(flag)
        model.eval()
    infer_s = _time(infer_step)
    units = batch * sample_work(side, model.cfg)
    return Throughput(units / train_s, units / infer_s)
