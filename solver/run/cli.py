"""Command line of the solver: `python build_submission.py --tasks ... [options]`.

Every bad input (file, dataset name, option value, weights, output folder) ends in one
line on stderr and exit code 2, before any worker starts; no traceback. Only the errors
that mean bad input are caught (TaskError, WeightsError, ConfigError, OutDirError):
anything else is a bug and keeps its traceback. The solver settings' options are derived
from SolveConfig (solver.run.flags). Ctrl-C is one line and exit code 130; SIGTERM the
same with 143 (solver.run.interrupts).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import torch

from solver.arc.submission import expected_slots, validate_submission
from solver.arc.tasks import (
    DATASETS,
    AnyTask,
    InvalidTask,
    TaskError,
    TaskSource,
    display_id,
    load_source,
    select_tasks,
)
from solver.config import SEARCH, SOLVE_PRESETS, TRM, SolveConfig
from solver.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_USAGE
from solver.run.flags import add_setting_options, changed_settings, positive_float, positive_int
from solver.run.interrupts import exit_code, what_stopped
from solver.run.journal import JournalMismatch
from solver.run.progress import counted
from solver.run.supervisor import RunOptions, RunResult, run
from solver.seeding import seed_everything
from solver.settings import ConfigError
from solver.trm.config import MODEL_PRESETS, ModelConfig, model_preset
from solver.trm.weights import (
    DEFAULT_PRESET,
    DEFAULT_WEIGHTS,
    WeightsError,
    carries_embedding_std,
    expected_sha256,
    read_metadata,
)

log = logging.getLogger("solver")
SMALL_MODEL_HIDDEN = 256  # below this width a model runs in seconds per task on a CPU (the tiny preset is 32)


class UnbrokenNamesFormatter(argparse.HelpFormatter):
    """--help wrapped between words only: `cpu-smoke` and `trm-base.safetensors` stay whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class OutDirError(Exception):
    """--out cannot be used as the output folder."""


# --config presets that imply a model preset when neither --preset nor --weights says otherwise.
CONFIG_MODEL_PRESET = {"cpu-smoke": "tiny"}


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="build_submission.py",
        formatter_class=UnbrokenNamesFormatter,
        description="Answer ARC tasks with a program search and a per-task fine-tuned TRM, write submission.json.",
        epilog=f"Exit codes: 0 done; {EXIT_USAGE} bad input (one line on stderr), also when no task in the tasks "
        f"file is valid (a fallback submission is still written); {EXIT_INTERRUPTED} interrupted (Ctrl-C) or "
        f"{EXIT_TERMINATED} terminated (SIGTERM): run the same command again to resume, add --fresh to start over.",
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
        help=f"safetensors checkpoint (default: weights/{DEFAULT_WEIGHTS.name} if shipped; with none, the "
        "program search answers alone, unless --experts includes trm: then an untrained --preset model)",
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
        help="wall-clock budget of the whole run, counted from the interpreter's start; work per task "
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
        help="settings preset: full (a GPU run), cpu-smoke (a quick check of the whole pipeline "
        "with the tiny model; its answers mean nothing), nvarc or trelis (those teams' published "
        "test-time recipes, for their bases: README, 'Which base to use') (default: full)",
    )
    add_setting_options(solve, SolveConfig, SOLVE_PRESETS, "--config")
    return parser


def solve_config(args: argparse.Namespace) -> SolveConfig:
    """The --config preset with every solver setting given on the command line."""
    return dataclasses.replace(SOLVE_PRESETS[args.config], **changed_settings(args, SolveConfig))


def resolve_devices(choice: str, experts: tuple[str, ...]) -> list[str]:
    """One worker per GPU; the program search alone needs no GPU and takes one worker per CPU core."""
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if choice == "cuda" and gpus == 0:
        raise ConfigError("--device cuda: no CUDA GPU is visible")
    if TRM not in experts:
        return ["cpu"] * max(1, os.cpu_count() or 1)
    if choice == "cpu" or gpus == 0:
        return ["cpu"]
    return [f"cuda:{i}" for i in range(gpus)]


def describe_workers(devices: list[str]) -> str:
    """Where the workers run, e.g. `2 workers on the CPU (one per core)` or `2 workers (cuda:0, cuda:1)`."""
    if set(devices) == {"cpu"}:
        return counted(len(devices), "worker") + " on the CPU" + (" (one per core)" if len(devices) > 1 else "")
    return f"{counted(len(devices), 'worker')} ({', '.join(devices)})"


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


def resolve_weights(path: str | None, preset: str) -> tuple[str | None, str | None, str, ModelConfig]:
    """(weights path or None for the untrained init, expected sha256, a label for reports, the model's shape)."""
    if path is None and DEFAULT_WEIGHTS.exists():
        path = str(DEFAULT_WEIGHTS)
    if path is None:
        return None, None, f"untrained {preset}", model_preset(preset)
    if Path(path).is_dir():
        raise WeightsError(f"weights {path}: a folder; give the .safetensors file inside it")
    if not Path(path).is_file():
        raise WeightsError(f"weights {path}: no such file")
    metadata = read_metadata(Path(path))
    try:
        model_cfg = ModelConfig.from_json(metadata.get("config", ""))
    except (ConfigError, TypeError) as error:
        raise WeightsError(f"weights {path}: no usable model config in the metadata ({error})") from None
    return path, expected_sha256(Path(path)), str(path), model_cfg


@dataclass
class Prepared:
    """Everything a run needs, checked: the tasks, their source, the model's shape and the run's options."""

    source: TaskSource
    tasks: list[AnyTask]
    model_cfg: ModelConfig
    options: RunOptions


def prepare(args: argparse.Namespace, started: float) -> Prepared:
    """Read and check every input; raises TaskError, WeightsError, ConfigError or OutDirError."""
    preset = model_preset_name(args)
    source = load_source(args.tasks, args.solutions)
    task_ids = None
    if args.task_ids is not None:
        task_ids = [t.strip() for t in args.task_ids.split(",") if t.strip()]
        if not task_ids:  # not "every task": the user meant some, and named none
            raise ConfigError(f"--task-ids {args.task_ids!r}: no task id in it")
    tasks = select_tasks(source.tasks, task_ids, args.limit)
    cfg = solve_config(args)
    out_dir = prepare_out_dir(args.out)
    weights_path, weights_sha, weights_label, model_cfg = resolve_weights(args.weights, preset)
    if weights_path is None and args.experts is None:
        cfg = dataclasses.replace(cfg, experts=(SEARCH,))
        log.warning(
            "no pretrained weights: the program search answers alone (an untrained TRM answers "
            "noise); --experts search,trm runs the untrained TRM beside it"
        )
    elif weights_path is None and TRM in cfg.experts:
        log.warning(
            "no pretrained weights in weights/: the TRM is an UNTRAINED %s initialisation (fixed "
            "seed); expect its answers to be noise",
            preset,
        )
    if TRM in cfg.experts and cfg.embedding_init == "mean+noise" and not carries_embedding_std(weights_path):
        raise ConfigError(
            f"--embedding-init mean+noise: {weights_label} carries no task-embedding std to draw noise with "
            "(weights converted or exported before it was stored: convert them again)"
        )
    options = RunOptions(
        out_dir=out_dir,
        devices=resolve_devices(args.device, cfg.experts),
        weights_path=weights_path,
        weights_sha256=weights_sha,
        weights_label=weights_label,
        preset=preset,
        solve=cfg,
        time_budget=args.time_budget,
        fresh=args.fresh,
        started=started,
    )
    return Prepared(source, tasks, model_cfg, options)


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    """Run the command line; returns the exit code.

    `started` (time.monotonic()) is when the interpreter started: the time budget counts
    from it (build_submission.py passes it). None: from now, for a call from other Python code.
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
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (solver.run.interrupts)
        # The submission and journal on disk are complete up to the last finished task.
        again = "the same command again, without --fresh," if args.fresh else "the same command again"
        print(
            f"{what_stopped(interrupt)}; run {again} to resume from {Path(args.out) / 'journal.jsonl'} "
            "(or with --fresh to start over)",
            file=sys.stderr,
        )
        return exit_code(interrupt)


def usage_error(problem: Exception | str) -> int:
    print(f"error: {problem}", file=sys.stderr)
    return EXIT_USAGE


def solve_command(args: argparse.Namespace, started: float) -> int:
    try:
        prepared = prepare(args, started)
    except (TaskError, WeightsError, ConfigError, OutDirError) as error:
        return usage_error(error)
    opts, tasks = prepared.options, prepared.tasks
    seed_everything(opts.solve.seed)
    log.info(
        "%s from %s on %s; experts: %s; weights: %s",
        counted(len(tasks), "task"),
        prepared.source.name,
        describe_workers(opts.devices),
        ", ".join(opts.solve.experts),
        opts.weights_label if TRM in opts.solve.experts else "not used",
    )
    describe_settings(args.config, opts.solve, prepared.model_cfg, opts.devices, opts.time_budget)
    try:
        result = run(tasks, prepared.source.solutions, opts)
    except JournalMismatch as error:
        return usage_error(error)
    return report_result(tasks, result)


def report_result(tasks: list[AnyTask], result: RunResult) -> int:
    """Print what was written and the score; the exit code (2 when no task could be solved)."""
    problems = validate_submission(json.loads(result.submission_path.read_text()), expected_slots(tasks))
    if problems:  # cannot happen by construction; say so loudly if it ever does
        print(f"error: the written submission is invalid: {problems[0]}", file=sys.stderr)
        return 1
    print(f"wrote {result.submission_path} ({counted(len(tasks), 'task')}) and {result.report_path}")
    if result.score is not None:
        per_task = counted(len(result.score.per_task), "task")
        print(f"per-task average: {result.score.per_task_average:.4f} ({per_task})")
        print(result.score.summary_line())
    invalid = [t for t in tasks if isinstance(t, InvalidTask)]
    if len(invalid) == len(tasks):
        # Nothing could be solved: the file holds only fallbacks. It is written (so nothing of an
        # earlier run looks current), but the run did not do its job: say so with exit code 2.
        none_valid = "the one task is not valid" if len(tasks) == 1 else f"none of the {len(tasks)} tasks is valid"
        return usage_error(
            f"{none_valid} (first: task {display_id(invalid[0].id)}: {invalid[0].reason}); "
            "the submission holds fallback attempts only"
        )
    return 0


def describe_settings(
    config: str, cfg: SolveConfig, model_cfg: ModelConfig, devices: list[str], time_budget: float | None
) -> None:
    """One line of what each task will get, and a warning when that is hours on a CPU."""
    if SEARCH in cfg.experts:
        log.info(
            "program search: programs of up to %d transforms, at most %.0f s per task%s",
            cfg.search_depth,
            cfg.search_seconds,
            " (less where --time-budget says so)" if time_budget else "",
        )
    if TRM not in cfg.experts:
        return
    run_model = cfg.recursion(model_cfg)
    log.info(
        "settings (--config %s): %d fine-tuning steps of batch %d to %d supervision steps, %d augmentations x %d "
        "supervision steps per test input, H_cycles %d, L_cycles %d%s",
        config,
        cfg.finetune_steps,
        cfg.finetune_batch,
        run_model.halt_max_steps,
        cfg.n_augmentations,
        cfg.sup_steps_for(run_model.inference_depth),
        run_model.h_cycles,
        run_model.l_cycles,
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
