"""Benchmark: a pretraining checkpoint's validation accuracy at every supervision depth.

    python bench/pretrain_depths.py RUN/checkpoint --preset tiny

EMA weights, the validation tasks' test pairs (as `solver.train.pretrain` validates),
token accuracy, exact grids and halting accuracy after 1..halt_max_steps steps. Used to
compare checkpoints trained with different semantics on the same footing (docs/RESULTS.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.train.batches import PretrainBatches
from solver.train.checkpoint import load_checkpoint
from solver.train.config import pretrain_preset
from solver.train.data import build_split
from solver.train.pretrain import padded_embedding
from solver.trm.codec import IGNORE_LABEL
from solver.trm.config import model_preset
from solver.trm.objectives import exact_answers
from solver.trm.weights import build_model


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--preset", default="tiny", help="the pretraining preset the run used")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = pretrain_preset(args.preset)
    tensors, meta = load_checkpoint(args.checkpoint)
    model = build_model(model_preset(cfg.model))
    model.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("ema/")}, strict=True)
    model.eval()
    data = PretrainBatches(
        build_split(),
        cfg.augmentations_per_task,
        cfg.batch_tokens,
        cfg.max_batch,
        model.cfg.prefix_len,
        meta["pretrain_config"]["seed"],
        cfg.translate,
        model.cfg.canvas,
    )
    depth = model.cfg.halt_max_steps
    cells = {d: [0, 0, 0, 0, 0] for d in range(1, depth + 1)}  # right cells, cells, exact, halt agrees, pairs
    for batch in data.validation_batches():
        embedding = padded_embedding(tensors["table"][batch.rows], model.cfg.prefix_len)
        carry = None
        for d in range(1, depth + 1):
            carry, logits, halt = model(batch.tokens, embedding, carry)
            valid = batch.labels != IGNORE_LABEL
            right = exact_answers(logits, batch.labels)
            row = cells[d]
            row[0] += int(((logits.argmax(-1) == batch.labels) & valid).sum())
            row[1] += int(valid.sum())
            row[2] += int(right.sum())
            row[3] += int(((halt > 0) == right).sum())
            row[4] += len(batch.rows)
    print(f"step {meta['step']}, samples {meta['samples']}")
    for d, (hit, total, exact, agree, pairs) in cells.items():
        print(f"depth {d}: token acc {hit / total:.4f}, exact {exact}/{pairs}, halting acc {agree / pairs:.3f}")


if __name__ == "__main__":
    main()
