"""Writing an output file whole or not at all: the one writer behind every file a run leaves.

A temporary file in the same folder is written, flushed to disk and renamed over the
target, so a reader (Kaggle, a browser, a resumed run) sees the old file or the new one,
never half of one, even after a kill or, unless written with `durable=False`, a power
cut. Every file gets the permissions of
any new file (0666 less the umask), not mkstemp's private 0600: outputs are meant to be
shared (a web server, another user, a notebook viewer).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def current_umask() -> int:
    """The process's umask (Linux reports it in /proc; elsewhere it is set and restored)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def sync_folder(folder: Path) -> None:
    """Flush the folder's entry for a renamed file; a no-op where folders cannot be opened (Windows)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """`durable=False` skips both fsyncs: the file is still whole or absent after a kill, but
    may be lost to a power cut. For files another durable record can rebuild (a task's report
    file, from the journal), written many at once where the time is short (at the deadline).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        sync_folder(path.parent)


def write_text_atomic(path: Path, text: str, durable: bool = True) -> None:
    """UTF-8; a lone surrogate (a task id may hold one, UTF-8 cannot encode it) is written escaped."""
    write_bytes_atomic(path, text.encode("utf-8", errors="backslashreplace"), durable)


def write_json_atomic(path: Path, document: Any, indent: int | None = None, durable: bool = True) -> None:
    """Compact JSON by default; `indent` for files people read (manifests)."""
    if indent is None:
        text = json.dumps(document, separators=(",", ":"))
    else:
        text = json.dumps(document, indent=indent, sort_keys=True) + "\n"
    write_text_atomic(path, text, durable)
