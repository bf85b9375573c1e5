"""The moment a run's time budget counts from: the interpreter's start, never a shell's before it."""

import subprocess
import sys
from pathlib import Path

import pytest

from solver import clock
from solver.clock import MAX_INTERPRETER_START_S, process_start
from tests.helpers import ROOT

# Prints how long before the script's first line the budget starts counting.
PROBE = (
    "import time; first_line = time.monotonic(); "
    "from solver.clock import process_start; print(first_line - process_start(first_line))"
)


def counted_before_first_line(command: list[str]) -> float:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return float(result.stdout)


@pytest.mark.skipif(not Path(clock.PROC_STAT).exists(), reason="the process start is read from Linux's /proc")
def test_the_interpreters_own_start_up_is_counted():
    before = counted_before_first_line([sys.executable, "-c", PROBE])
    assert 0 <= before < MAX_INTERPRETER_START_S


@pytest.mark.skipif(not Path(clock.PROC_STAT).exists(), reason="the process start is read from Linux's /proc")
def test_a_shell_that_execs_python_is_not_counted():
    # bash works for 3 s (a pip install, say), then becomes python: the same process, older than its interpreter.
    shell_seconds = MAX_INTERPRETER_START_S + 1
    script = f"sleep {shell_seconds} && exec {sys.executable} -c '{PROBE}'"
    assert counted_before_first_line(["bash", "-c", script]) == 0.0  # counted from the first line, not 3 s before


def test_without_proc_the_first_line_is_the_start(monkeypatch, tmp_path):
    monkeypatch.setattr(clock, "PROC_STAT", str(tmp_path / "missing"))
    assert process_start(123.0) == 123.0
