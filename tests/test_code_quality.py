"""The linter and the type checker, as part of the test command (configured in pyproject.toml),
and the commands the docs name."""

import importlib.util
import re
import subprocess
import sys

from tests.helpers import ROOT


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = run_tool("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_would_change_nothing():
    result = run_tool("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = run_tool("mypy", "--no-incremental")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_module_a_command_names_exists():
    # Modules move (solver.bundle became solver.kaggle.bundle); every `python -m solver...` that the
    # requirements files, the docs or the code tell a user to run must still be there.
    texts = [*ROOT.glob("*.txt"), *ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("solver/**/*.py")]
    named = {name for path in texts for name in re.findall(r"python -m (solver(?:\.\w+)+)", path.read_text())}
    assert "solver.kaggle.bundle" in named
    assert [name for name in sorted(named) if importlib.util.find_spec(name) is None] == []


MAX_MODULE_LINES = 400  # the house rule: one concept per module, small enough to read in one sitting


def test_no_solver_module_is_over_the_house_limit():
    long = {
        p.relative_to(ROOT).as_posix(): n
        for p in ROOT.glob("solver/**/*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
