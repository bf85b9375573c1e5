"""numba's cache kept in step with the sources (solver/search/numba_cache.py): a cached kernel
whose callee in another file changed must not keep running the old callee."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from solver.search.numba_cache import STAMP_NAME, clear_stale, sources_digest

CALLER = """
from numba import njit
from .callee import value

@njit(cache=True)
def answer():
    return value()
"""
RUN = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pkg.caller
if sys.argv[2] == "guarded":
    from solver.search.numba_cache import keep_in_step
    keep_in_step(Path(sys.argv[1]) / "pkg", "pkg")
print(pkg.caller.answer())
"""


def _write_callee(root, n):
    source = f"from numba import njit\n\n\n@njit(cache=True)\ndef value():\n    return {n}\n"
    (root / "pkg" / "callee.py").write_text(source)


def _run(root, mode):
    """A fresh process: import the package, maybe keep its cache in step, call the caller."""
    repo = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(RUN), str(root), mode],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": repo, "NUMBA_CACHE_DIR": ""},  # numba's cache beside the sources
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


def test_a_changed_callee_in_another_file_is_compiled_again(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "caller.py").write_text(CALLER)
    _write_callee(tmp_path, 1)
    assert _run(tmp_path, "guarded") == 1  # compiles and caches both, stamps the folder
    _write_callee(tmp_path, 2)  # only the callee's file changes: the caller's cache entry still looks valid
    assert _run(tmp_path, "guarded") == 2
    assert _run(tmp_path, "guarded") == 2  # and the fresh cache, stamped again, is kept


def test_only_folders_stamped_with_another_digest_are_emptied(tmp_path):
    same, other, fresh = tmp_path / "same", tmp_path / "other", tmp_path / "fresh"
    for folder in (same, other, fresh):
        folder.mkdir()
        (folder / "f-1.py311.nbi").write_bytes(b"index")
        (folder / "f-1.py311.1.nbc").write_bytes(b"code")
        (folder / "keep.txt").write_text("not numba's")
    (same / STAMP_NAME).write_text("d1")
    (other / STAMP_NAME).write_text("d0")
    cleared = clear_stale([same, other, fresh], "d1")
    assert cleared == [fresh, other]
    assert (same / "f-1.py311.nbi").exists() and (same / "f-1.py311.1.nbc").exists()
    for folder in (other, fresh):
        assert not list(folder.glob("*.nb*"))
        assert (folder / "keep.txt").exists()
        assert (folder / STAMP_NAME).read_text() == "d1"


def test_the_digest_follows_every_source_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    before = sources_digest(tmp_path)
    assert sources_digest(tmp_path) == before
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    assert sources_digest(tmp_path) != before
