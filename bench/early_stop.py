"""Benchmark: what inference early stop saves and what it changes (tiny model fine-tuned per task, CPU).

    python bench/early_stop.py --depth 8 --steps 600 --augmentations 4 \\
        --tasks 25ff71a9,3c9b0459,6150a2bd,74dd1130,ed36ccf7,d511f180,9dfd6313,67a3c6ac

Each arc1/train task is fine-tuned once; its test inputs are then answered with early
stop off and on by the same weights. Prints supervision steps run, pass@2, inference
seconds, and how many candidates and top-2 attempts differ (docs/RESULTS.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.arc.augment import draw_augmentations
from solver.arc.tasks import load_source
from solver.arc.voting import rank, top_attempts
from solver.clock import Deadline
from solver.config import SolveConfig
from solver.trm.codec import task_canvas_side
from solver.trm.config import model_preset
from solver.trm.finetune import finetune
from solver.trm.inference import predict
from solver.trm.weights import build_model

CPU = torch.device("cpu")
NEVER = Deadline(None)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool((a == b).all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=8, help="halt_max_steps of the tiny model")
    parser.add_argument("--steps", type=int, default=600, help="fine-tuning steps per task")
    parser.add_argument("--augmentations", type=int, default=4)
    parser.add_argument("--tasks", required=True, help="comma-separated arc1/train task ids")
    args = parser.parse_args()
    torch.set_num_threads(1)
    source = load_source("arc1/train")
    tasks = {t.id: t for t in source.tasks}
    totals = {False: [0, 0, 0.0], True: [0, 0, 0.0]}  # supervision steps run, right outputs, seconds
    same_candidates = candidates = same_top = outputs = 0
    for task_id in args.tasks.split(","):
        torch.manual_seed(0)
        task = tasks[task_id]
        model = build_model(dataclasses.replace(model_preset("tiny"), halt_max_steps=args.depth))
        side = task_canvas_side(task)
        augs = draw_augmentations(task.id, 0, args.augmentations)
        cfg = SolveConfig(finetune_batch=16, finetune_lr=3e-3, embedding_lr=9e-3)
        tuned = finetune(model, task, augs, side, args.steps, 16, cfg, NEVER, CPU)
        for i, pair in enumerate(task.test):
            runs = {}
            for early in (False, True):
                began = time.perf_counter()
                found = predict(
                    model, pair.input, augs, tuned.embeddings, side, args.depth, 64, NEVER, NEVER, CPU, early_stop=early
                )
                totals[early][2] += time.perf_counter() - began
                totals[early][0] += sum(c.sup_steps for c in found)
                top = top_attempts(rank(found), fallback=pair.input)
                totals[early][1] += any(same(a, np.array(source.solutions[task_id][i])) for a in top)
                runs[early] = (found, top)
            outputs += 1
            candidates += len(runs[False][0])
            same_candidates += sum(same(a.grid, b.grid) for a, b in zip(runs[False][0], runs[True][0]))
            same_top += all(same(a, b) for a, b in zip(runs[False][1], runs[True][1]))
        print(f"{task_id}: last fine-tuning loss {tuned.last_loss:.3f}", flush=True)
    print(
        f"depth {args.depth}, {args.steps} fine-tuning steps, {args.augmentations} augmentations, "
        f"{outputs} test outputs"
    )
    for early, (steps, right, seconds) in totals.items():
        print(
            f"early stop {'on' if early else 'off'}: supervision steps run {steps}, pass@2 {right}/{outputs}, "
            f"inference {seconds:.2f} s"
        )
    print(f"identical candidates {same_candidates}/{candidates}; identical top-2 attempts {same_top}/{outputs}")


if __name__ == "__main__":
    main()
