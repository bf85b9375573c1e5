"""The steps of kernel.ipynb, kept here so each notebook cell is a line or two and testable.

Find the competition's test file under /kaggle/input, install the bundle's wheels with
no index, plan the run (the real one, or a short dry run on the public placeholder),
run the solver under a watchdog, and leave a complete submission.json whatever happened.
The solver's own runner does the fine-grained safety (pre-filled fallbacks, atomic
writes, a hard deadline); the watchdog here is the second line, for a solver that hangs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from solver.arc.submission import Submission, expected_slots, validate_submission
from solver.arc.tasks import AnyTask, TaskError, load_source, read_json_file
from solver.atomic import write_json_atomic
from solver.kaggle.bundle import MARKER
from solver.run.progress import format_seconds

TEST_FILE = "arc-agi_test_challenges.json"
SOLUTIONS_GLOB = "arc-agi_*solutions.json"
# Kaggle sets this when it reruns the notebook on the hidden tasks: never a dry run then.
RERUN_ENV = "KAGGLE_IS_COMPETITION_RERUN"
# How long past its budget the solver may run before the notebook kills it; the safety
# margin must cover this, so even a hung solver leaves time to finish the file.
KILL_GRACE_S = 300.0
TERM_WAIT_S = 10.0
# If start-up ate the whole budget, still give the solver this long to write its file.
MIN_BUDGET_S = 60.0


def find_test_file(input_root: Path) -> Path:
    """The competition's test file, in whatever folder the competition mounts (2025, 2026, ...)."""
    found = sorted(Path(input_root).rglob(TEST_FILE))
    if not found:
        raise FileNotFoundError(f"no {TEST_FILE} under {input_root}: attach the competition's data")
    if len(found) > 1:
        print(f"several test files found; using {found[0]} (others: {', '.join(map(str, found[1:]))})")
    return found[0]


def placeholder_solutions(test_file: Path, task_ids: list[str]) -> Path | None:
    """A solutions file beside the test file that covers every test task, or None.

    The visible test file is a copy of evaluation tasks whose solutions sit beside it;
    the hidden test file on the rerun has tasks no solutions file knows.
    """
    if os.environ.get(RERUN_ENV):
        return None
    for candidate in sorted(test_file.parent.glob(SOLUTIONS_GLOB)):
        try:
            document = read_json_file(candidate, "solutions file")
        except TaskError:
            continue
        if isinstance(document, dict) and all(task_id in document for task_id in task_ids):
            return candidate
    return None


def visible_gpus() -> int:
    import torch  # here, not at import: the notebook imports this module before it needs torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


@dataclass(frozen=True)
class Plan:
    test_file: Path
    tasks: list[AnyTask]
    solutions: Path | None  # set for a dry run: score against it
    run_tasks: int  # how many tasks the solver gets (all, or the dry run's first few)
    gpus: int
    budget_s: float  # wall clock for the solver

    @property
    def dry_run(self) -> bool:
        return self.solutions is not None

    @property
    def per_task_s(self) -> float:
        """Device-seconds per task: every GPU (or the CPU) works on its own task."""
        return self.budget_s * max(self.gpus, 1) / max(self.run_tasks, 1)

    def describe(self) -> str:
        n_inputs = sum(count for count in expected_slots(self.tasks).values())
        if self.solutions is not None:  # a dry run
            mode = f"DRY RUN on the public placeholder: first {self.run_tasks} tasks, scored with {self.solutions.name}"
        else:
            mode = f"full run: all {self.run_tasks} tasks"
        devices = f"{self.gpus} GPU(s)" if self.gpus else "no GPU: CPU only"
        return "\n".join(
            [
                f"test file: {self.test_file} ({len(self.tasks)} tasks, {n_inputs} test inputs)",
                f"mode:      {mode}",
                f"devices:   {devices}",
                f"budget:    {format_seconds(self.budget_s)} wall clock, about {self.per_task_s:.0f} "
                f"device-seconds per task",
            ]
        )


def make_plan(
    input_root: Path,
    total_hours: float,
    safety_hours: float,
    elapsed_s: float,
    dry_run_minutes: float,
    dry_run_tasks: int,
) -> Plan:
    """Budget = what is left of the Kaggle limit after the safety margin (or the dry run's minutes)."""
    if safety_hours * 3600 <= KILL_GRACE_S:
        raise ValueError(f"SAFETY_HOURS must exceed the watchdog's grace of {KILL_GRACE_S / 3600:.2f} h")
    test_file = find_test_file(input_root)
    tasks = load_source(str(test_file)).tasks
    solutions = placeholder_solutions(test_file, [t.id for t in tasks])
    if solutions is not None:
        budget, run_tasks = dry_run_minutes * 60, min(len(tasks), dry_run_tasks)
    else:
        budget, run_tasks = (total_hours - safety_hours) * 3600 - elapsed_s, len(tasks)
    return Plan(test_file, tasks, solutions, run_tasks, visible_gpus(), max(budget, MIN_BUDGET_S))


def install_wheels(bundle: Path, site_dir: Path) -> list[str]:
    """pip-install the bundle's pinned wheels into `site_dir`, offline; returns the pins.

    --target keeps the system's site-packages untouched; --no-deps because the rest
    (torch, numpy, ...) is Kaggle's. pip reads no config and no PIP_* variables, so only
    the bundle's wheels can be used, with or without a network.
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    pins_by_version = json.loads((bundle / MARKER).read_text())["requirements"]
    if version not in pins_by_version:
        raise RuntimeError(
            f"the bundle has wheels for Python {', '.join(pins_by_version)}, this kernel runs "
            f"{version}: rebuild it with {version} in solver/bundle.py's PYTHON_VERSIONS"
        )
    pins = pins_by_version[version]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--upgrade",
            "--disable-pip-version-check",
            "--target",
            str(site_dir),
            "--find-links",
            str(bundle / "wheels"),
            *pins,
        ],
        check=True,
        env=env,
    )
    return pins


def solver_command(plan: Plan, out_dir: Path, extra_args: list[str]) -> list[str]:
    command = [
        sys.executable,
        "build_submission.py",
        "--tasks",
        str(plan.test_file),
        "--out",
        str(out_dir),
        "--time-budget",
        f"{plan.budget_s:.0f}",
        "--limit",
        str(plan.run_tasks),
        "--fresh",
    ]  # an earlier interactive run's journal in /kaggle/working must not block this one
    if plan.solutions is not None:
        command += ["--solutions", str(plan.solutions)]
    return command + list(extra_args)


def stop(process: subprocess.Popen) -> None:
    """End the solver and its workers (one process group): TERM, then KILL whatever is left."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return  # the whole group is gone
        with contextlib.suppress(subprocess.TimeoutExpired):  # then the next signal
            process.wait(TERM_WAIT_S)


def run_solver(plan: Plan, bundle: Path, site_dir: Path, out_dir: Path, extra_args: list[str]) -> int:
    """Run the solver from the bundle's source, streaming its log and progress bar; returns its exit code."""
    path = [str(site_dir), os.environ.get("PYTHONPATH", "")]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in path if p),
        "PYTHONDONTWRITEBYTECODE": "1",  # /kaggle/input is read-only
        "PYTHONUNBUFFERED": "1",
        # The program search's compiled kernels: numba would cache them beside their source,
        # in the read-only bundle; keep them with the run's other outputs instead.
        "NUMBA_CACHE_DIR": str(Path(out_dir) / "numba-cache"),
    }
    process = subprocess.Popen(
        solver_command(plan, out_dir, extra_args),
        cwd=bundle / "src",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    watchdog = threading.Timer(plan.budget_s + KILL_GRACE_S, stop, args=(process,))
    watchdog.start()
    try:
        assert process.stdout is not None  # stdout=PIPE
        for line in process.stdout:
            print(line, end="", flush=True)
        return process.wait()
    except BaseException:  # an interrupted cell must not leave workers holding the GPUs
        stop(process)
        raise
    finally:
        watchdog.cancel()


def finish_submission(path: Path, tasks: list[AnyTask]) -> list[str]:
    """Make `path` complete and valid for `tasks`; returns the problems it had (none: untouched).

    Every valid task entry already there is kept; every other task gets fallback attempts.
    """
    slots = expected_slots(tasks)
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        document = {}
        problems = [f"{path}: unreadable ({error})"]
    else:
        problems = validate_submission(document, slots)
    if not problems:
        return []
    answers = Submission(tasks).answers
    if isinstance(document, dict):
        for task_id, entries in document.items():
            if task_id in slots and not validate_submission({task_id: entries}, {task_id: slots[task_id]}):
                answers[task_id] = entries
    write_json_atomic(path, answers)
    return problems


def local_score(out_dir: Path) -> str:
    """The dry run's score line from the solver's report."""
    try:
        score = json.loads((Path(out_dir) / "report.json").read_text()).get("score")
    except (OSError, ValueError) as error:
        return f"no local score: the solver left no readable report.json ({error})"
    if score is None:
        return "no local score: report.json has none"
    return (
        f"local score (Kaggle rule): {score['kaggle']:.4f} ({score['correct']}/{score['total']} test outputs); "
        f"per-task average {score['per_task_average']:.4f}"
    )
