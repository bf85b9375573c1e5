"""The state of a pretraining run, and its checkpoint: what a resumed piece needs to continue exactly.

Model, EMA and task-embedding table always go into the checkpoint; the optimizer moments
only when they fit its size budget beside them (else a resumed piece re-warms the learning
rate), and the carries of samples in flight only with the moments, in a single-process run.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import torch

from solver.settings import ConfigError
from solver.train.checkpoint import MAX_TOTAL_BYTES, MiB, load_checkpoint, save_checkpoint, tensor_bytes
from solver.train.config import PretrainConfig
from solver.train.data import PretrainSplit
from solver.trm.carry import SupervisionCarry
from solver.trm.config import model_preset
from solver.trm.model import TRM
from solver.trm.objectives import AdamATan2
from solver.trm.weights import build_model, with_later_buffers


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
        raise ConfigError(
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
        raise ConfigError(
            f"checkpoint {directory} was trained with another pretraining config; "
            f"resume with the same preset and overrides"
        )
    if meta["data_sha256"] != split.digest:
        raise ConfigError(f"checkpoint {directory} was trained on another data split")
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
