"""Out-of-memory back-off: halve the batch and retry, down to a minimum batch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import torch

from solver import faults

log = logging.getLogger(__name__)
T = TypeVar("T")
MIN_BATCH = 1


def is_out_of_memory(error: BaseException) -> bool:
    # torch.cuda.OutOfMemoryError (an alias of torch.OutOfMemoryError where that exists) is in every torch >= 1.13.
    return isinstance(error, torch.cuda.OutOfMemoryError)


class BatchSizer:
    """Remembers the largest batch that fitted, so one OOM costs one retry, not one per call."""

    def __init__(self, batch: int, min_batch: int = MIN_BATCH):
        self.batch = max(batch, min_batch)
        self.min_batch = min_batch

    def run(self, fn: Callable[[int], T], what: str) -> T:
        """Call fn(batch); on OOM halve the batch and call again. Re-raises below min_batch."""
        while True:
            try:
                faults.before_batch(what)
                return fn(self.batch)
            except Exception as error:  # only OOM is handled; everything else propagates
                if not is_out_of_memory(error) or self.batch <= self.min_batch:
                    raise
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                self.batch = max(self.min_batch, self.batch // 2)
                log.warning("%s: out of memory, retrying with batch %d", what, self.batch)
