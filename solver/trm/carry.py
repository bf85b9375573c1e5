"""Samples in flight through deep supervision: TRM's persistent training carry (arXiv 2510.04871).

Training runs the model the way inference does, one supervision step at a time, but
every optimizer step advances every sample of the batch by exactly one supervision
step. A sample keeps its recursion state (y, z) between optimizer steps and leaves
the batch ("halts") when

- its halting logit is positive (the model says the answer is right) and it has run
  its exploration minimum, or
- it has run `halt_max_steps` steps (the depth inference will run).

A halted row is refilled before the next step: new sample, fresh (y, z), step count
0, and with probability `exploration_prob` a random minimum of 2..halt_max_steps steps
before it may halt (so the halting head also sees later steps of samples it would stop
early). The reference draws that minimum again at every step; here it is drawn once
per sample, the paper's formulation, and the state a test can check.

`SupervisionCarry` holds only the bookkeeping and the tensors; the caller draws the
fresh samples (any source: a task's pairs, pretraining batches) and runs the model.
"""

from __future__ import annotations

import numpy as np
import torch

from solver.trm.model import TRM, Carry

HALT_EXPLORATION_PROB = 0.1  # the reference's halt_exploration_prob
MIN_EXPLORATION_STEPS = 2


class SupervisionCarry:
    """`size` rows in flight, all on one canvas side (the carry's shape is fixed).

    Per row: `rows` (task-embedding row), `tokens`, `labels` ((size, L) int64), `steps`
    run so far, `min_steps` (exploration minimum, 0 when not exploring), `halted`, and
    the model's `state` ((size, prefix_len + L, D) y and z; None before the first step).
    A new carry has every row halted, so the first `refill` fills it completely.
    """

    def __init__(
        self, size: int, halt_max_steps: int, device: torch.device, exploration_prob: float = HALT_EXPLORATION_PROB
    ):
        if size < 1 or halt_max_steps < 1:
            raise ValueError("SupervisionCarry: size and halt_max_steps must be >= 1")
        self.size, self.halt_max_steps, self.exploration_prob = size, halt_max_steps, exploration_prob
        self.device = device
        empty = torch.zeros(0, dtype=torch.int64, device=device)  # until the first refill
        self.rows: torch.Tensor = empty
        self.tokens: torch.Tensor = empty
        self.labels: torch.Tensor = empty
        self.state: Carry | None = None
        self.steps = torch.zeros(size, dtype=torch.int64, device=device)
        self.min_steps = torch.zeros(size, dtype=torch.int64, device=device)
        self.halted = torch.ones(size, dtype=torch.bool, device=device)

    def needed(self) -> np.ndarray:
        """Indices of the rows the next `refill` replaces (the halted ones), ascending."""
        return self.halted.nonzero().squeeze(1).cpu().numpy()

    def refill(
        self, model: TRM, rows: torch.Tensor, tokens: torch.Tensor, labels: torch.Tensor, rng: np.random.Generator
    ) -> None:
        """Put fresh samples into the halted rows, in order: rows (n,), tokens and labels (n, L), n = len(needed()).

        Their state restarts from the model's initial (y, z); `rng` draws the exploration
        minimums (one draw per row of the carry, whatever n is, so the stream's use does not
        depend on how many rows halted).
        """
        halted = self.halted
        n = int(halted.sum())
        if rows.shape[0] != n or tokens.shape[0] != n or labels.shape[0] != n:
            raise ValueError(f"SupervisionCarry.refill: {n} rows halted, got {rows.shape[0]} fresh samples")
        explore = rng.random(self.size) < self.exploration_prob
        high = max(self.halt_max_steps, MIN_EXPLORATION_STEPS)
        minimum = rng.integers(MIN_EXPLORATION_STEPS, high + 1, size=self.size)
        drawn = torch.from_numpy(np.where(explore, minimum, 0)).to(self.device)
        if n == 0:
            return
        if self.tokens.shape[0] == 0:  # first fill: every row is halted
            self.rows, self.tokens, self.labels = rows.clone(), tokens.clone(), labels.clone()
        else:
            self.rows[halted], self.tokens[halted], self.labels[halted] = rows, tokens, labels
        if self.state is not None:
            self.state = model.reset_carry(self.state, halted)
        self.steps = torch.where(halted, 0, self.steps)
        self.min_steps = torch.where(halted, drawn, self.min_steps)
        self.halted = torch.zeros_like(halted)

    def advance(self, state: Carry, halt_logits: torch.Tensor) -> None:
        """Record one supervision step of every row: its new (detached) state and halting logits (size,)."""
        self.state = state
        self.steps = self.steps + 1
        wants_to_stop = (halt_logits.detach() > 0) & (self.steps >= self.min_steps)
        self.halted = (self.steps >= self.halt_max_steps) | wants_to_stop

    # Checkpointing: the carry is plain tensors, saved when it fits (see solver.train.pretrain).
    def tensors(self) -> dict[str, torch.Tensor]:
        """Everything needed to continue exactly; empty before the first step."""
        if self.state is None:
            return {}
        return {
            "rows": self.rows,
            "tokens": self.tokens,
            "labels": self.labels,
            "steps": self.steps,
            "min_steps": self.min_steps,
            "halted": self.halted,
            "y": self.state.y,
            "z": self.state.z,
        }

    def load_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        if not tensors:
            return
        t = {k: v.to(self.device) for k, v in tensors.items()}
        self.rows, self.tokens, self.labels = t["rows"], t["tokens"], t["labels"]
        self.steps, self.min_steps, self.halted = t["steps"], t["min_steps"], t["halted"]
        self.state = Carry(t["y"], t["z"])
