"""Training checkpoints small enough to come back through a device's $OUT.

A checkpoint is a directory: safetensors shards of at most MAX_FILE_BYTES each (a
tensor larger than that is cut along its first dimension) and `state.json`, which
holds the training state that is not a tensor and the sha256 of every shard. No
pickle and no `torch.load`: a checkpoint is data, never code. Writing goes to a
sibling directory that replaces the old one only when complete, so a run killed
mid-save leaves the previous checkpoint intact.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save

from solver.atomic import write_bytes_atomic, write_json_atomic
from solver.trm.weights import sha256_file

MiB = 2**20
MAX_FILE_BYTES = 16 * MiB  # what one file through $OUT may weigh
MAX_TOTAL_BYTES = 64 * MiB  # what $OUT may hold in all
HEADER_ALLOWANCE = 256 * 1024  # room left in each shard for the safetensors JSON header
STATE_FILE = "state.json"
PART_MARK = "#"  # "name#3" is part 3 of a tensor cut along dim 0


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message is one line."""


def tensor_bytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


def shard_tensors(
    tensors: dict[str, torch.Tensor], max_file_bytes: int = MAX_FILE_BYTES
) -> list[dict[str, torch.Tensor]]:
    """Pack tensors into shards under the limit, in key order; cut any tensor that is too big alone."""
    budget = max_file_bytes - HEADER_ALLOWANCE
    pieces: list[tuple[str, torch.Tensor]] = []
    for name in sorted(tensors):
        tensor = tensors[name].detach().to("cpu").contiguous()
        if tensor_bytes(tensor) <= budget:
            pieces.append((name, tensor))
            continue
        if tensor.dim() == 0 or tensor_bytes(tensor[:1]) > budget:
            raise CheckpointError(f"tensor {name}: a single row exceeds {max_file_bytes} bytes")
        rows_per_part = budget // tensor_bytes(tensor[:1])
        for part, start in enumerate(range(0, tensor.shape[0], rows_per_part)):
            pieces.append((f"{name}{PART_MARK}{part}", tensor[start : start + rows_per_part].clone()))
    shards: list[dict[str, torch.Tensor]] = [{}]
    used = 0
    for name, tensor in pieces:
        if shards[-1] and used + tensor_bytes(tensor) > budget:
            shards.append({})
            used = 0
        shards[-1][name] = tensor
        used += tensor_bytes(tensor)
    return shards


def save_checkpoint(
    directory: Path, tensors: dict[str, torch.Tensor], state: dict[str, Any], max_file_bytes: int = MAX_FILE_BYTES
) -> list[Path]:
    """Write the checkpoint atomically; returns the paths of its files."""
    directory = Path(directory)
    staging = directory.with_name(directory.name + ".saving")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shards = []
    for index, shard in enumerate(shard_tensors(tensors, max_file_bytes)):
        name = f"shard-{index:03d}.safetensors"
        data = save(shard)
        write_bytes_atomic(staging / name, data)
        shards.append({"file": name, "sha256": hashlib.sha256(data).hexdigest()})
    write_json_atomic(staging / STATE_FILE, {**state, "shards": shards}, indent=1)
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    staging.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    return sorted(directory.iterdir())


def read_state(directory: Path) -> dict[str, Any]:
    path = Path(directory) / STATE_FILE
    if not path.is_file():
        raise CheckpointError(f"checkpoint {directory}: no {STATE_FILE}")
    return json.loads(path.read_text())


def load_checkpoint(directory: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(tensors with cut ones joined again, state without the shard list); shards are sha256-checked."""
    directory = Path(directory)
    state = read_state(directory)
    parts: dict[str, dict[int, torch.Tensor]] = {}
    tensors: dict[str, torch.Tensor] = {}
    for shard in state.pop("shards"):
        path = directory / shard["file"]
        if not path.is_file() or sha256_file(path) != shard["sha256"]:
            raise CheckpointError(f"checkpoint {directory}: {shard['file']} is missing or corrupt")
        with safe_open(str(path), framework="pt") as handle:
            for key in handle.keys():
                name, mark, part = key.partition(PART_MARK)
                if mark:
                    parts.setdefault(name, {})[int(part)] = handle.get_tensor(key)
                else:
                    tensors[key] = handle.get_tensor(key)
    for name, pieces in parts.items():
        tensors[name] = torch.cat([pieces[i] for i in range(len(pieces))])
    return tensors, state
