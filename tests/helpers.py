"""Running the real command line in a subprocess, as a user would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Both experts, so the TRM path (untrained, tiny) runs too: without weights the search would answer alone.
SMOKE = ["--preset", "tiny", "--config", "cpu-smoke", "--device", "cpu", "--experts", "search,trm"]
# Three real arc1/eval tasks with small grids (so runs take seconds), one with two test inputs.
SMALL_TASK_IDS = ["66e6c45b", "4cd1b7b2", "6ea4a07e"]
SMALL_TASKS = ["--tasks", "arc1/eval", "--task-ids", ",".join(SMALL_TASK_IDS)]


def small_tasks():
    from solver.arc.tasks import load_source, select_tasks

    source = load_source("arc1/eval")
    return select_tasks(source.tasks, SMALL_TASK_IDS, None), source.solutions


def run_cli(*args, env=None, timeout=300):
    # One torch thread: the tiny preset runs fastest so, and runs in parallel do not oversubscribe.
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "build_submission.py"), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def read_json(path):
    return json.loads(Path(path).read_text())


NETBLOCK = ROOT / "tests" / "netblock"  # its sitecustomize.py blocks all but loopback connections


def offline_env(**extra):
    """os.environ with the network blocked for the process and its children (and no other PYTHONPATH)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "PYTHONPATH": str(NETBLOCK), **extra}
