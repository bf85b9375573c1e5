"""Pretraining on several devices: the torchrun process group, and the few collectives the loop needs.

A single-process run is a `Distributed()` whose collectives return their input, so the
training loop is the same code with and without DDP.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


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
