import dataclasses
import itertools
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from solver.train.batches import PretrainBatches
from solver.train.checkpoint import MAX_FILE_BYTES, MAX_TOTAL_BYTES, load_checkpoint, save_checkpoint, shard_tensors
from solver.train.config import pretrain_preset
from solver.train.data import build_split, split_tasks
from solver.train.export import export
from solver.train.log import read_log
from solver.train.pretrain import CHECKPOINT_DIR, LOG_FILE, learning_rate_scale, train
from solver.train.state import fresh_state, load_state, save_state
from solver.trm.weights import load_weights, provenance
from tests.helpers import ROOT

CPU = torch.device("cpu")
# Short schedules so the warm-up is over within the handful of steps a test can afford.
TINY = dataclasses.replace(pretrain_preset("tiny"), total_steps=40, batch_tokens=1024, max_batch=8, eval_every=2)


@pytest.fixture(autouse=True)
def one_thread():
    """The tiny model is fastest on one thread, and two-core CI machines are often shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def small_split():
    return split_tasks(list(build_split().tasks[:14]), [], val_tasks=3)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """A short tiny pretraining on the real split (also the input of the export and log tests)."""
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("pretrain") / "run"
    return out, train(TINY, out, CPU, minutes=5, until_step=12)


def test_batches_are_bucketed_and_a_function_of_seed_step_rank(small_split):
    data = PretrainBatches(small_split, 8, 1024, 8, prefix_len=2, seed=0)
    first, again, other_rank = data.batch(5), data.batch(5), data.batch(5, rank=1)
    assert torch.equal(first.tokens, again.tokens) and torch.equal(first.rows, again.rows)
    assert other_rank.side == first.side and other_rank.tokens.shape == first.tokens.shape
    assert not torch.equal(other_rank.tokens, first.tokens)
    assert first.tokens.shape == (data.batch_sizes[first.side], first.side**2)
    assert int(first.rows.max()) < data.num_rows
    # A carry refilling some rows gets exactly those rows of the step's batch.
    some = data.batch(5, keep=np.array([0, 2]))
    assert torch.equal(some.tokens, first.tokens[[0, 2]]) and torch.equal(some.rows, first.rows[[0, 2]])
    assert data.batch(5, keep=np.array([], dtype=np.int64)).tokens.shape == (0, first.side**2)
    # Validation rows are the identity augmentation of validation tasks only.
    val_rows = torch.cat([b.rows for b in data.validation_batches()])
    assert all(int(r) % 8 == 0 and int(r) // 8 >= len(small_split.train) for r in val_rows)


def test_resume_is_bitwise_the_uninterrupted_run(tmp_path, small_split):
    whole = train(TINY, tmp_path / "whole", CPU, minutes=5, until_step=5, split=small_split)
    train(TINY, tmp_path / "pieces", CPU, minutes=5, until_step=3, split=small_split)
    pieces = train(
        TINY, tmp_path / "pieces", CPU, minutes=5, resume=tmp_path / "pieces", until_step=5, split=small_split
    )
    assert (whole["step"], whole["samples"]) == (pieces["step"], pieces["samples"]) and whole["step"] == 5
    a, state_a = load_checkpoint(tmp_path / "whole" / CHECKPOINT_DIR)
    b, state_b = load_checkpoint(tmp_path / "pieces" / CHECKPOINT_DIR)
    assert state_a["optimizer_moments"] and sorted(a) == sorted(b)
    assert any(k.startswith("adam/") for k in a) and any(k.startswith("ema/") for k in a)
    assert state_a["carries"] and any(k.startswith("carry/") for k in a)  # samples in flight resume exactly
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert state_a["val"] == state_b["val"]
    assert len({r["run_id"] for r in read_log(tmp_path / "pieces" / LOG_FILE)}) == 2


def test_a_piece_without_saved_carries_starts_them_afresh_deterministically(tmp_path, small_split):
    train(TINY, tmp_path / "first", CPU, minutes=5, until_step=3, split=small_split)
    state = load_state(tmp_path / "first" / CHECKPOINT_DIR, TINY, small_split, CPU)
    assert state.carries  # the tiny preset's carries fit and came back
    save_state(state, TINY, small_split, tmp_path / "nocarry" / CHECKPOINT_DIR, single_process=False)  # as DDP saves
    assert load_state(tmp_path / "nocarry" / CHECKPOINT_DIR, TINY, small_split, CPU).carries == {}
    runs = [
        train(TINY, tmp_path / name, CPU, minutes=5, resume=tmp_path / "nocarry", until_step=5, split=small_split)
        for name in ("a", "b")
    ]
    a, _ = load_checkpoint(tmp_path / "a" / CHECKPOINT_DIR)
    b, _ = load_checkpoint(tmp_path / "b" / CHECKPOINT_DIR)
    assert runs[0]["val"] == runs[1]["val"] and all(torch.equal(a[k], b[k]) for k in a)


def test_the_wall_clock_limit_stops_a_piece_cleanly(tmp_path, small_split):
    endless = dataclasses.replace(TINY, total_steps=10**6)  # only the clock can stop this one
    began = time.monotonic()
    summary = train(endless, tmp_path, CPU, minutes=0.1, split=small_split)
    assert time.monotonic() - began < 0.1 * 60 + 10  # the limit, plus slack for a loaded machine
    assert 0 <= summary["step"] < endless.total_steps
    _, state = load_checkpoint(tmp_path / CHECKPOINT_DIR)
    assert state["step"] == summary["step"] and read_log(tmp_path / LOG_FILE)[-1]["step"] == summary["step"]


def test_a_resume_without_optimizer_moments_rewarms_the_learning_rate(tmp_path, small_split):
    train(TINY, tmp_path, CPU, minutes=5, until_step=3, split=small_split)
    state = load_state(tmp_path / CHECKPOINT_DIR, TINY, small_split, CPU)
    files = save_state(state, TINY, small_split, tmp_path / "trimmed", budget=MAX_FILE_BYTES // 64)
    assert json.loads((tmp_path / "trimmed" / "state.json").read_text())["optimizer_moments"] is False
    assert not any("adam" in f.name for f in files)
    trimmed = load_state(tmp_path / "trimmed", TINY, small_split, CPU)
    assert trimmed.rewarm_start == 3 and not trimmed.optimizer.state
    assert learning_rate_scale(trimmed, TINY) == pytest.approx(learning_rate_scale(state, TINY) / TINY.rewarm_steps)
    for key, value in state.ema.state_dict().items():
        assert torch.equal(value, trimmed.ema.state_dict()[key])


def test_the_trm_7m_checkpoint_fits_through_out(tmp_path):
    split = build_split()
    cfg = pretrain_preset("trm-7m")
    state = fresh_state(cfg, len(split.tasks) * cfg.augmentations_per_task, CPU)
    files = save_state(state, cfg, split, tmp_path / "ckpt")
    sizes = [f.stat().st_size for f in files]
    assert max(sizes) <= MAX_FILE_BYTES and sum(sizes) <= MAX_TOTAL_BYTES
    # Model + EMA + embeddings fill ~62 MiB: the Adam moments cannot come too (docs/PRETRAINING.md).
    assert json.loads((tmp_path / "ckpt" / "state.json").read_text())["optimizer_moments"] is False
    big = dataclasses.replace(cfg, augmentations_per_task=32)
    with pytest.raises(ValueError, match="lower augmentations_per_task"):
        save_state(fresh_state(big, len(split.tasks) * 32, CPU), big, split, tmp_path / "too-big")


def test_big_tensors_are_cut_into_shards_and_joined_again(tmp_path):
    tensors = {"big": torch.arange(4000 * 300, dtype=torch.float32).reshape(4000, 300), "small": torch.ones(3)}
    shards = shard_tensors(tensors, max_file_bytes=2 * 2**20)
    assert len(shards) == 3 and all(sum(t.numel() * 4 for t in s.values()) < 2 * 2**20 for s in shards)
    save_checkpoint(tmp_path / "c", tensors, {"step": 1}, max_file_bytes=2 * 2**20)
    loaded, state = load_checkpoint(tmp_path / "c")
    assert state == {"step": 1} and all(torch.equal(loaded[k], tensors[k]) for k in tensors)


def test_short_cpu_pretraining_lowers_the_validation_loss(real_run):
    _, summary = real_run
    assert summary["step"] == 12
    print(f"\nvalidation loss {summary['first_val']['val_loss']:.4f} -> {summary['val']['val_loss']:.4f}")
    assert summary["val"]["val_loss"] < 0.95 * summary["first_val"]["val_loss"]
    assert summary["val"]["val_token_acc"] > summary["first_val"]["val_token_acc"]


def test_every_validation_is_logged(real_run):
    out, summary = real_run
    rows = read_log(out / LOG_FILE)
    assert [r["step"] for r in rows] == [0, 2, 4, 6, 8, 10, 12]
    assert rows[-1]["samples"] == summary["samples"] and rows[-1]["val_loss"] == summary["val"]["val_loss"]
    assert rows[0]["train_loss"] is None and rows[-1]["train_loss"] > 0
    assert all(b["device_seconds"] >= a["device_seconds"] for a, b in itertools.pairwise(rows))


def test_a_fresh_run_will_not_overwrite_a_checkpoint(real_run):
    out, _ = real_run
    with pytest.raises(ValueError, match="--resume"):
        train(TINY, out, CPU, minutes=1, until_step=1)


def test_export_ships_the_ema_weights_with_provenance(real_run, tmp_path):
    out, summary = real_run
    dest, manifest = tmp_path / "trm-base.safetensors", tmp_path / "MANIFEST.json"
    entry = export([out], dest, manifest)
    listed = json.loads(manifest.read_text())["files"]["trm-base.safetensors"]
    assert listed == json.loads(json.dumps(entry))
    model = load_weights(dest, sha256=listed["sha256"])
    tensors, _ = load_checkpoint(out / CHECKPOINT_DIR)
    for key, value in model.state_dict().items():
        if key not in ("task_embedding_mean", "task_embedding_std"):
            assert torch.equal(value, tensors[f"ema/{key}"]), key
    assert torch.allclose(model.task_embedding_mean[0], tensors["table"].mean(0))
    assert torch.allclose(model.task_embedding_std[0], tensors["table"].std(0, unbiased=False).clamp_min(1e-6))
    assert not model.task_embedding_mean[1:].any() and not model.task_embedding_std[1:].any()
    record = provenance(dest)
    assert record["train_task_ids"] == [t.id for t in build_split().train]
    assert record["steps"] == listed["steps"] == summary["step"] and listed["samples"] == summary["samples"]
    assert listed["data_sha256"] == build_split().digest and "device_seconds" in listed
    assert (tmp_path / "trm-base.log.csv").read_text() == (out / LOG_FILE).read_text()


def test_torchrun_trains_on_two_processes(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "solver.train.pretrain",
        "--preset",
        "tiny",
        "--set",
        "batch_tokens=512",
        "--set",
        "max_batch=4",
        "--out",
        str(tmp_path / "ddp"),
        "--minutes",
        "2",
        "--until-step",
        "2",
        "--device",
        "cpu",
        "--threads",
        "1",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    tensors, state = load_checkpoint(tmp_path / "ddp" / CHECKPOINT_DIR)
    assert state["step"] == 2
    rows = read_log(tmp_path / "ddp" / LOG_FILE)
    # Both ranks' samples count: at least two per step even at the smallest batch.
    assert rows[-1]["samples"] == state["samples"] >= 4
    assert tensors["table"].abs().sum() > 0
