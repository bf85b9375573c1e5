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
import copy
import dataclasses
import json
import logging
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from solver.provenance import git_commit
from solver.seeding import seed_everything, stable_hash
from solver.train.batches import Batch, PretrainBatches
from solver.train.checkpoint import MAX_TOTAL_BYTES, MiB, load_checkpoint, save_checkpoint, tensor_bytes
from solver.train.config import PretrainConfig, pretrain_preset
from solver.train.data import PretrainSplit, build_split
from solver.train.log import append_row
from solver.trm.carry import SupervisionCarry
from solver.trm.codec import IGNORE_LABEL
from solver.trm.config import model_preset
from solver.trm.model import TRM, autocast
from solver.trm.objectives import AdamATan2, exact_answers, lr_factor, sign_sgd_rows, supervision_loss
from solver.trm.weights import build_model, with_later_buffers

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


@dataclass
class Distributed:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_environment(cls, device_type: str) -> Distributed:
        """Joins the torchrun process group when WORLD_SIZE says there is one."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world == 1:
            return cls()
        dist.init_process_group(backend="nccl" if device_type == "cuda" else "gloo")
        return cls(dist.get_rank(), world, int(os.environ.get("LOCAL_RANK", "0")))

    def gather(self, tensor: torch.Tensor) -> torch.Tensor:
        """Concatenate equal-shaped tensors of every rank along dim 0."""
        if self.world == 1:
            return tensor
        parts = [torch.empty_like(tensor) for _ in range(self.world)]
        dist.all_gather(parts, tensor.contiguous())
        return torch.cat(parts)

    def check_in_sync(self, tensors: list[torch.Tensor]) -> None:
        """Raise unless every rank holds the same values (a cheap float64 checksum per tensor)."""
        if self.world == 1:
            return
        sums = torch.stack([t.detach().double().sum() for t in tensors])
        every = self.gather(sums[None])  # (world, tensors)
        if not torch.equal(every.amin(0), every.amax(0)):
            raise RuntimeError("DDP ranks diverged: model or task embeddings differ between ranks")

    def sum(self, value: int, device: torch.device) -> int:
        if self.world == 1:
            return value
        total = torch.tensor([value], device=device)
        dist.all_reduce(total)
        return int(total.item())

    def any(self, flag: bool, device: torch.device) -> bool:
        if self.world == 1:
            return flag
        value = torch.tensor([int(flag)], device=device)
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value.item())


@dataclass
class TrainingState:
    model: TRM
    ema: TRM  # exponential moving average of the model: what gets exported
    table: torch.Tensor  # (rows, D) float32 task embeddings, one row per (task, augmentation)
    optimizer: torch.optim.Optimizer
    step: int = 0
    samples: int = 0
    device_seconds: float = 0.0
    rewarm_start: int | None = None  # step of the last resume without optimizer moments
    commits: tuple[str, ...] = ()  # code versions of the pieces so far
    val: dict | None = None  # metrics of the last validation
    carries: dict[int, SupervisionCarry] = dataclasses.field(default_factory=dict)  # samples in flight per side


def make_optimizer(model: TRM, cfg: PretrainConfig, device: torch.device) -> torch.optim.Optimizer:
    return AdamATan2(model.parameters(), lr=cfg.lr, betas=cfg.betas, weight_decay=cfg.weight_decay)


def fresh_state(cfg: PretrainConfig, num_rows: int, device: torch.device) -> TrainingState:
    model = build_model(model_preset(cfg.model)).to(device)
    ema = copy.deepcopy(model).requires_grad_(False)
    table = torch.zeros(num_rows, model.cfg.hidden_size, device=device)  # TRM starts task embeddings at zero
    return TrainingState(model, ema, table, make_optimizer(model, cfg, device))


def moment_tensors(optimizer: torch.optim.Optimizer) -> dict[str, torch.Tensor]:
    return {
        f"adam/{i}/{key}": value for i, entry in optimizer.state_dict()["state"].items() for key, value in entry.items()
    }


def checkpoint_bytes(state: TrainingState) -> tuple[int, int]:
    """(bytes of model + EMA + table, bytes of the optimizer moments once they exist)."""
    essential = sum(
        tensor_bytes(t) for t in [*state.model.state_dict().values(), *state.ema.state_dict().values(), state.table]
    )
    # AdamATan2 keeps two float32 moments per parameter, plus a step count each.
    moments = sum(2 * tensor_bytes(p) + 4 for p in state.model.parameters())
    return essential, moments


def keeps_moments(state: TrainingState, budget: int = MAX_TOTAL_BYTES) -> bool:
    """Whether the optimizer moments fit the checkpoint beside the essentials; raises if not even those fit."""
    essential, moments = checkpoint_bytes(state)
    if essential > budget:
        raise ValueError(
            f"checkpoint needs {essential / MiB:.1f} MiB for model, EMA and task embeddings, "
            f"over the {budget / MiB:.0f} MiB budget: lower augmentations_per_task"
        )
    return essential + moments <= budget


def carry_tensors(state: TrainingState) -> dict[str, torch.Tensor]:
    return {
        f"carry/{side}/{name}": value
        for side, flight in sorted(state.carries.items())
        for name, value in flight.tensors().items()
    }


def state_tensors(state: TrainingState, with_moments: bool, with_carries: bool = False) -> dict[str, torch.Tensor]:
    tensors = {f"model/{k}": v for k, v in state.model.state_dict().items()}
    tensors.update({f"ema/{k}": v for k, v in state.ema.state_dict().items()})
    tensors["table"] = state.table
    if with_moments:
        tensors.update(moment_tensors(state.optimizer))
    if with_carries:
        tensors.update(carry_tensors(state))
    return tensors


def save_state(
    state: TrainingState,
    cfg: PretrainConfig,
    split: PretrainSplit,
    directory: Path,
    budget: int = MAX_TOTAL_BYTES,
    single_process: bool = True,
) -> list[Path]:
    """Write the checkpoint; the carries go in only with the moments, in a single-process run, and if they fit."""
    with_moments = keeps_moments(state, budget)
    essential, moments = checkpoint_bytes(state)
    carries = sum(tensor_bytes(t) for t in carry_tensors(state).values())
    with_carries = with_moments and single_process and essential + moments + carries <= budget
    meta = {
        "pretrain_config": cfg.to_dict(),
        "model_config": state.model.cfg.to_dict(),
        "step": state.step,
        "samples": state.samples,
        "device_seconds": state.device_seconds,
        "rewarm_start": state.rewarm_start,
        "commits": list(state.commits),
        "val": state.val,
        "data_sha256": split.digest,
        "optimizer_moments": with_moments,
        "carries": with_carries,
    }
    return save_checkpoint(directory, state_tensors(state, with_moments, with_carries), meta)


def load_state(directory: Path, cfg: PretrainConfig, split: PretrainSplit, device: torch.device) -> TrainingState:
    """Rebuild the training state of a checkpoint; a missing optimizer state starts a learning-rate re-warm."""
    tensors, meta = load_checkpoint(directory)
    if PretrainConfig.from_dict(meta["pretrain_config"]) != cfg:
        raise ValueError(
            f"checkpoint {directory} was trained with another pretraining config; "
            f"resume with the same preset and overrides"
        )
    if meta["data_sha256"] != split.digest:
        raise ValueError(f"checkpoint {directory} was trained on another data split")
    state = fresh_state(cfg, tensors["table"].shape[0], device)
    for prefix, module in (("model/", state.model), ("ema/", state.ema)):  # checkpoints may predate a buffer
        weights = {k.removeprefix(prefix): v for k, v in tensors.items() if k.startswith(prefix)}
        module.load_state_dict(with_later_buffers(weights, module), strict=True)
    state.table.copy_(tensors["table"])
    state.step, state.samples, state.device_seconds = meta["step"], meta["samples"], meta["device_seconds"]
    state.commits, state.val, state.rewarm_start = tuple(meta["commits"]), meta["val"], meta["rewarm_start"]
    if meta["optimizer_moments"]:
        moments: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith("adam/"):
                _, index, name = key.split("/")
                moments.setdefault(int(index), {})[name] = value
        optimizer_state = state.optimizer.state_dict()
        state.optimizer.load_state_dict({"state": moments, "param_groups": optimizer_state["param_groups"]})
    else:
        state.rewarm_start = state.step
    if meta.get("carries"):
        by_side: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith("carry/"):
                _, side_text, name = key.split("/")
                by_side.setdefault(int(side_text), {})[name] = value
        for side, values in by_side.items():
            flight = SupervisionCarry(values["rows"].shape[0], state.model.cfg.halt_max_steps, device)
            flight.load_tensors(values)
            state.carries[side] = flight
    return state


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
) -> dict:
    """Train one piece; returns a summary. `until_step` stops at that global step (tests, fixed-length runs)."""
    start = time.monotonic()
    distributed = Distributed.from_environment(device.type)
    if device.type == "cuda":
        device = torch.device("cuda", distributed.local_rank)
        torch.cuda.set_device(device)
    out = Path(out)
    split = split or build_split()
    data = PretrainBatches(
        split,
        cfg.augmentations_per_task,
        cfg.batch_tokens,
        cfg.max_batch,
        model_preset(cfg.model).prefix_len,
        cfg.seed,
        cfg.translate,
        model_preset(cfg.model).canvas,
    )
    if resume is None and (out / CHECKPOINT_DIR).exists():
        raise ValueError(f"{out} already holds a checkpoint: pass --resume {out} to continue it")
    if resume is not None:
        state = load_state(Path(resume) / CHECKPOINT_DIR, cfg, split, device)
        if distributed.main and Path(resume).resolve() != out.resolve() and (Path(resume) / LOG_FILE).exists():
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(resume) / LOG_FILE, out / LOG_FILE)
    else:
        state = fresh_state(cfg, data.num_rows, device)
    state.commits = (*state.commits, commit or git_commit() or "unknown")
    keeps_moments(state)  # fail now, not after ten minutes, if the checkpoint cannot fit
    model: nn.Module = state.model
    if distributed.world > 1:
        model = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    if compile_model:
        # One graph per canvas size, with and without a carry: allow them all.
        torch._dynamo.config.recompile_limit = max(torch._dynamo.config.recompile_limit, 4 * len(data.bucket_sides))
        model = torch.compile(model)  # type: ignore[assignment]  # a module wrapper
    val_batches = data.validation_batches()
    run_id = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:6]}"
    stop_step = cfg.total_steps if until_step is None else min(until_step, cfg.total_steps)
    budget_s = minutes * 60.0
    train_losses: list[float] = []
    step_s = 0.0  # slowest step of this piece, not counting the first of each canvas size (compilation)
    sides_seen: set[int] = set()

    def validate() -> float:
        began = time.monotonic()
        if distributed.main:
            state.val = evaluate(state.ema, state.table, val_batches, device, cfg.loss)
            seconds = state.device_seconds + (time.monotonic() - start) * distributed.world
            append_row(
                out / LOG_FILE,
                {
                    "run_id": run_id,
                    "step": state.step,
                    "samples": state.samples,
                    "device_seconds": round(seconds, 2),
                    "train_loss": sum(train_losses) / len(train_losses) if train_losses else None,
                    "lr": cfg.lr * learning_rate_scale(state, cfg),
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    **state.val,
                },
            )
            log.info("step %d samples %d val %s", state.step, state.samples, state.val)
        train_losses.clear()
        return time.monotonic() - began

    # Validating first logs where this piece starts and measures what closing the piece will cost.
    closing_s = validate() + SAVE_SECONDS_PER_MIB * sum(checkpoint_bytes(state)) / MiB
    first_val = state.val
    last_validated = state.step
    state.model.train()
    while state.step < stop_step:
        remaining = budget_s - (time.monotonic() - start)
        if distributed.any(remaining < step_s + RESERVE_FACTOR * closing_s + MIN_RESERVE_S, device):
            break
        began = time.monotonic()
        side = data.side_at(state.step)
        train_losses.append(train_step(state, model, data, cfg, distributed, device))
        if side in sides_seen:
            step_s = max(step_s, time.monotonic() - began)
        sides_seen.add(side)
        if state.step % cfg.eval_every == 0:
            closing_s = max(closing_s, validate())
            last_validated = state.step
    if last_validated != state.step or state.val is None:
        validate()
    state.device_seconds += (time.monotonic() - start) * distributed.world
    distributed.check_in_sync([state.table, *state.model.parameters(), *state.ema.parameters()])
    files: list[Path] = []
    if distributed.main:
        files = save_state(state, cfg, split, out / CHECKPOINT_DIR, single_process=distributed.world == 1)
    if distributed.world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return {
        "step": state.step,
        "samples": state.samples,
        "device_seconds": round(state.device_seconds, 2),
        "first_val": first_val,
        "val": state.val,
        "out": str(out),
        "files": [str(f) for f in files],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = parse_args(argv)
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = json.loads(value)
    cfg = dataclasses.replace(pretrain_preset(args.preset), **overrides)
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(cfg.seed)
    summary = train(cfg, args.out, device, args.minutes, args.resume, args.until_step, args.compile, args.commit)
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
