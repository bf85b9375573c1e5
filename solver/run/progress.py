"""A dependency-free progress bar over tasks, with elapsed time and ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 24


def counted(count: int, noun: str) -> str:
    """The count and the noun, plural unless the count is 1: `1 task`, `3 tasks`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours:d}:{rest // 60:02d}:{rest % 60:02d}"


class Progress:
    """Redraws one line on a terminal; prints one line per update elsewhere (logs, notebooks)."""

    def __init__(self, total: int, stream: TextIO | None = None, done: int = 0):
        self.total = total
        self.done = done
        self.initial = done
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()

    def line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(BAR_WIDTH * fraction)
        elapsed = time.monotonic() - self.start
        new = self.done - self.initial
        eta = elapsed / new * (self.total - self.done) if new else float("nan")
        eta_text = format_seconds(eta) if new else "?"
        return (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} tasks "
            f"elapsed {format_seconds(elapsed)} eta {eta_text}"
        )

    def advance(self, message: str) -> None:
        """Count one finished task and show `message` (the task's log line) above the bar."""
        self.done += 1
        if self.interactive:
            self.stream.write(f"\r\033[K{message}\n{self.line()}")
        else:
            self.stream.write(f"{message}\n{self.line()}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
