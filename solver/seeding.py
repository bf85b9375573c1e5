"""Stable, explicit randomness: per-task generators derived from a hash of the task id.

Nothing here seeds anything at import; entry points call `seed_everything` once.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np
import torch


def stable_hash(*parts: object) -> int:
    """A 63-bit integer from the parts' text, identical across processes and Python versions."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def task_rng(task_id: str, seed: int, purpose: str) -> np.random.Generator:
    return np.random.default_rng(stable_hash(seed, task_id, purpose))


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
