"""The search's compiled levels: image ops as integer codes, run in numba over an arena.

`apply` (the compiled ops), `opcodes` (which library ops they twin), `level` (the kernel:
apply, hash, drop repeats, check the fit), `step` (the arena for one pass, and the
programs rebuilt for the states that fit) and `batch` (every compiled op on one state of the
Python levels, in one call).
"""

from . import batch, step
from .step import CompiledFit, CompiledLevels, CompiledPiece


def warmup() -> None:
    """Compile (or load from numba's cache) the compiled levels' and the batch's kernels."""
    step.warmup()
    batch.warmup()


__all__ = ["CompiledFit", "CompiledLevels", "CompiledPiece", "warmup"]
