"""Benchmark: forward-pass time by canvas size, augmented inference and fine-tuning throughput.

    python bench/throughput.py --device cpu            # the CPU figures in docs/RESULTS.md
    python bench/throughput.py --device cuda --batch 256 --finetune-batch 64

Prints one line per measurement. Ratios taken in one run are comparable anywhere;
absolute times only mean something on the GPU the competition uses.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solver.arc.augment import draw_augmentations
from solver.arc.tasks import parse_tasks
from solver.clock import Deadline
from solver.config import SolveConfig
from solver.trm.codec import canvas_side
from solver.trm.config import model_preset
from solver.trm.finetune import finetune
from solver.trm.inference import predict_batch
from solver.trm.model import autocast
from solver.trm.weights import build_model


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def best_time(fn, device: torch.device, repeats: int) -> float:
    fn()  # warm-up: allocations, kernel selection
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return min(times)


@torch.no_grad()
def forward_step_seconds(model, side: int, batch: int, device: torch.device, repeats: int) -> float:
    """One supervision step (all H x L cycles) for `batch` samples on a side x side canvas."""
    tokens = torch.randint(0, 12, (batch, side * side), device=device)
    embeddings = model.new_task_embeddings(batch).to(device)

    def run():
        with autocast(device):
            model(tokens, embeddings)

    return best_time(run, device, repeats)


def synthetic_task(grid_side: int, rng: np.random.Generator):
    grids = [rng.integers(0, 10, (grid_side, grid_side)).tolist() for _ in range(4)]
    raw = {"train": [{"input": g, "output": g[::-1]} for g in grids[:3]], "test": [{"input": grids[3]}]}
    return parse_tasks({"bench": raw})[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--preset", default="trm-7m")
    parser.add_argument("--batch", type=int, default=8, help="inference batch (augmentations per forward)")
    parser.add_argument("--finetune-batch", type=int, default=8)
    parser.add_argument("--finetune-steps", type=int, default=3)
    parser.add_argument("--inference-sup-steps", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = build_model(model_preset(args.preset)).to(device).eval()
    print(
        f"device {device} ({torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}), "
        f"preset {args.preset}, {model.num_parameters():,} parameters, torch {torch.__version__}"
    )

    # 1. Canvas sizing: a 10x10 task on its own canvas vs the same task on TRM's fixed 30x30 canvas.
    # A canvas-"30" model (the reference's layout) runs every task on the full canvas.
    small_side, full_side = canvas_side(10) if model.cfg.canvas == "fit" else canvas_side(30), canvas_side(30)
    small = forward_step_seconds(model, small_side, args.batch, device, args.repeats)
    full = forward_step_seconds(model, full_side, args.batch, device, args.repeats)
    print(
        f"forward step, batch {args.batch}: 10x10 task (canvas {small_side}) {small * 1e3:.1f} ms; "
        f"30x30 task (canvas {full_side}) {full * 1e3:.1f} ms; ratio {full / small:.2f}x"
    )

    # 2. Augmented inference throughput on a 10x10 task: samples x supervision steps per second.
    tokens = torch.randint(0, 12, (args.batch, small_side * small_side))
    embeddings = model.new_task_embeddings(args.batch)
    seconds = best_time(
        lambda: predict_batch(model, tokens, embeddings, args.inference_sup_steps, device), device, args.repeats
    )
    print(
        f"augmented inference, canvas {small_side}, batch {args.batch}, {args.inference_sup_steps} sup steps: "
        f"{args.batch * args.inference_sup_steps / seconds:.1f} sample-steps/s"
    )

    # 3. Fine-tuning steps per second on a 10x10 task.
    task = synthetic_task(10, np.random.default_rng(0))
    cfg = SolveConfig(finetune_batch=args.finetune_batch)
    augs = draw_augmentations(task.id, 0, 8)
    base = {k: v.clone() for k, v in model.state_dict().items()}
    finetune(model, task, augs, small_side, 1, args.finetune_batch, cfg, Deadline(None), device)  # warm-up
    model.load_state_dict(base)
    result = finetune(
        model, task, augs, small_side, args.finetune_steps, args.finetune_batch, cfg, Deadline(None), device
    )
    print(
        f"fine-tuning, canvas {small_side}, batch {args.finetune_batch}, 1 sup step per step: "
        f"{result.steps / result.seconds:.2f} steps/s"
    )


if __name__ == "__main__":
    main()
