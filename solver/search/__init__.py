"""Symbolic program search over grid transforms (icecuber-style), numba-accelerated.

    from solver.search import SearchSettings, search_task
    result = search_task(train_pairs, test_inputs, SearchSettings(time_limit_s=2.0))
    result.per_test[0][0].grid, result.per_test[0][0].program

The package needs numpy and numba, `solver.arc.dihedral` (numpy only), and `solver.config`
with `solver.settings` (standard library only), from which SearchSettings takes its
defaults and bounds: it takes arrays, not Task objects.
"""

from . import compiled, kernels
from .engine import SearchResult, search_task
from .numba_cache import tie_package_caches
from .ranking import SearchCandidate
from .settings import SearchSettings

# numba's cache misses a change in another file than the function's own (`numba_cache`): every
# cached kernel's entries are tied to the search's sources, before any of them loads.
tie_package_caches(__name__)


def warmup() -> None:
    """Compile (or load from numba's cache) every kernel, so that no task's time pays for it."""
    kernels.warmup()
    compiled.warmup()


__all__ = ["SearchCandidate", "SearchResult", "SearchSettings", "search_task", "warmup"]
