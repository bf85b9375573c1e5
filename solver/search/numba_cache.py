"""numba's on-disk cache, tied to the sources of the search as a whole.

numba keeps a cached function's machine code while the function's own file is unchanged (its
stamp: the file's modification time and size in numba 0.59, a hash of its content in 0.68).
A kernel that calls a function in another file (`compiled.level.grow` calls
`compiled.apply.apply_op`) therefore kept running the old callee after only the callee's file
changed: new op codes failed in the kernel, silently (seen on 2026-11-30). So every cached
function's stamp here also carries one hash of the sources its machine code may depend on
(`SOURCE_DIRS`): an entry saved from other sources is stale to numba itself, which compiles
afresh and overwrites it. Nothing is deleted, and a process still running older sources saves
entries under its own, older hash, which a newer process then ignores. What remains is numba's
own window of milliseconds between reading an index and reading the code file it names (the
same as for its own stamp).
"""

from __future__ import annotations

import hashlib
import sys
import warnings
from pathlib import Path

from numba.core.dispatcher import Dispatcher

SOLVER_ROOT = Path(__file__).resolve().parents[1]  # the `solver` package
# What compiled code may depend on: the kernels, the compiled levels and the constants they
# freeze in (`solver.arc.tasks.MAX_SIDE`). An edit elsewhere (the TRM, the report) keeps the cache.
SOURCE_DIRS = ("search", "arc")


def sources_digest(root: Path = SOLVER_ROOT, dirs: tuple[str, ...] = SOURCE_DIRS) -> str:
    """One hash of every .py file under root's `dirs` (paths and contents, in a fixed order)."""
    h = hashlib.sha256()
    for path in sorted(p for d in dirs for p in (root / d).rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def cached_functions(module_prefix: str) -> list[Dispatcher]:
    """The numba functions with an on-disk cache defined in the loaded modules under module_prefix."""
    found: dict[int, Dispatcher] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == module_prefix or name.startswith(module_prefix + ".")):
            continue
        for value in vars(module).values():
            ours = isinstance(value, Dispatcher) and value.__module__.startswith(module_prefix + ".")
            # cache=True gives a FunctionCache with a folder; numba's NullCache has none.
            if ours and getattr(getattr(value, "_cache", None), "cache_path", None):
                found[id(value)] = value
    return list(found.values())


def tie_to_sources(functions: list[Dispatcher], digest: str) -> int:
    """Make each function's cache entries fresh only for `digest` too. Call before any of them
    is first called (numba reads its cache then, not at import). Returns how many were tied."""
    tied = 0
    for f in functions:
        name = f.py_func.__name__
        cache_file = getattr(getattr(f, "_cache", None), "_cache_file", None)  # numba's private layout (0.59-0.68)
        stamp = getattr(cache_file, "_source_stamp", None)
        if cache_file is None or stamp is None:
            warnings.warn(f"numba's cache layout changed: {name}'s cache may outlive its callees", stacklevel=2)
            continue
        if f.overloads:  # already compiled or loaded: what it runs was judged by numba's stamp alone
            warnings.warn(f"{name} ran before its cache was tied to the sources", stacklevel=2)
        own = getattr(cache_file, "_own_source_stamp", stamp)  # a second call re-ties, never nests
        cache_file._own_source_stamp = own
        cache_file._source_stamp = (own, digest)
        tied += 1
    return tied


def tie_package_caches(module_prefix: str) -> int:
    """Tie the cached numba functions of `module_prefix`'s loaded modules to the sources now."""
    return tie_to_sources(cached_functions(module_prefix), sources_digest())
