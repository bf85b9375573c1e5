"""Where this code lives and which commit it is: recorded beside weights, bundles and reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def git_commit(short: bool = False) -> str | None:
    """HEAD of the repository this code runs from, or None where there is no git (e.g. a copied tree)."""
    command = ["git", "rev-parse", *(["--short"] if short else []), "HEAD"]
    try:
        result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None
