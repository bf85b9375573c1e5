"""Out-of-memory back-off (solver.backoff): halve the batch, remember it, give up below the minimum."""

import logging

import pytest
import torch

from solver.backoff import BatchSizer, is_out_of_memory


def fits_up_to(limit, calls):
    """A step that runs out of memory above `limit` samples; records every batch it was called with."""

    def step(batch):
        calls.append(batch)
        if batch > limit:
            raise torch.cuda.OutOfMemoryError(f"{batch} samples do not fit")
        return batch * 10

    return step


def test_out_of_memory_halves_the_batch_and_the_smaller_batch_is_kept(caplog):
    calls = []
    sizer = BatchSizer(64)
    with caplog.at_level(logging.WARNING):
        assert sizer.run(fits_up_to(20, calls), "task x fine-tuning") == 160
    assert calls == [64, 32, 16]
    assert "task x fine-tuning: out of memory, retrying with batch 16" in caplog.text
    sizer.run(fits_up_to(20, calls), "task x fine-tuning")
    assert calls[3:] == [16]  # the next call starts from the batch that fitted: one OOM costs one retry


def test_below_the_minimum_batch_the_error_is_raised():
    calls = []
    with pytest.raises(torch.cuda.OutOfMemoryError):
        BatchSizer(8, min_batch=2).run(fits_up_to(1, calls), "task x inference")
    assert calls == [8, 4, 2]


def test_other_errors_are_not_retried():
    calls = []

    def broken(batch):
        calls.append(batch)
        raise RuntimeError("out of memory")  # a message is not an out-of-memory error; only the type counts

    with pytest.raises(RuntimeError):
        BatchSizer(8).run(broken, "task x")
    assert calls == [8]
    assert is_out_of_memory(torch.cuda.OutOfMemoryError()) and not is_out_of_memory(RuntimeError("out of memory"))


def test_a_batch_below_the_minimum_starts_at_the_minimum():
    assert BatchSizer(1, min_batch=4).batch == 4
