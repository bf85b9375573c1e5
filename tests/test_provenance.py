"""Which commit the code runs from (solver.provenance), and None where that cannot be known."""

import shutil
import subprocess

import pytest

from solver import provenance
from solver.provenance import REPO_ROOT, git_commit


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_commit_is_this_checkouts_head():
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("this tree is not a git checkout")
    assert git_commit() == head.stdout.strip() and len(git_commit()) == 40
    assert head.stdout.startswith(git_commit(short=True))


def test_a_copied_tree_without_git_has_no_commit(monkeypatch, tmp_path):
    monkeypatch.setattr(provenance, "REPO_ROOT", tmp_path)  # no repository here or above (/tmp)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert git_commit() is None


def test_a_machine_without_git_has_no_commit(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable to be found
    assert git_commit() is None
