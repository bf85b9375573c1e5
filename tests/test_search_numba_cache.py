"""numba's cache tied to the search's sources (solver/search/numba_cache.py): a cached kernel
whose callee in another file changed must not keep running the old callee, even when a
process that still runs the old sources saves its code after the change."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import solver.search  # noqa: F401  (ties the search's kernels on import)
from solver.search.kernels import colour_counts
from solver.search.numba_cache import cached_functions, sources_digest, tie_to_sources

REPO = Path(__file__).resolve().parents[1]
CALLER = """
from numba import njit
from .callee import value

@njit(cache=True)
def answer():
    return value()
"""
# Imports the scratch package and ties it to its sources; with "wait", answers only after a
# line on stdin (a process that imported the old sources and compiles after they changed).
RUN = """
import sys
from pathlib import Path
root = Path(sys.argv[1])
sys.path.insert(0, str(root))
import pkg.caller
from solver.search.numba_cache import cached_functions, sources_digest, tie_to_sources
tie_to_sources(cached_functions("pkg"), sources_digest(root, ("pkg",)))
if sys.argv[2] == "wait":
    print("imported", flush=True)
    sys.stdin.readline()
print(pkg.caller.answer(), flush=True)
"""


def _write_callee(root, n):
    source = f"from numba import njit\n\n\n@njit(cache=True)\ndef value():\n    return {n}\n"
    (root / "pkg" / "callee.py").write_text(source)


def _command(root, mode):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "NUMBA_CACHE_DIR": "",  # numba's cache beside the scratch sources
        "NUMBA_DISABLE_JIT": "0",
        "PYTHONDONTWRITEBYTECODE": "1",  # two callees written in one second: Python's own cache would miss it
    }
    return dict(args=[sys.executable, "-c", textwrap.dedent(RUN), str(root), mode], env=env, text=True)


def _run(root):
    out = subprocess.run(**_command(root, "now"), capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


def _package(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "caller.py").write_text(CALLER)
    _write_callee(tmp_path, 1)


def test_a_changed_callee_in_another_file_is_compiled_again(tmp_path):
    _package(tmp_path)
    assert _run(tmp_path) == 1  # compiles and caches both
    _write_callee(tmp_path, 2)  # only the callee's file changes: numba alone would keep the caller's entry
    assert _run(tmp_path) == 2
    assert _run(tmp_path) == 2  # the entry saved from the new sources is kept


def test_a_process_on_older_sources_cannot_pass_its_code_off_as_fresh(tmp_path):
    _package(tmp_path)
    old = subprocess.Popen(**_command(tmp_path, "wait"), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert old.stdout.readline().strip() == "imported"
        _write_callee(tmp_path, 2)
        assert _run(tmp_path) == 2
        old.stdin.write("\n")
        old.stdin.flush()
        assert int(old.stdout.readline()) == 1  # it runs what it imported, and saves that
    finally:
        try:
            old.communicate(timeout=300)
        finally:
            if old.poll() is None:  # never leave it running
                old.kill()
    assert _run(tmp_path) == 2


def test_every_cached_kernel_of_the_search_is_tied_to_its_sources():
    digest = sources_digest()
    functions = cached_functions("solver.search")
    decorated = sum(p.read_text().count("@njit(cache=True)") for p in (REPO / "solver" / "search").rglob("*.py"))
    assert len(functions) == decorated > 0
    for f in functions:
        assert f._cache._cache_file._source_stamp[1] == digest, f.__name__


def test_the_digest_follows_every_source_file(tmp_path):
    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "x.py").write_text("x = 1\n")
    (tmp_path / "a" / "sub" / "y.py").write_text("y = 2\n")
    (tmp_path / "elsewhere.py").write_text("z = 3\n")
    before = sources_digest(tmp_path, ("a",))
    assert sources_digest(tmp_path, ("a",)) == before
    (tmp_path / "elsewhere.py").write_text("z = 4\n")
    assert sources_digest(tmp_path, ("a",)) == before
    (tmp_path / "a" / "sub" / "y.py").write_text("y = 3\n")
    assert sources_digest(tmp_path, ("a",)) != before


def test_tying_a_kernel_that_already_ran_warns():
    """What a kernel runs before the tie was judged by numba's stamp alone: say so."""
    colour_counts(np.zeros((1, 1), dtype=np.uint8))
    with pytest.warns(UserWarning, match="ran before its cache was tied"):
        assert tie_to_sources([colour_counts], sources_digest()) == 1
    assert colour_counts._cache._cache_file._source_stamp[1] == sources_digest()
