"""Stopping a run from outside: SIGTERM is handled exactly like Ctrl-C.

`timeout`, batch schedulers and Kaggle stop a job with SIGTERM, whose default action ends
the process at once: workers left running, no word on what was kept. Raised as a
KeyboardInterrupt instead, it takes the path Ctrl-C takes: the supervisor stops its
workers, the files on disk are complete up to the last finished task, one line says how
to resume, and the exit code is the shell's convention for the signal.

Standard library only: the entry point installs the handler before its heavy imports.
"""

from __future__ import annotations

import signal
from types import FrameType

from solver.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; every `except KeyboardInterrupt` treats it as Ctrl-C."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def stop_on_sigterm() -> None:
    """From now on SIGTERM raises Terminated in the main thread (call it from there)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def exit_code(interrupt: KeyboardInterrupt) -> int:
    return EXIT_TERMINATED if isinstance(interrupt, Terminated) else EXIT_INTERRUPTED


def what_stopped(interrupt: KeyboardInterrupt) -> str:
    """The first word of the line that reports it: "terminated (SIGTERM)" or "interrupted"."""
    return "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted"
