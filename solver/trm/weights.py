"""Weights: safetensors only, config and provenance in the metadata, strict loading.

Weights are data, never code: no pickle and no `torch.load`. A checkpoint listed in
weights/MANIFEST.json is checked against its sha256 before it is read.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

from solver.atomic import write_bytes_atomic, write_json_atomic
from solver.provenance import REPO_ROOT
from solver.trm.config import ModelConfig
from solver.trm.model import TRM

log = logging.getLogger(__name__)

WEIGHTS_DIR = REPO_ROOT / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "trm-base.safetensors"
MANIFEST = WEIGHTS_DIR / "MANIFEST.json"
FORMAT = "arc-trm-solver/1"
DEFAULT_PRESET = "trm-7m"
# Added after the first files were written: a file without it gets zeros (no spread known),
# which a run asking for noisy new task embeddings refuses (solver.run.cli).
LATER_BUFFERS = ("task_embedding_std",)


class WeightsError(ValueError):
    """A weights file that cannot be used; the message is one line."""


def build_model(cfg: ModelConfig) -> TRM:
    """A freshly initialised model, identical for the same config (seeded by cfg.init_seed)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.init_seed)
        return TRM(cfg)


def unwrap(model: torch.nn.Module) -> TRM:
    """The plain module behind torch.compile / DDP wrappers."""
    inner: Any = model
    while hasattr(inner, "_orig_mod") or hasattr(inner, "module"):
        inner = getattr(inner, "_orig_mod", None) or inner.module
    assert isinstance(inner, TRM), type(inner)
    return inner


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_weights(model: torch.nn.Module, path: Path, provenance: dict[str, Any] | None = None) -> str:
    """Write the model's weights and buffers; returns the file's sha256."""
    model = unwrap(model)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    metadata = {
        "format": FORMAT,
        "config": model.cfg.to_json(),
        "provenance": json.dumps(provenance or {}, sort_keys=True),
    }
    data = save(tensors, metadata=metadata)
    write_bytes_atomic(Path(path), data)
    return hashlib.sha256(data).hexdigest()


def read_manifest() -> dict[str, Any]:
    if not MANIFEST.exists():
        return {}
    return json.loads(MANIFEST.read_text())


def record_in_manifest(path: Path, entry: dict[str, Any], manifest: Path | None = None) -> None:
    """List `path` (by file name) with `entry` (sha256, config, provenance) in a manifest.

    The default manifest is the MANIFEST.json beside the file (weights/MANIFEST.json for weights/).
    """
    path = Path(path)
    manifest = Path(manifest) if manifest is not None else path.parent / MANIFEST.name
    document = json.loads(manifest.read_text()) if manifest.exists() else {}
    document.setdefault("files", {})[path.name] = entry
    write_json_atomic(manifest, document, indent=1)


def expected_sha256(path: Path) -> str | None:
    """The sha256 the manifest lists for a file inside weights/, if any."""
    path = Path(path).resolve()
    if path.parent != WEIGHTS_DIR:
        return None
    entry = read_manifest().get("files", {}).get(path.name)
    return entry["sha256"] if entry else None


def read_metadata(path: Path) -> dict[str, str]:
    try:
        with safe_open(str(path), framework="pt") as handle:
            return handle.metadata() or {}
    except (SafetensorError, OSError) as error:
        raise WeightsError(f"weights {path}: not a readable safetensors file ({error})") from None


def with_later_buffers(tensors: dict[str, torch.Tensor], model: TRM) -> dict[str, torch.Tensor]:
    """`tensors` (a state dict for `model`) with zeros for LATER_BUFFERS it predates."""
    expected = model.state_dict()
    return {**{key: torch.zeros_like(expected[key]) for key in LATER_BUFFERS}, **tensors}


def load_weights(path: Path, device: torch.device | str = "cpu", sha256: str | None = None) -> TRM:
    """Load a checkpoint strictly. `sha256`, when given (or listed in the manifest), must match."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights {path}: no such file")
    sha256 = sha256 or expected_sha256(path)
    if sha256 is not None and sha256_file(path) != sha256:
        raise WeightsError(f"weights {path}: sha256 does not match the manifest (file changed or corrupt)")
    metadata = read_metadata(path)
    if metadata.get("format") != FORMAT or "config" not in metadata:
        raise WeightsError(f"weights {path}: missing '{FORMAT}' metadata (not a solver checkpoint)")
    try:
        cfg = ModelConfig.from_json(metadata["config"])
    except (ValueError, TypeError) as error:
        raise WeightsError(f"weights {path}: bad config in metadata ({error})") from None
    model = build_model(cfg)
    expected = model.state_dict()
    tensors = {}
    with safe_open(str(path), framework="pt") as handle:
        for key in handle.keys():
            tensors[key] = handle.get_tensor(key)
    tensors = with_later_buffers(tensors, model)
    missing, unexpected = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise WeightsError(f"weights {path}: missing {missing[:3]} unexpected {unexpected[:3]}")
    for key, tensor in tensors.items():
        if tensor.shape != expected[key].shape:
            raise WeightsError(
                f"weights {path}: {key} has shape {tuple(tensor.shape)}, config says {tuple(expected[key].shape)}"
            )
    model.load_state_dict(tensors, strict=True)
    return model.to(device)


def carries_embedding_std(path: str | Path | None) -> bool:
    """Whether a weights file holds a non-zero task-embedding std (None, the untrained model, does not)."""
    if path is None:
        return False
    with safe_open(str(path), framework="pt") as handle:
        return "task_embedding_std" in handle.keys() and bool(handle.get_tensor("task_embedding_std").any())


def provenance(path: Path) -> dict[str, Any]:
    return json.loads(read_metadata(path).get("provenance", "{}"))
