"""Append-only journal of finished tasks, so a killed run resumes where it stopped.

One JSON line per record, each carrying a CRC-32 of its payload; every append is
flushed and fsynced. The first record names the run (a fingerprint of the tasks,
weights and settings); a journal from another run is refused rather than mixed in.
A torn or corrupt line (a kill in mid-write) is ignored, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class JournalMismatch(ValueError):
    """The journal in the output folder belongs to a different run."""


def _line(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return json.dumps({"crc": zlib.crc32(body.encode("utf-8")), "body": body}).encode("utf-8") + b"\n"


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
        body = record["body"]
        if not isinstance(body, str) or zlib.crc32(body.encode("utf-8")) != record["crc"]:
            return None
        payload = json.loads(body)
        return payload if isinstance(payload, dict) else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every readable record of a journal, header included, whichever run it belongs to (for viewers)."""
    path = Path(path)
    if not path.exists():
        return []
    return [record for record in map(_parse, path.read_bytes().split(b"\n")) if record is not None]


class Journal:
    def __init__(self, path: Path, fingerprint: str):
        self.path = Path(path)
        self.fingerprint = fingerprint

    def read(self) -> dict[str, dict[str, Any]]:
        """Finished tasks recorded so far: task id -> record. Raises JournalMismatch."""
        if not self.path.exists():
            return {}
        finished: dict[str, dict[str, Any]] = {}
        lines = self.path.read_bytes().split(b"\n")
        header = _parse(lines[0]) if lines else None
        if header is None or header.get("kind") != "header":
            log.warning("journal %s has no readable header; starting afresh", self.path)
            return {}
        if header.get("fingerprint") != self.fingerprint:
            raise JournalMismatch(
                f"{self.path} belongs to a different run (other tasks, weights or settings); "
                "use another --out folder or --fresh"
            )
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            record = _parse(line)
            if record is None or record.get("kind") != "task" or not isinstance(record.get("task_id"), str):
                log.warning("journal %s: ignoring unreadable line %d", self.path, number)
                continue
            finished[record["task_id"]] = record
        return finished

    def start(self, fresh: bool) -> dict[str, dict[str, Any]]:
        """Open for appending; returns the finished tasks to resume from (none if fresh)."""
        finished = {} if fresh else self.read()
        if fresh or not finished:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "wb") as handle:
                handle.write(_line({"kind": "header", "fingerprint": self.fingerprint}))
                handle.flush()
                os.fsync(handle.fileno())
        else:
            self._drop_torn_tail()
        return finished

    def _drop_torn_tail(self) -> None:
        """Cut a final line with no newline (a kill in mid-append) so appends start clean."""
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def append(self, task_id: str, entries: list[dict], report: dict[str, Any]) -> None:
        line = _line({"kind": "task", "task_id": task_id, "entries": entries, "report": report})
        with open(self.path, "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
