"""Randomness (solver.seeding): per-task streams from a stable hash, one explicit seeding, none at import."""

import os
import random
import subprocess
import sys

import numpy as np
import torch

from solver.seeding import seed_everything, stable_hash, task_rng
from tests.helpers import ROOT

# stable_hash(0, "007bbfb7", "augment") as first computed: a change here changes every
# augmentation and fine-tuning batch, so every earlier result stops being reproducible.
PINNED_HASH = 8845916652958843371


def test_the_hash_is_pinned_and_the_same_in_another_process():
    assert stable_hash(0, "007bbfb7", "augment") == PINNED_HASH
    probe = "from solver.seeding import stable_hash; print(stable_hash(0, '007bbfb7', 'augment'))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # Python's own hash() would change with this
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )
    assert int(result.stdout) == PINNED_HASH, result.stderr


def test_the_hash_tells_its_parts_apart_and_fits_63_bits():
    assert stable_hash("a", "b") != stable_hash("ab") and stable_hash("a", "b") != stable_hash("b", "a")
    assert all(0 <= stable_hash(i) < 2**63 for i in range(100))


def test_task_streams_repeat_and_differ_by_task_seed_and_purpose():
    def draws(*args):
        return task_rng(*args).integers(0, 2**31, 8).tolist()

    assert draws("t1", 0, "finetune") == draws("t1", 0, "finetune")
    others = [draws("t2", 0, "finetune"), draws("t1", 1, "finetune"), draws("t1", 0, "augment")]
    assert all(other != draws("t1", 0, "finetune") for other in others)


def test_seed_everything_resets_every_global_generator():
    def draws():
        return random.random(), float(np.random.rand()), float(torch.rand(1))

    seed_everything(7)
    first = draws()
    seed_everything(7)
    assert draws() == first
    seed_everything(8)
    assert draws() != first


def test_importing_the_solver_seeds_nothing():
    probe = (
        "import random; random.seed(3); expected = random.random(); random.seed(3); "
        "import solver.seeding, solver.arc.augment; print(random.random() == expected)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "True", result.stderr
