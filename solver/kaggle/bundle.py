"""The offline bundle: what a Kaggle notebook needs that the Kaggle image lacks.

`python -m solver.kaggle.bundle DIR [--wheels-from WHEELS]` writes the folder to upload as a
Kaggle dataset:

    arc-solver-bundle.json  marker and manifest (pins per Python version); kernel.ipynb finds the bundle by it
    README.md               how to upload and attach it
    kernel.ipynb            the notebook to import on Kaggle
    src/                    build_submission.py and the solver package; src/weights/ only when weights are shipped
    wheels/                 wheels of every runtime dependency Kaggle lacks, for CPython 3.11 and 3.12

Dependencies are pinned to the versions installed here, the ones the tests ran with.
The bundle never holds task files or solutions: on Kaggle those come from the
competition's own dataset, and a copy here could leak into a submission.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from solver.provenance import REPO_ROOT, git_commit

MARKER = "arc-solver-bundle.json"
FORMAT = "arc-solver-bundle/1"
PYTHON_VERSIONS = ("3.11", "3.12")
# Kaggle's image is Ubuntu with a recent glibc; these tags cover any binary wheel it can load.
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")
# Already in the Kaggle image: never bundled, nor their dependencies. (torch alone is GBs;
# packaging is here because requirements.txt lists it for this module, not for the solver.)
KAGGLE_PROVIDES = frozenset({"torch", "numpy", "numba", "safetensors", "packaging"})
SOURCE_FILES = ("build_submission.py", "pyproject.toml", "requirements.txt")
# Pretraining is not needed to solve tasks: the bundle leaves it out.
NOT_SHIPPED_PACKAGES = ("train",)
# Names that must never appear in a bundle (Kaggle task files, solutions, our test suite).
FORBIDDEN_PREFIX = "arc-agi_"
FORBIDDEN_WORD = "solution"
FORBIDDEN_DIR = "tests"

README = """\
# ARC solver bundle (offline)

Upload this folder as a private Kaggle dataset and attach it to `kernel.ipynb` together
with the competition's data. The notebook finds both anywhere under `/kaggle/input`
(it looks for `{marker}` and for `arc-agi_test_challenges.json`), so the dataset's name
does not matter.

- `kernel.ipynb`: the notebook to run on Kaggle (a copy of the repo's).
- `src/`: the solver source (`build_submission.py`, `solver/`){weights}.
- `wheels/` for CPython {pythons}: {pins}.
  The notebook installs them with `pip install --no-index --no-deps --target <tmp dir>`;
  torch, numpy, numba and safetensors come from the Kaggle image.

Steps:
1. Kaggle > Datasets > New dataset: upload the contents of this folder (keep the layout).
2. Kaggle > Code > New notebook > File > Import notebook: `kernel.ipynb`. Add input: this
   dataset and the competition (ARC Prize 2025 or 2026). Accelerator: 4 x L4 (any GPU
   count works). Internet: off.
3. Run all for a dry run on the public placeholder tasks (prints a local score), then
   Submit: the rerun on the hidden tasks uses the full 12-hour plan.

Built from commit {commit}. It holds no task data and no solutions.
"""


class BundleError(RuntimeError):
    """The bundle cannot be built; the message is one line."""


def runtime_requirements(path: Path = REPO_ROOT / "requirements.txt") -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def installed_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        raise BundleError(f"{name} is not installed here; run pip install -r requirements.txt first") from None


def missing_on_kaggle(roots: list[Requirement], python_version: str) -> list[str]:
    """`name==version` pins of the roots and everything they need, minus what Kaggle provides.

    Markers are evaluated for the target Python, so a 3.12-only dependency is found too.
    Versions are the ones installed here.
    """
    environment = {"python_version": python_version, "python_full_version": f"{python_version}.0", "extra": ""}
    pins: dict[str, str] = {}
    todo = list(roots)
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in KAGGLE_PROVIDES or name in pins:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        pins[name] = installed_version(name)
        todo.extend(Requirement(text) for text in importlib.metadata.requires(name) or [])
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def download_wheels(pins: list[str], dest: Path, python_version: str, wheels_from: Path | None) -> None:
    """Binary wheels only (nothing may be built on Kaggle), one pip call per Python version."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--only-binary=:all:",
        "--no-deps",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--dest",
        str(dest),
    ]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    if wheels_from is not None:
        command += ["--no-index", "--find-links", str(wheels_from)]
    result = subprocess.run(command + pins, capture_output=True, text=True)
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["(no output)"]
        raise BundleError(f"pip download for Python {python_version} failed: {tail[0]}")


def copy_source(dest: Path) -> list[str]:
    """The solver as source, so `weights/` stays where solver/trm/weights.py looks for it.

    Only what a run needs: every sub-package but the pretraining one. Returns the
    names of the weight files shipped.
    """
    dest.mkdir(parents=True)
    for name in SOURCE_FILES:
        shutil.copy2(REPO_ROOT / name, dest / name)
    shutil.copytree(
        REPO_ROOT / "solver",
        dest / "solver",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *NOT_SHIPPED_PACKAGES),
    )
    weights = REPO_ROOT / "weights"
    if not weights.is_dir():
        return []
    shutil.copytree(weights, dest / "weights")
    return sorted(p.name for p in (dest / "weights").glob("*.safetensors"))


def weights_line(weights: list[str]) -> str:
    """What the README says of `src/weights/`, which exists only when weights were shipped."""
    if weights:
        return f" and `weights/` with the pretrained weights: {', '.join(weights)}"
    return (
        ". No pretrained weights were shipped (there is no `src/weights/`): no TRM runs, the "
        "program search answers alone"
    )


def forbidden_files(root: Path) -> list[str]:
    """Paths under `root` that look like task data, solutions or tests."""
    found = []
    for path in root.rglob("*"):
        name = path.name.lower()
        if name.startswith(FORBIDDEN_PREFIX) or FORBIDDEN_WORD in name or (path.is_dir() and name == FORBIDDEN_DIR):
            found.append(str(path.relative_to(root)))
    return found


def build_bundle(dest: Path, wheels_from: Path | None = None) -> Path:
    """Write the bundle to `dest` (replacing an earlier bundle there, nothing else)."""
    dest = Path(dest).resolve()
    if dest.exists() and any(dest.iterdir()) and not (dest / MARKER).exists():
        raise BundleError(f"{dest} exists and is not a bundle; choose an empty or new folder")
    roots = [r for r in runtime_requirements() if canonicalize_name(r.name) not in KAGGLE_PROVIDES]
    pins = {version: missing_on_kaggle(roots, version) for version in PYTHON_VERSIONS}
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Built beside `dest` and swapped in at the end, so a failed build leaves no half bundle.
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
    try:
        weights = copy_source(staging / "src")
        shutil.copy2(REPO_ROOT / "kernel.ipynb", staging / "kernel.ipynb")
        for version in PYTHON_VERSIONS:
            download_wheels(pins[version], staging / "wheels", version, wheels_from)
        commit = git_commit(short=True) or "unknown"
        manifest = {
            "format": FORMAT,
            "requirements": pins,
            "weights": weights,
            "commit": commit,
            "wheels": sorted(p.name for p in (staging / "wheels").glob("*.whl")),
        }
        (staging / MARKER).write_text(json.dumps(manifest, indent=1) + "\n")
        all_pins = sorted({pin for version_pins in pins.values() for pin in version_pins})
        (staging / "README.md").write_text(
            README.format(
                marker=MARKER,
                weights=weights_line(weights),
                pins=", ".join(all_pins),
                pythons=" and ".join(PYTHON_VERSIONS),
                commit=commit,
            )
        )
        leaks = forbidden_files(staging)
        if leaks:
            raise BundleError(f"refusing to bundle task data, solutions or tests: {', '.join(leaks[:5])}")
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solver.kaggle.bundle", description="Build the offline bundle to upload as a Kaggle dataset."
    )
    parser.add_argument("dest", type=Path, help="output folder (created; an earlier bundle there is replaced)")
    parser.add_argument(
        "--wheels-from",
        type=Path,
        metavar="DIR",
        help="take wheels from this local folder instead of the package index",
    )
    args = parser.parse_args(argv)
    try:
        dest = build_bundle(args.dest, args.wheels_from)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    manifest = json.loads((dest / MARKER).read_text())
    print(f"bundle: {dest} ({len(manifest['wheels'])} wheels for Python {', '.join(manifest['requirements'])})")
    if not manifest["weights"]:
        print("warning: no pretrained weights in weights/; the notebook runs the program search alone", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
