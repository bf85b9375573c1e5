"""Augmented inference: every test input under every augmentation, batched, de-augmented."""

from __future__ import annotations

import time

import numpy as np
import torch

from solver.arc.augment import Augmentation
from solver.arc.voting import Candidate
from solver.backoff import BatchSizer
from solver.clock import Deadline
from solver.trm.codec import decode, encode
from solver.trm.model import TRM, autocast


@torch.no_grad()
def predict_batch(model: TRM, tokens: torch.Tensor, embeddings: torch.Tensor, sup_steps: int,
                  device: torch.device, stop: Deadline | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """tokens (B, side*side), embeddings (B, P, D) -> predicted tokens (B, side*side), confidence (B,), steps run.

    Runs `sup_steps` supervision steps, or fewer when another step would not end before
    `stop` (at least one): an answer after fewer steps is still an answer.
    """
    with autocast(device):
        tokens, embeddings, carry = tokens.to(device), embeddings.to(device), None
        for steps_run in range(1, sup_steps + 1):  # noqa: B007 (returned: the steps actually run)
            started = time.monotonic()
            carry, logits, halt = model(tokens, embeddings, carry)
            if stop is not None and not stop.allows(time.monotonic() - started):
                break
    return logits.argmax(-1).cpu().numpy(), torch.sigmoid(halt).cpu().numpy(), steps_run


def predict(model: TRM, test_input: np.ndarray, augmentations: list[Augmentation], embeddings: torch.Tensor,
            side: int, sup_steps: int, batch: int, soft_deadline: Deadline, hard_deadline: Deadline,
            device: torch.device, what: str = "inference") -> list[Candidate]:
    """Candidates for one test input, one per augmentation run in time.

    Past `soft_deadline` only the first batch runs, cut short after its current
    supervision step (so a late task still gets model answers); past `hard_deadline`
    none does. embeddings: (n_augmentations, P, D).
    """
    model.eval()
    sizer = BatchSizer(batch)
    candidates: list[Candidate] = []
    start, last_batch_s = 0, 0.0
    while start < len(augmentations):
        if hard_deadline.expired() or (candidates and not soft_deadline.allows(last_batch_s)):
            break
        started = time.monotonic()

        def run(size: int) -> int:
            chunk = augmentations[start:start + size]
            tokens = torch.from_numpy(np.stack([encode(aug.apply(test_input), side) for aug in chunk]))
            predicted, confidence, steps_run = predict_batch(
                model, tokens, embeddings[start:start + len(chunk)], sup_steps, device, stop=soft_deadline)
            for aug, pred, conf in zip(chunk, predicted, confidence):
                candidates.append(Candidate(aug.invert(decode(pred, side)), float(conf), steps_run))
            return len(chunk)

        start += sizer.run(run, what)
        last_batch_s = time.monotonic() - started
    return candidates
