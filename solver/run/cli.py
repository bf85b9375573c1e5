"""Command line of the solver: `python build_submission.py --tasks ... [options]`.

Every bad input (file, dataset name, option value, weights) ends in one line on
stderr and exit code 2; no traceback.
"""

from __future__ import annotations

import dataclasses
import argparse
import json
import logging
import sys
from pathlib import Path

import torch

from solver.config import SOLVE_PRESETS, TOKEN_LOSSES, TUNABLE_PARAMETER_SETS, SolveConfig

from solver.trm.config import MODEL_PRESETS, ModelConfig
from solver.run.journal import JournalMismatch
from solver.run.supervisor import RunOptions, run
from solver.seeding import seed_everything
from solver.arc.submission import expected_slots, validate_submission
from solver.arc.tasks import DATASETS, TaskError, load_source, select_tasks
from solver.trm.weights import DEFAULT_PRESET, DEFAULT_WEIGHTS, WeightsError, expected_sha256, read_metadata

log = logging.getLogger("solver")
EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 1")
    return value


def non_negative_int(text: str) -> int:
    return 0 if text.strip() == "0" else positive_int(text)


MAX_SEED = 2**32 - 1  # numpy's legacy seeding takes 32 bits


def seed_value(text: str) -> int:
    value = non_negative_int(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text!r} must be at most {MAX_SEED}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="build_submission.py",
        description="Fine-tune TRM per task, vote over augmented predictions, write submission.json.")
    data = parser.add_argument_group("tasks")
    data.add_argument("--tasks", required=True,
                      help=f"a Kaggle challenges JSON file, or a dataset name: {', '.join(DATASETS)}")
    data.add_argument("--solutions", help="Kaggle solutions JSON, to score the run (dataset names carry theirs)")
    data.add_argument("--limit", type=positive_int, help="solve only the first N tasks")
    data.add_argument("--task-ids", help="comma-separated task ids to solve, in this order")
    run_group = parser.add_argument_group("run")
    run_group.add_argument("--out", default="out", help="output folder (default: out)")
    run_group.add_argument("--weights", help=f"safetensors checkpoint (default: {DEFAULT_WEIGHTS.name} if shipped)")
    run_group.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(MODEL_PRESETS),
                           help="model preset for the untrained initialisation when no weights are shipped")
    run_group.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                           help="auto: every GPU if any, else the CPU (default)")
    run_group.add_argument("--time-budget", type=positive_float, metavar="SECONDS",
                           help="total wall-clock budget; work per task is scaled to fit it")
    run_group.add_argument("--fresh", action="store_true", help="ignore the journal of an earlier run in --out")
    run_group.add_argument("--quiet", action="store_true", help="only warnings and the score")
    solve = parser.add_argument_group("solver settings (override --config)")
    solve.add_argument("--config", default="full", choices=sorted(SOLVE_PRESETS), help="settings preset")
    solve.add_argument("--finetune-steps", type=non_negative_int)
    solve.add_argument("--finetune-batch", type=positive_int)
    solve.add_argument("--finetune-lr", type=positive_float)
    solve.add_argument("--embedding-lr", type=positive_float)
    solve.add_argument("--loss", choices=TOKEN_LOSSES, help="token cross-entropy of fine-tuning")
    solve.add_argument("--tune", choices=TUNABLE_PARAMETER_SETS)
    solve.add_argument("--augmentations", dest="n_augmentations", type=positive_int)
    solve.add_argument("--inference-batch", type=positive_int)
    solve.add_argument("--inference-sup-steps", type=positive_int,
                       help="supervision steps per inference pass (default: the model's depth, halt_max_steps)")
    solve.add_argument("--inference-early-stop", action="store_true", default=None,
                       help="stop a sample once its halting logit is positive and its answer stopped changing")
    solve.add_argument("--seed", type=seed_value)
    return parser


SOLVE_OVERRIDES = ("finetune_steps", "finetune_batch", "finetune_lr", "embedding_lr", "loss", "tune",
                   "n_augmentations", "inference_batch", "inference_sup_steps", "inference_early_stop", "seed")


def solve_config(args: argparse.Namespace) -> SolveConfig:
    changes = {name: getattr(args, name) for name in SOLVE_OVERRIDES if getattr(args, name) is not None}
    return dataclasses.replace(SOLVE_PRESETS[args.config], **changes)


def resolve_devices(choice: str) -> list[str]:
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if choice == "cuda" and gpus == 0:
        raise ValueError("--device cuda: no CUDA GPU is visible")
    if choice == "cpu" or gpus == 0:
        return ["cpu"]
    return [f"cuda:{i}" for i in range(gpus)]


def resolve_weights(path: str | None, preset: str) -> tuple[str | None, str | None, str]:
    """(weights path or None for the untrained init, expected sha256, a label for reports)."""
    if path is None and DEFAULT_WEIGHTS.exists():
        path = str(DEFAULT_WEIGHTS)
    if path is None:
        log.warning("no pretrained weights in weights/: using an UNTRAINED %s initialisation (fixed seed); "
                    "expect a score near zero", preset)
        return None, None, f"untrained {preset}"
    if not Path(path).is_file():
        raise WeightsError(f"weights {path}: no such file")
    metadata = read_metadata(Path(path))
    try:
        ModelConfig.from_json(metadata.get("config", ""))
    except ValueError as error:
        raise WeightsError(f"weights {path}: no usable model config in the metadata ({error})") from None
    return path, expected_sha256(Path(path)), str(path)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
    try:
        source = load_source(args.tasks, args.solutions)
        task_ids = [t.strip() for t in args.task_ids.split(",") if t.strip()] if args.task_ids else None
        tasks = select_tasks(source.tasks, task_ids, args.limit)
        devices = resolve_devices(args.device)
        cfg = solve_config(args)
        weights_path, weights_sha, weights_label = resolve_weights(args.weights, args.preset)
    except (TaskError, WeightsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    seed_everything(cfg.seed)
    log.info("%d tasks from %s on %s; weights: %s", len(tasks), source.name, ", ".join(devices), weights_label)
    opts = RunOptions(out_dir=Path(args.out), devices=devices, weights_path=weights_path,
                      weights_sha256=weights_sha, weights_label=weights_label, preset=args.preset, solve=cfg,
                      time_budget=args.time_budget, fresh=args.fresh)
    try:
        result = run(tasks, source.solutions, opts)
    except JournalMismatch as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    problems = validate_submission(json.loads(result.submission_path.read_text()), expected_slots(tasks))
    if problems:  # cannot happen by construction; say so loudly if it ever does
        print(f"error: the written submission is invalid: {problems[0]}", file=sys.stderr)
        return 1
    print(f"wrote {result.submission_path} ({len(tasks)} tasks) and {result.report_path}")
    if result.score is not None:
        print(f"per-task average: {result.score.per_task_average:.4f} ({len(result.score.per_task)} tasks)")
        print(result.score.summary_line())
    return 0
