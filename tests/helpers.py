"""Running the real command line in a subprocess, as a user would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = ["--preset", "tiny", "--config", "cpu-smoke", "--device", "cpu"]


def run_cli(*args, env=None, timeout=300):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "build_submission.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=full_env, timeout=timeout)


def read_json(path):
    return json.loads(Path(path).read_text())


NETBLOCK = ROOT / "tests" / "netblock"  # its sitecustomize.py blocks all but loopback connections


def offline_env(**extra):
    """os.environ with the network blocked for the process and its children (and no other PYTHONPATH)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "PYTHONPATH": str(NETBLOCK), **extra}
