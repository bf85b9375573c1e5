"""The training tasks split once into a studied part and a held-out part, by task id.

Rule: a task is held out when the first byte of the SHA-256 digest of its id (UTF-8) is
odd. The rule depends on nothing but the id, so it never changes, holds for every set, and
splits any large set about in half.

Use: design and tune on the training sets (`TRAINING_SETS`), studying only the studied part
task by task; score the held-out part only as a whole (`bench/search_eval.py` prints the
two parts and their gap, and never a held-out task's own result). A change that raises the
studied part but not the held-out part is fitting, not progress. The ARC-AGI-1 training
tasks were studied one by one before the split was made, so their held-out half is not
clean; the cleanest held-out measure is on the ARC-AGI-2 training tasks that are in no
ARC-AGI-1 set (docs/RESULTS.md, "Studied and held-out tasks").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

TRAINING_SETS = ("arc1/train", "arc2/train")


def is_held_out(task_id: str) -> bool:
    """Whether this task belongs to the held-out part."""
    return hashlib.sha256(task_id.encode("utf-8")).digest()[0] % 2 == 1


def split_ids(task_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(studied, held_out), each in the given order."""
    studied: list[str] = []
    held_out: list[str] = []
    for task_id in task_ids:
        (held_out if is_held_out(task_id) else studied).append(task_id)
    return studied, held_out
