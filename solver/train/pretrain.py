"""Resumable pretraining of the TRM on public ARC training data: `python -m solver.train.pretrain`.

A run is a series of short pieces (a device command lasts at most 10 minutes): each
piece trains until `--minutes` of wall clock are nearly spent, validates, writes a
checkpoint into `--out` and appends its rows to `--out`/log.csv; the next piece
starts from it with `--resume`. Everything random is a function of (seed, step, rank)
(see solver.train.batches), so a resumed run replays the data order exactly, and
with the optimizer moments in the checkpoint it is bitwise the uninterrupted run on
CPU. When the moments do not fit the checkpoint budget (trm-7m) they are dropped and
the resumed run restarts them with a short learning-rate re-warm (docs/PRETRAINING.md).

Training is TRM's deep supervision: one persistent carry of samples in flight per
canvas size (solver.trm.carry); each step picks a size, advances its samples by one
supervision step and takes one optimizer step; halted samples are replaced by the
step's fresh ones. The carries are per-piece state: saved in the checkpoint when they
fit beside the essentials and moments in a single-process run (the tiny preset: the
resume stays bitwise), otherwise a resumed piece starts every carry afresh (trm-7m,
whose carries are hundreds of MB, and DDP runs): deterministic, at the cost of
cutting the trajectories in flight short once per piece.

Several devices: `torchrun --nproc_per_node=N -m solver.train.pretrain ...` (DDP; NCCL on
CUDA, gloo on CPU). Every rank draws its own samples of a shared canvas size; the
task-embedding rows, which live outside the module, are updated identically on every
rank from the all-gathered row gradients.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from solver.exit_codes import EXIT_USAGE
from solver.provenance import git_commit
from solver.seeding import seed_everything, stable_hash
from solver.settings import ConfigError
from solver.train.batches import Batch, PretrainBatches
from solver.train.checkpoint import MiB
from solver.train.config import PretrainConfig, pretrain_config
from solver.train.data import PretrainSplit, build_split
from solver.train.distributed import Distributed
from solver.train.log import append_row
from solver.train.state import TrainingState, checkpoint_bytes, fresh_state, keeps_moments, load_state, save_state
from solver.trm.carry import SupervisionCarry
from solver.trm.codec import IGNORE_LABEL
from solver.trm.config import model_preset
from solver.trm.model import TRM, autocast
from solver.trm.objectives import exact_answers, lr_factor, sign_sgd_rows, supervision_loss

log = logging.getLogger(__name__)

CHECKPOINT_DIR = "checkpoint"
LOG_FILE = "log.csv"
MIN_RESERVE_S = 1.0  # kept back from --minutes beyond the measured cost of the final validation and save
RESERVE_FACTOR = 1.5
SAVE_SECONDS_PER_MIB = 0.02  # a cautious 50 MiB/s to write and hash the checkpoint


def padded_embedding(rows: torch.Tensor, prefix_len: int) -> torch.Tensor:
    """(B, D) table rows -> (B, prefix_len, D) prefix, rows at position 0 and zeros after (TRM's layout).

    One D-vector per (task, augmentation) keeps the table small enough for the checkpoint;
    fine-tuning then starts all prefix positions from the mean prefix.
    """
    prefix = rows.new_zeros(rows.shape[0], prefix_len, rows.shape[1])
    prefix[:, 0] = rows
    return prefix


def learning_rate_scale(state: TrainingState, cfg: PretrainConfig) -> float:
    scale = lr_factor(state.step, cfg.total_steps)
    if state.rewarm_start is not None and cfg.rewarm_steps:
        scale *= min(1.0, (state.step - state.rewarm_start + 1) / cfg.rewarm_steps)
    return scale


def train_step(
    state: TrainingState,
    model: nn.Module,
    data: PretrainBatches,
    cfg: PretrainConfig,
    distributed: Distributed,
    device: torch.device,
) -> float:
    """One optimizer step: the samples in flight on this step's canvas size advance one supervision step.

    Their halted rows are first refilled with the same rows of the step's batch
    (solver.train.batches); returns the loss.
    """
    side = data.side_at(state.step)
    if side not in state.carries:
        state.carries[side] = SupervisionCarry(data.batch_sizes[side], state.model.cfg.halt_max_steps, device)
    flight = state.carries[side]
    needed = flight.needed()
    fresh = data.batch(state.step, distributed.rank, keep=needed).to(device)
    explore = np.random.default_rng(stable_hash(cfg.seed, "pretrain-explore", state.step, distributed.rank))
    flight.refill(state.model, fresh.rows, fresh.tokens, fresh.labels, explore)
    scale = learning_rate_scale(state, cfg)
    for group in state.optimizer.param_groups:
        group["lr"] = cfg.lr * scale
    task_embedding = padded_embedding(state.table[flight.rows], state.model.cfg.prefix_len).requires_grad_(True)
    with autocast(device):
        carry, logits, halt = model(flight.tokens, task_embedding, flight.state)
        loss = supervision_loss(logits, halt, flight.labels, cfg.loss)
    loss.backward()
    with torch.no_grad():
        assert task_embedding.grad is not None
        row_grads = distributed.gather(task_embedding.grad[:, 0])  # (world * B, D)
        sign_sgd_rows(
            state.table,
            distributed.gather(flight.rows),
            row_grads,
            cfg.embedding_lr * scale,
            cfg.embedding_weight_decay,
        )
    torch.nn.utils.clip_grad_norm_(state.model.parameters(), cfg.grad_clip)
    state.optimizer.step()
    state.optimizer.zero_grad(set_to_none=True)
    with torch.no_grad():
        ema_params: list[torch.Tensor] = list(state.ema.parameters())
        params: list[torch.Tensor] = list(state.model.parameters())
        torch._foreach_lerp_(ema_params, params, 1.0 - cfg.ema_decay)
    flight.advance(carry, halt)
    state.step += 1
    state.samples += distributed.sum(len(needed), device)
    return float(loss.detach())


@torch.no_grad()
def evaluate(model: TRM, table: torch.Tensor, batches: list[Batch], device: torch.device, loss: str) -> dict:
    """Metrics after the model's full depth (`halt_max_steps` supervision steps from a fresh carry, as inference).

    Loss, token accuracy (over non-PAD cells), exact-grid accuracy, and halting accuracy:
    how often "halting logit > 0" agrees with "the answer is exactly right".
    """
    model.eval()
    loss_sum = correct_cells = cells = exact = halt_right = pairs = 0.0
    for batch in batches:
        batch = batch.to(device)
        with autocast(device):
            task_embedding = padded_embedding(table[batch.rows], model.cfg.prefix_len)
            carry = None
            for _ in range(model.cfg.halt_max_steps):
                carry, logits, halt = model(batch.tokens, task_embedding, carry)
        valid = batch.labels != IGNORE_LABEL
        hit = logits.argmax(-1) == batch.labels
        right = exact_answers(logits, batch.labels)
        loss_sum += float(supervision_loss(logits, halt, batch.labels, loss)) * len(batch.rows)
        correct_cells += float((hit & valid).sum())
        cells += float(valid.sum())
        exact += float(right.sum())
        halt_right += float(((halt > 0) == right).sum())
        pairs += len(batch.rows)
    return {
        "val_loss": loss_sum / pairs,
        "val_token_acc": correct_cells / cells,
        "val_exact_acc": exact / pairs,
        "val_halt_acc": halt_right / pairs,
    }


def pretrain_batches(cfg: PretrainConfig, split: PretrainSplit) -> PretrainBatches:
    model = model_preset(cfg.model)
    return PretrainBatches(
        split,
        cfg.augmentations_per_task,
        cfg.batch_tokens,
        cfg.max_batch,
        model.prefix_len,
        cfg.seed,
        cfg.translate,
        model.canvas,
    )


def starting_state(
    cfg: PretrainConfig,
    out: Path,
    resume: Path | None,
    split: PretrainSplit,
    data: PretrainBatches,
    distributed: Distributed,
    device: torch.device,
) -> TrainingState:
    """A fresh state, or the previous piece's (whose log this piece's rows then continue in `out`)."""
    if resume is None:
        if (out / CHECKPOINT_DIR).exists():
            raise ConfigError(f"{out} already holds a checkpoint: pass --resume {out} to continue it")
        return fresh_state(cfg, data.num_rows, device)
    state = load_state(resume / CHECKPOINT_DIR, cfg, split, device)
    if distributed.main and resume.resolve() != out.resolve() and (resume / LOG_FILE).exists():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(resume / LOG_FILE, out / LOG_FILE)
    return state


def wrapped_model(
    model: TRM, distributed: Distributed, device: torch.device, compile_model: bool, n_sides: int
) -> nn.Module:
    """The module the training steps call: DDP across ranks, compiled on request."""
    wrapped: nn.Module = model
    if distributed.world > 1:
        device_ids = [device.index] if device.type == "cuda" else None
        wrapped = nn.parallel.DistributedDataParallel(wrapped, device_ids=device_ids)
    if compile_model:
        # One graph per canvas size, with and without a carry: allow them all.
        torch._dynamo.config.recompile_limit = max(torch._dynamo.config.recompile_limit, 4 * n_sides)
        wrapped = torch.compile(wrapped)  # type: ignore[assignment]  # a module wrapper
    return wrapped


class Piece:
    """One piece of a run: steps until the wall-clock budget or the stop step, validating on the way.

    Each validation evaluates the EMA weights and appends a row to OUT/log.csv with the mean
    training loss since the previous row.
    """

    def __init__(
        self,
        cfg: PretrainConfig,
        out: Path,
        state: TrainingState,
        model: nn.Module,
        data: PretrainBatches,
        distributed: Distributed,
        device: torch.device,
        start: float,
    ):
        self.cfg, self.out, self.state, self.model, self.data = cfg, out, state, model, data
        self.distributed, self.device, self.start = distributed, device, start
        self.run_id = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:6]}"
        self.val_batches = data.validation_batches()
        self.train_losses: list[float] = []  # since the last validation
        self.first_val: dict[str, float] | None = None  # where this piece started

    def validate(self) -> float:
        """Evaluate and log (on the main rank); returns the seconds it took."""
        began = time.monotonic()
        state, cfg = self.state, self.cfg
        if self.distributed.main:
            state.val = evaluate(state.ema, state.table, self.val_batches, self.device, cfg.loss)
            seconds = state.device_seconds + (time.monotonic() - self.start) * self.distributed.world
            losses = self.train_losses
            append_row(
                self.out / LOG_FILE,
                {
                    "run_id": self.run_id,
                    "step": state.step,
                    "samples": state.samples,
                    "device_seconds": round(seconds, 2),
                    "train_loss": sum(losses) / len(losses) if losses else None,
                    "lr": cfg.lr * learning_rate_scale(state, cfg),
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    **state.val,
                },
            )
            log.info("step %d samples %d val %s", state.step, state.samples, state.val)
        self.train_losses.clear()
        return time.monotonic() - began

    def run(self, stop_step: int, budget_s: float) -> None:
        """Train until `stop_step`, or until the next step would leave too little time to close the piece."""
        state = self.state
        # Validating first logs where this piece starts and measures what closing the piece will cost.
        closing_s = self.validate() + SAVE_SECONDS_PER_MIB * sum(checkpoint_bytes(state)) / MiB
        self.first_val = state.val
        last_validated = state.step
        step_s = 0.0  # slowest step of this piece, not counting the first of each canvas size (compilation)
        sides_seen: set[int] = set()
        state.model.train()
        while state.step < stop_step:
            remaining = budget_s - (time.monotonic() - self.start)
            if self.distributed.any(remaining < step_s + RESERVE_FACTOR * closing_s + MIN_RESERVE_S, self.device):
                break
            began = time.monotonic()
            side = self.data.side_at(state.step)
            self.train_losses.append(train_step(state, self.model, self.data, self.cfg, self.distributed, self.device))
            if side in sides_seen:
                step_s = max(step_s, time.monotonic() - began)
            sides_seen.add(side)
            if state.step % self.cfg.eval_every == 0:
                closing_s = max(closing_s, self.validate())
                last_validated = state.step
        if last_validated != state.step or state.val is None:
            self.validate()

    def close(self, split: PretrainSplit) -> list[Path]:
        """Check the ranks agree, then save the checkpoint (main rank); returns the files written."""
        state, distributed = self.state, self.distributed
        state.device_seconds += (time.monotonic() - self.start) * distributed.world
        distributed.check_in_sync([state.table, *state.model.parameters(), *state.ema.parameters()])
        files: list[Path] = []
        if distributed.main:
            directory = self.out / CHECKPOINT_DIR
            files = save_state(state, self.cfg, split, directory, single_process=distributed.world == 1)
        if distributed.world > 1:
            dist.barrier()
            dist.destroy_process_group()
        return files


def train(
    cfg: PretrainConfig,
    out: Path,
    device: torch.device,
    minutes: float,
    resume: Path | None = None,
    until_step: int | None = None,
    compile_model: bool = False,
    commit: str | None = None,
    split: PretrainSplit | None = None,
) -> dict[str, Any]:
    """Train one piece; returns a summary. `until_step` stops at that global step (tests, fixed-length runs)."""
    start = time.monotonic()
    distributed = Distributed.from_environment(device.type)
    if device.type == "cuda":
        device = torch.device("cuda", distributed.local_rank)
        torch.cuda.set_device(device)
    out = Path(out)
    split = split or build_split()
    data = pretrain_batches(cfg, split)
    state = starting_state(cfg, out, None if resume is None else Path(resume), split, data, distributed, device)
    state.commits = (*state.commits, commit or git_commit() or "unknown")
    keeps_moments(state)  # fail now, not after ten minutes, if the checkpoint cannot fit
    model = wrapped_model(state.model, distributed, device, compile_model, len(data.bucket_sides))
    piece = Piece(cfg, out, state, model, data, distributed, device, start)
    stop_step = cfg.total_steps if until_step is None else min(until_step, cfg.total_steps)
    piece.run(stop_step, minutes * 60.0)
    files = piece.close(split)
    return {
        "step": state.step,
        "samples": state.samples,
        "device_seconds": round(state.device_seconds, 2),
        "first_val": piece.first_val,
        "val": state.val,
        "out": str(out),
        "files": [str(f) for f in files],
    }


def parse_args(argv: list[str] | None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="python -m solver.train.pretrain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="trm-7m", help="pretraining preset (trm-7m, tiny)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="override a PretrainConfig field, e.g. --set total_steps=5000 (same on every resume)",
    )
    parser.add_argument("--out", type=Path, required=True, help="run directory: checkpoint/ and log.csv")
    parser.add_argument("--resume", type=Path, help="run directory of the previous piece")
    parser.add_argument("--minutes", type=float, required=True, help="wall-clock limit of this piece")
    parser.add_argument("--until-step", type=int, help="stop at this global step")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the supervision step: one compilation per canvas size (8), with and "
        "without a carry, minutes in all, so only for long pieces",
    )
    parser.add_argument("--commit", help="git commit of the code, where the tree has no .git")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (1 is fastest for the tiny preset)")
    return parser, parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    parser, args = parse_args(argv)
    try:
        cfg = pretrain_config(args.preset, args.set)
        device = torch.device(args.device)
        if args.threads:
            torch.set_num_threads(args.threads)
        seed_everything(cfg.seed)
        summary = train(cfg, args.out, device, args.minutes, args.resume, args.until_step, args.compile, args.commit)
    except ConfigError as error:  # a bad setting, or a --resume that does not match them: one line
        parser.exit(EXIT_USAGE, f"error: {error}\n")
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
