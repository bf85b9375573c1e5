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
from solver.trm.model import TRM, Carry, autocast


@torch.no_grad()
def predict_batch(
    model: TRM,
    tokens: torch.Tensor,
    embeddings: torch.Tensor,
    sup_steps: int,
    device: torch.device,
    stop: Deadline | None = None,
    early_stop: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """tokens (B, side*side), embeddings (B, P, D) -> predicted tokens (B, side*side), confidence (B,), steps run (B,).

    Runs `sup_steps` supervision steps, or fewer when another step would not end before
    `stop` (at least one): an answer after fewer steps is still an answer. With
    `early_stop`, a sample stops once its halting logit is positive and its answer did
    not change in its last step; the remaining samples run on without it.
    """
    batch = tokens.shape[0]
    predicted = torch.zeros(tokens.shape, dtype=torch.int64)
    confidence = torch.zeros(batch)
    steps_run = torch.zeros(batch, dtype=torch.int64)
    active = torch.arange(batch)  # rows still running, in the order of `carry`
    with autocast(device):
        tokens, embeddings, carry = tokens.to(device), embeddings.to(device), None
        for step in range(1, sup_steps + 1):
            started = time.monotonic()
            carry, logits, halt = model(tokens, embeddings, carry)
            answer, halt = logits.argmax(-1).cpu(), halt.float().cpu()
            done = (halt > 0) & (answer == predicted[active]).all(1) if early_stop and step > 1 else None
            predicted[active], confidence[active], steps_run[active] = answer, torch.sigmoid(halt), step
            if stop is not None and not stop.allows(time.monotonic() - started):
                break
            if done is not None and bool(done.any()):
                keep = (~done).nonzero().squeeze(1)
                if len(keep) == 0:
                    break
                active, index = active[keep], keep.to(device)
                tokens, embeddings = tokens[index], embeddings[index]
                carry = Carry(carry.y[index], carry.z[index])
    return predicted.numpy(), confidence.numpy(), steps_run.numpy()


def predict(
    model: TRM,
    test_input: np.ndarray,
    augmentations: list[Augmentation],
    embeddings: torch.Tensor,
    side: int,
    sup_steps: int,
    batch: int,
    soft_deadline: Deadline,
    hard_deadline: Deadline,
    device: torch.device,
    what: str = "inference",
    early_stop: bool = False,
) -> list[Candidate]:
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
            chunk = augmentations[start : start + size]
            tokens = torch.from_numpy(np.stack([encode(aug.apply(test_input), side) for aug in chunk]))
            predicted, confidence, steps_run = predict_batch(
                model,
                tokens,
                embeddings[start : start + len(chunk)],
                sup_steps,
                device,
                stop=soft_deadline,
                early_stop=early_stop,
            )
            for aug, pred, conf, steps in zip(chunk, predicted, confidence, steps_run):
                candidates.append(Candidate(aug.invert(decode(pred, side)), float(conf), int(steps)))
            return len(chunk)

        start += sizer.run(run, what)
        last_batch_s = time.monotonic() - started
    return candidates
