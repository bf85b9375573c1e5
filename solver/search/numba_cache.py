"""numba's on-disk cache, kept in step with the sources it was compiled from.

numba checks a cached function against its own file's timestamp only. A kernel whose callee
lives in another file (`compiled.level.grow` calls `compiled.apply.apply_op`, which calls
`kernels`) keeps loading its old machine code after the callee changed: new op codes then
fail silently in the kernel, and the search loses what they find (seen on 2026-11-30, after
a `git pull`-like change to `compiled/apply.py` alone). So, before any cached function loads
(numba reads its cache at a function's first call, not at import), the sources of the
package are hashed together, and every cache folder of its numba functions that was stamped
with another hash is emptied of numba's files. The next call compiles afresh, once.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

STAMP_NAME = "numba-sources.sha256"  # beside numba's files in each cache folder
NUMBA_FILES = ("*.nbi", "*.nbc")  # numba's index and data files


def sources_digest(root: Path) -> str:
    """One hash of every .py file under root (paths and contents, in a fixed order)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_folders(module_prefix: str) -> set[Path]:
    """The folders numba caches the loaded modules' cached functions in (under module_prefix)."""
    folders = set()
    for name, module in list(sys.modules.items()):
        if module is None or not (name == module_prefix or name.startswith(module_prefix + ".")):
            continue
        for value in vars(module).values():
            cache = getattr(value, "_cache", None)
            path = getattr(cache, "cache_path", None)  # numba's FunctionCache; a NullCache has none
            if path:
                folders.add(Path(path))
    return folders


def clear_stale(folders: Iterable[Path], digest: str) -> list[Path]:
    """Empty each folder stamped with another digest (or none) of numba's files, and stamp it.
    Returns the folders emptied. A folder that cannot be written is left to numba (it then
    caches elsewhere, or not at all)."""
    cleared = []
    for folder in sorted(folders):
        stamp = folder / STAMP_NAME
        try:
            if stamp.read_text() == digest:
                continue
        except OSError:
            pass
        try:
            for pattern in NUMBA_FILES:
                for f in folder.glob(pattern):
                    f.unlink(missing_ok=True)
            folder.mkdir(parents=True, exist_ok=True)
            stamp.write_text(digest)
        except OSError:
            continue
        cleared.append(folder)
    return cleared


def keep_in_step(package_root: Path, module_prefix: str) -> list[Path]:
    """Clear the caches of `module_prefix`'s numba functions compiled from other sources than
    those under package_root now. Call after importing them, before calling any."""
    return clear_stale(cache_folders(module_prefix), sources_digest(package_root))
