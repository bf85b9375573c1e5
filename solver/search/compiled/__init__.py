"""The search's compiled levels: image ops as integer codes, run in numba over an arena.

`apply` (the compiled ops), `opcodes` (which library ops they twin), `level` (the kernel:
apply, hash, drop repeats, check the fit) and `step` (the arena for one pass, and the
programs rebuilt for the states that fit).
"""

from .step import CompiledFit, CompiledLevels, CompiledPiece, warmup

__all__ = ["CompiledFit", "CompiledLevels", "CompiledPiece", "warmup"]
