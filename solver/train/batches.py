"""Pretraining batches: one canvas size per batch, augmented on the fly, a pure function of (seed, step, rank).

Every task owns `augmentations_per_task` embedding rows, one per augmentation drawn by
`draw_augmentations` (identity first, then one per dihedral transform with a random
colour map), exactly as fine-tuning keys its embeddings. Grids are transformed and
randomly translated when a batch is drawn. Batches are bucketed by the task's canvas
side and hold about `batch_tokens` tokens, so small grids come many to a batch.

Because a batch depends only on (seed, step, rank), resuming at step k replays the
exact data order with no generator state to save.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from solver.arc.augment import draw_augmentations
from solver.seeding import stable_hash
from solver.train.data import PretrainSplit
from solver.trm.codec import encode, encode_label, max_offset, task_canvas_side


@dataclass(frozen=True)
class Batch:
    side: int  # canvas side of every sample
    rows: torch.Tensor  # (B,) int64 embedding-table rows, task_index * augmentations_per_task + augmentation
    tokens: torch.Tensor  # (B, side*side) int64 inputs
    labels: torch.Tensor  # (B, side*side) int64 outputs, IGNORE_LABEL on PAD cells

    def to(self, device: torch.device) -> Batch:
        return Batch(self.side, self.rows.to(device), self.tokens.to(device), self.labels.to(device))


def batch_size_for(side: int, prefix_len: int, batch_tokens: int, max_batch: int) -> int:
    """Samples per batch on a side x side canvas: about batch_tokens tokens, at least 1."""
    return max(1, min(max_batch, batch_tokens // (prefix_len + side * side)))


class PretrainBatches:
    def __init__(
        self,
        split: PretrainSplit,
        augmentations_per_task: int,
        batch_tokens: int,
        max_batch: int,
        prefix_len: int,
        seed: int,
        translate: bool = True,
        canvas: str = "fit",
    ):
        self.split, self.seed, self.translate = split, seed, translate
        self.per_task = augmentations_per_task
        self.augmentations = [draw_augmentations(t.id, seed, augmentations_per_task) for t in split.tasks]
        self.sides = [task_canvas_side(t, canvas) for t in split.tasks]
        # units[side] = (n, 2) array of (task index, pair index) trained on at that canvas side.
        units: dict[int, list[tuple[int, int]]] = {}
        for t, side in enumerate(self.sides):
            units.setdefault(side, []).extend((t, j) for j in range(len(split.training_pairs(t))))
        self.bucket_sides = sorted(units)
        self.units = {side: np.array(units[side], dtype=np.int64) for side in self.bucket_sides}
        self.batch_sizes = {s: batch_size_for(s, prefix_len, batch_tokens, max_batch) for s in self.bucket_sides}
        # A bucket is chosen with probability ~ units / batch size, so every pair is drawn equally often.
        weights = np.array([len(self.units[s]) / self.batch_sizes[s] for s in self.bucket_sides])
        self.bucket_probs = weights / weights.sum()

    @property
    def num_rows(self) -> int:
        return len(self.split.tasks) * self.per_task

    def side_at(self, step: int) -> int:
        """The canvas side of every rank's batch at `step` (DDP needs equal shapes)."""
        shared = np.random.default_rng(stable_hash(self.seed, "pretrain-bucket", step))
        return self.bucket_sides[int(shared.choice(len(self.bucket_sides), p=self.bucket_probs))]

    def batch(self, step: int, rank: int = 0, keep: np.ndarray | None = None) -> Batch:
        """The batch of one rank at one step, or only its rows `keep` (ascending indices).

        The random draws do not depend on `keep`: row i is the same sample whichever rows
        are asked for, so a persistent carry refilling its halted rows takes exactly
        those rows of the step's batch.
        """
        side = self.side_at(step)
        rng = np.random.default_rng(stable_hash(self.seed, "pretrain-batch", step, rank))
        size = self.batch_sizes[side]
        picks = self.units[side][rng.integers(len(self.units[side]), size=size)]
        aug_ids = rng.integers(self.per_task, size=size)
        shifts = rng.random((size, 2))  # translation as a fraction of the room each sample has
        rows, inputs, labels = [], [], []
        for i in range(size) if keep is None else keep:
            (t, j), a = picks[i], aug_ids[i]
            aug = self.augmentations[t][a]
            pair = self.split.training_pairs(int(t))[j]
            grid_in, grid_out = aug.apply(pair.input), aug.apply(pair.output)
            offset = (0, 0)
            if self.translate:
                max_r, max_c = max_offset([grid_in.shape, grid_out.shape], side)
                offset = (int(shifts[i, 0] * (max_r + 1)), int(shifts[i, 1] * (max_c + 1)))
            rows.append(t * self.per_task + a)
            inputs.append(encode(grid_in, side, offset))
            labels.append(encode_label(grid_out, side, offset))
        if not rows:
            empty = torch.zeros((0, side * side), dtype=torch.int64)
            return Batch(side, torch.zeros(0, dtype=torch.int64), empty, empty.clone())
        return Batch(
            side,
            torch.tensor(rows, dtype=torch.int64),
            torch.from_numpy(np.stack(inputs)),
            torch.from_numpy(np.stack(labels)),
        )

    def validation_batches(self) -> list[Batch]:
        """The validation tasks' test pairs, un-augmented and untranslated, grouped by canvas side."""
        first_val = len(self.split.train)
        by_side: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
        for t in range(first_val, len(self.split.tasks)):
            # Row t * per_task is the task's identity augmentation: draw_augmentations puts it first.
            for pair in self.split.tasks[t].test:
                assert pair.output is not None  # build_split fills every test output
                by_side.setdefault(self.sides[t], []).append((t * self.per_task, pair.input, pair.output))
        batches = []
        for side in sorted(by_side):
            items, size = by_side[side], self.batch_sizes[side]
            for start in range(0, len(items), size):
                chunk = items[start : start + size]
                batches.append(
                    Batch(
                        side,
                        torch.tensor([r for r, _, _ in chunk], dtype=torch.int64),
                        torch.from_numpy(np.stack([encode(i, side) for _, i, _ in chunk])),
                        torch.from_numpy(np.stack([encode_label(o, side) for _, _, o in chunk])),
                    )
                )
        return batches
