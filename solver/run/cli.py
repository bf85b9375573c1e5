"""Command line of the solver: `python build_submission.py --tasks ... [options]`.

Every bad input (file, dataset name, option value, weights, output folder) ends in one
line on stderr and exit code 2; no traceback. Only the errors that mean bad input are
caught (TaskError, WeightsError, ConfigError, OutDirError): anything else is a bug and
keeps its traceback. Ctrl-C is one line and exit code 130.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import torch

from solver.arc.submission import expected_slots, validate_submission
from solver.arc.tasks import DATASETS, InvalidTask, TaskError, display_id, load_source, select_tasks
from solver.config import EXPERTS, SOLVE_PRESETS, TOKEN_LOSSES, TUNABLE_PARAMETER_SETS, ConfigError, SolveConfig
from solver.run.journal import JournalMismatch
from solver.run.supervisor import RunOptions, run
from solver.seeding import seed_everything
from solver.trm.config import MODEL_PRESETS, ModelConfig, model_preset
from solver.trm.weights import DEFAULT_PRESET, DEFAULT_WEIGHTS, WeightsError, expected_sha256, read_metadata

log = logging.getLogger("solver")
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
SMALL_MODEL_HIDDEN = 256  # below this width a model runs in seconds per task on a CPU (the tiny preset is 32)


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
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


def expert_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in EXPERTS]
    if not names or unknown or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"{text!r}: give distinct names from {', '.join(EXPERTS)}")
    return names


def preset_defaults(name: str) -> str:
    """The default of a solver setting under each --config preset, for --help."""
    values = ", ".join(f"{preset}: {getattr(cfg, name)}" for preset, cfg in SOLVE_PRESETS.items())
    return f"default from --config ({values})"


# --config presets that imply a model preset when neither --preset nor --weights says otherwise.
CONFIG_MODEL_PRESET = {"cpu-smoke": "tiny"}


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="build_submission.py",
        description="Answer ARC tasks with a program search and a per-task fine-tuned TRM, write submission.json.",
        epilog="Exit codes: 0 done; 2 bad input (one line on stderr), also when no task in the tasks file is "
        "valid (a fallback submission is still written); 130 interrupted (run the same command again "
        "to resume, add --fresh to start over).",
    )
    data = parser.add_argument_group("tasks")
    data.add_argument(
        "--tasks", required=True, help=f"a Kaggle challenges JSON file, or a dataset name: {', '.join(DATASETS)}"
    )
    data.add_argument(
        "--solutions",
        metavar="FILE",
        help="Kaggle solutions JSON, to score the run (dataset names carry theirs; default: none)",
    )
    data.add_argument("--limit", type=positive_int, metavar="N", help="solve only the first N tasks (default: all)")
    data.add_argument(
        "--task-ids", metavar="ID,ID,...", help="comma-separated task ids to solve, in this order (default: all)"
    )
    run_group = parser.add_argument_group("run")
    run_group.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    run_group.add_argument(
        "--weights",
        metavar="FILE",
        help=f"safetensors checkpoint (default: weights/{DEFAULT_WEIGHTS.name} if shipped, "
        "else an untrained --preset model)",
    )
    run_group.add_argument(
        "--preset",
        choices=sorted(MODEL_PRESETS),
        help="model of the untrained initialisation when no weights are shipped (default: "
        + ", ".join(f"{p} with --config {c}" for c, p in CONFIG_MODEL_PRESET.items())
        + f", else {DEFAULT_PRESET})",
    )
    run_group.add_argument(
        "--device",
        default="auto",
        choices=("auto", "cpu", "cuda"),
        help="auto: every GPU if any, else the CPU (default: auto)",
    )
    run_group.add_argument(
        "--time-budget",
        type=positive_float,
        metavar="SECONDS",
        help="wall-clock budget of the whole run, counted from process start; work per task "
        "is scaled to fit it (default: none, every task gets the full configured work)",
    )
    run_group.add_argument(
        "--fresh",
        action="store_true",
        help="start over: ignore the journal of an earlier run in --out and remove its reports",
    )
    run_group.add_argument("--quiet", action="store_true", help="only warnings and the score")
    solve = parser.add_argument_group("solver settings (override --config)")
    solve.add_argument(
        "--config",
        default="full",
        choices=sorted(SOLVE_PRESETS),
        help="settings preset: full (a GPU run) or cpu-smoke (a quick check of the whole pipeline "
        "with the tiny model; its answers mean nothing) (default: full)",
    )
    solve.add_argument(
        "--experts",
        type=expert_list,
        metavar="search,trm",
        help=f"who answers, comma-separated; {preset_defaults('experts')}, except that the "
        "program search answers alone when no pretrained weights are found (an untrained TRM "
        "answers noise)",
    )
    solve.add_argument(
        "--search-seconds",
        type=positive_float,
        metavar="SECONDS",
        help=f"program search time cap per task; {preset_defaults('search_seconds')}",
    )
    solve.add_argument(
        "--search-depth",
        type=positive_int,
        metavar="N",
        help=f"longest program the search builds, in transforms; {preset_defaults('search_depth')}",
    )
    solve.add_argument(
        "--finetune-steps",
        type=non_negative_int,
        metavar="N",
        help=f"fine-tuning optimizer steps per task, 0 for none; {preset_defaults('finetune_steps')}",
    )
    solve.add_argument(
        "--finetune-batch",
        type=positive_int,
        metavar="N",
        help=f"samples per fine-tuning step; {preset_defaults('finetune_batch')}",
    )
    solve.add_argument(
        "--finetune-lr",
        type=positive_float,
        metavar="LR",
        help=f"AdamW learning rate of the shared weights; {preset_defaults('finetune_lr')}",
    )
    solve.add_argument(
        "--embedding-lr",
        type=positive_float,
        metavar="LR",
        help=f"SignSGD learning rate of the task embeddings; {preset_defaults('embedding_lr')}",
    )
    solve.add_argument(
        "--loss", choices=TOKEN_LOSSES, help=f"token cross-entropy of fine-tuning; {preset_defaults('loss')}"
    )
    solve.add_argument(
        "--tune",
        choices=TUNABLE_PARAMETER_SETS,
        help=f"which parameters fine-tuning moves besides the embeddings; {preset_defaults('tune')}",
    )
    solve.add_argument(
        "--augmentations",
        dest="n_augmentations",
        type=positive_int,
        metavar="N",
        help=f"augmented passes per test input (and task embeddings); {preset_defaults('n_augmentations')}",
    )
    solve.add_argument(
        "--inference-batch",
        type=positive_int,
        metavar="N",
        help=f"samples per inference batch; {preset_defaults('inference_batch')}",
    )
    solve.add_argument(
        "--inference-sup-steps",
        type=positive_int,
        metavar="N",
        help="supervision steps per inference pass, capped by the model's depth (halt_max_steps); "
        f"{preset_defaults('inference_sup_steps')} (None: the model's depth)",
    )
    solve.add_argument(
        "--inference-early-stop",
        action="store_true",
        default=None,
        help="stop a sample once its halting logit is positive and its answer stopped changing; "
        f"{preset_defaults('inference_early_stop')}",
    )
    solve.add_argument(
        "--seed", type=seed_value, help=f"seed of every random draw (augmentations, batches); {preset_defaults('seed')}"
    )
    return parser


SOLVE_OVERRIDES = (
    "experts",
    "search_seconds",
    "search_depth",
    "finetune_steps",
    "finetune_batch",
    "finetune_lr",
    "embedding_lr",
    "loss",
    "tune",
    "n_augmentations",
    "inference_batch",
    "inference_sup_steps",
    "inference_early_stop",
    "seed",
)


def solve_config(args: argparse.Namespace) -> SolveConfig:
    changes = {name: getattr(args, name) for name in SOLVE_OVERRIDES if getattr(args, name) is not None}
    return dataclasses.replace(SOLVE_PRESETS[args.config], **changes)


def resolve_devices(choice: str, experts: tuple[str, ...]) -> list[str]:
    """One worker per GPU; the program search alone needs no GPU and takes one worker per CPU core."""
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if choice == "cuda" and gpus == 0:
        raise ConfigError("--device cuda: no CUDA GPU is visible")
    if "trm" not in experts:
        return ["cpu"] * max(1, os.cpu_count() or 1)
    if choice == "cpu" or gpus == 0:
        return ["cpu"]
    return [f"cuda:{i}" for i in range(gpus)]


def model_preset_name(args: argparse.Namespace) -> str:
    """--preset, else the one --config implies (cpu-smoke: tiny), else the default."""
    return args.preset or CONFIG_MODEL_PRESET.get(args.config, DEFAULT_PRESET)


def prepare_out_dir(out: str) -> Path:
    """Create the output folder; a path that is (or is under) a file is the user's mistake."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutDirError(f"--out {out}: exists and is not a folder") from None
    except NotADirectoryError:
        raise OutDirError(f"--out {out}: a part of the path is a file, not a folder") from None
    except OSError as error:
        raise OutDirError(f"--out {out}: cannot create the folder ({error.strerror})") from None
    return path


class OutDirError(Exception):
    """--out cannot be used as the output folder."""


def resolve_weights(path: str | None, preset: str) -> tuple[str | None, str | None, str, ModelConfig]:
    """(weights path or None for the untrained init, expected sha256, a label for reports, the model's shape)."""
    if path is None and DEFAULT_WEIGHTS.exists():
        path = str(DEFAULT_WEIGHTS)
    if path is None:
        return None, None, f"untrained {preset}", model_preset(preset)
    if not Path(path).is_file():
        raise WeightsError(f"weights {path}: no such file")
    metadata = read_metadata(Path(path))
    try:
        model_cfg = ModelConfig.from_json(metadata.get("config", ""))
    except (ConfigError, TypeError) as error:
        raise WeightsError(f"weights {path}: no usable model config in the metadata ({error})") from None
    return path, expected_sha256(Path(path)), str(path), model_cfg


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    """Run the command line; returns the exit code.

    `started` (time.monotonic()) is when the process started: the time budget counts from
    it (build_submission.py passes it). None: from now, for a call from other Python code.
    """
    started = time.monotonic() if started is None else started
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    try:
        return solve_command(args, started)
    except KeyboardInterrupt:
        # The submission and journal on disk are complete up to the last finished task.
        again = "the same command again, without --fresh," if args.fresh else "the same command again"
        print(
            f"interrupted; run {again} to resume from {Path(args.out) / 'journal.jsonl'} "
            "(or with --fresh to start over)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


def solve_command(args: argparse.Namespace, started: float) -> int:
    preset = model_preset_name(args)
    try:
        source = load_source(args.tasks, args.solutions)
        task_ids = [t.strip() for t in args.task_ids.split(",") if t.strip()] if args.task_ids else None
        tasks = select_tasks(source.tasks, task_ids, args.limit)
        cfg = solve_config(args)
        out_dir = prepare_out_dir(args.out)
        weights_path, weights_sha, weights_label, model_cfg = resolve_weights(args.weights, preset)
        if weights_path is None and args.experts is None:
            cfg = dataclasses.replace(cfg, experts=("search",))
            log.warning(
                "no pretrained weights: the program search answers alone (an untrained TRM answers "
                "noise); --experts search,trm runs the untrained TRM beside it"
            )
        elif weights_path is None and "trm" in cfg.experts:
            log.warning(
                "no pretrained weights in weights/: the TRM is an UNTRAINED %s initialisation (fixed "
                "seed); expect its answers to be noise",
                preset,
            )
        devices = resolve_devices(args.device, cfg.experts)
    except (TaskError, WeightsError, ConfigError, OutDirError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    seed_everything(cfg.seed)
    log.info(
        "%d tasks from %s on %s; experts: %s; weights: %s",
        len(tasks),
        source.name,
        ", ".join(devices),
        ", ".join(cfg.experts),
        weights_label if "trm" in cfg.experts else "not used",
    )
    describe_settings(args.config, cfg, model_cfg, devices, args.time_budget)
    opts = RunOptions(
        out_dir=out_dir,
        devices=devices,
        weights_path=weights_path,
        weights_sha256=weights_sha,
        weights_label=weights_label,
        preset=preset,
        solve=cfg,
        time_budget=args.time_budget,
        fresh=args.fresh,
        started=started,
    )
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
    invalid = [t for t in tasks if isinstance(t, InvalidTask)]
    if len(invalid) == len(tasks):
        # Nothing could be solved: the file holds only fallbacks. It is written (so nothing of an
        # earlier run looks current), but the run did not do its job: say so with exit code 2.
        print(
            f"error: none of the {len(tasks)} tasks is valid (first: task {display_id(invalid[0].id)}: "
            f"{invalid[0].reason}); the submission holds fallback attempts only",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return 0


def describe_settings(
    config: str, cfg: SolveConfig, model_cfg: ModelConfig, devices: list[str], time_budget: float | None
) -> None:
    """One line of what each task will get, and a warning when that is hours on a CPU."""
    if "search" in cfg.experts:
        log.info(
            "program search: programs of up to %d transforms, at most %.0f s per task%s",
            cfg.search_depth,
            cfg.search_seconds,
            " (less where --time-budget says so)" if time_budget else "",
        )
    if "trm" not in cfg.experts:
        return
    log.info(
        "settings (--config %s): %d fine-tuning steps of batch %d, %d augmentations x %d supervision "
        "steps per test input%s",
        config,
        cfg.finetune_steps,
        cfg.finetune_batch,
        cfg.n_augmentations,
        cfg.sup_steps_for(model_cfg.halt_max_steps),
        "; scaled down to fit --time-budget" if time_budget else "",
    )
    if cfg.finetune_steps == 0:
        log.info("fine-tuning is off (--finetune-steps 0): every task is answered by the base model as it is")
    full_size = model_cfg.hidden_size >= SMALL_MODEL_HIDDEN
    if devices == ["cpu"] and full_size and time_budget is None:
        log.warning(
            "a %d-wide model on the CPU without --time-budget: expect minutes to hours per task "
            "(docs/RESULTS.md); add --time-budget, or --config cpu-smoke for a quick check of the "
            "pipeline with the tiny model",
            model_cfg.hidden_size,
        )
