"""A run that never loses work: kills, deadlines, dying workers, determinism, no network.

Each test drives the real command line in subprocesses with the tiny preset; faults
come from solver.faults (SOLVER_FAULTS).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from solver.arc.submission import validate_submission
from tests.helpers import ROOT, SMALL_TASKS, SMOKE, offline_env, read_json, run_cli, small_tasks

TASKS = SMALL_TASKS


@pytest.fixture(scope="module")
def three_tasks():
    return {t.id: len(t.test) for t in small_tasks()[0]}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run: the submission every other run must reproduce byte for byte."""
    out = tmp_path_factory.mktemp("reference")
    result = run_cli(*TASKS, *SMOKE, "--out", out)
    assert result.returncode == 0, result.stderr
    return (out / "submission.json").read_bytes()


def test_same_inputs_give_byte_identical_submissions(tmp_path, reference):
    result = run_cli(*TASKS, *SMOKE, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "submission.json").read_bytes() == reference


def journal_records(out):
    path = out / "journal.jsonl"
    return path.read_bytes().count(b"\n") - 1 if path.exists() else -1


def start_cli(out, env):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build_submission.py"), *TASKS, *SMOKE, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.mark.parametrize("kill_after,torn", [(0, False), (1, False), (1, True), (2, False)])
def test_kill_9_then_rerun_gives_the_uninterrupted_submission(tmp_path, reference, three_tasks, kill_after, torn):
    # Each task sleeps a little first, so there is a moment between tasks to kill in.
    env = {"SOLVER_FAULTS": ",".join(f"sleep:{task_id}:1.5" for task_id in three_tasks)}
    process = start_cli(tmp_path, env)
    deadline = time.monotonic() + 120
    while journal_records(tmp_path) < kill_after and time.monotonic() < deadline:
        time.sleep(0.05)
    assert journal_records(tmp_path) >= kill_after
    os.killpg(process.pid, signal.SIGKILL)  # the supervisor and its workers, mid-flight
    process.wait()
    done_before = journal_records(tmp_path)
    if kill_after > 0:
        # What is on disk after the kill is already complete and valid.
        assert validate_submission(read_json(tmp_path / "submission.json"), three_tasks) == []
    if torn:
        with open(tmp_path / "journal.jsonl", "ab") as handle:
            handle.write(b'{"crc": 12, "body": "{\\"kind\\": \\"ta')  # a kill in mid-append
    result = run_cli(*TASKS, *SMOKE, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "submission.json").read_bytes() == reference
    report = read_json(tmp_path / "report.json")["tasks"]
    resumed = [task_id for task_id, entry in report.items() if entry.get("resumed")]
    assert len(resumed) == done_before


# The solver counts --time-budget from its own process start (solver.clock.process_start),
# interpreter start-up and imports included, and report.json's `seconds` checks that exactly.
# The wall clock, read from before the subprocess is spawned, also covers the fork and exec
# before that start and, after the last write, the interpreter's exit and the reaping: this
# allowance is for those, which a loaded two-core machine can stretch past a second.
SPAWN_AND_REAP_ALLOWANCE_S = 2.0


def test_deadline_writes_the_submission_and_exits_in_time(tmp_path, three_tasks):
    stuck = list(three_tasks)[1]
    budget = 25
    start = time.monotonic()
    result = run_cli(
        *TASKS, *SMOKE, "--out", tmp_path, "--time-budget", budget, env={"SOLVER_FAULTS": f"sleep:{stuck}:600"}
    )
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert elapsed < budget + SPAWN_AND_REAP_ALLOWANCE_S, f"took {elapsed:.1f}s for a {budget}s budget"
    submission = read_json(tmp_path / "submission.json")
    assert validate_submission(submission, three_tasks) == []
    report = read_json(tmp_path / "report.json")
    assert report["seconds"] < budget  # the guarantee itself, counted from the process start
    assert report["tasks"][stuck]["status"] == "timeout"
    assert sum(entry["status"] == "done" for entry in report["tasks"].values()) >= 1


# A process left behind by a stopped run must be gone within this long. Generous, so that a
# busy machine cannot fail the test; a worker that is not stopped sleeps for ten minutes.
LEFTOVER_WAIT_S = 20.0


def group_members(pgid):
    """Pids of the live (not zombie) processes of process group `pgid` (Linux's /proc)."""
    members = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended while listed
            continue
        state, _, group = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(int(entry))
    return members


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def ctrl_c_as_in_a_terminal():
    # A shell starts background jobs with SIGINT ignored, and Python keeps an inherited "ignore":
    # pytest run with `&` would pass that on, and the run would never see its Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_watched_cli(out, env):
    """The real command line in a process group of its own, stderr captured."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build_submission.py"), *TASKS, *SMOKE, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes through Linux's /proc")
@pytest.mark.parametrize(
    "stop,to_group,code,first_words",
    [
        (signal.SIGINT, True, 130, "interrupted"),  # a terminal's Ctrl-C reaches the supervisor and its workers
        (signal.SIGTERM, True, 143, "terminated (SIGTERM)"),  # `timeout` signals the whole group
        (signal.SIGTERM, False, 143, "terminated (SIGTERM)"),  # `kill PID`, a batch scheduler: the supervisor only
    ],
)
def test_a_stop_signal_is_one_line_and_the_same_command_resumes(
    tmp_path, reference, three_tasks, stop, to_group, code, first_words
):
    env = {"SOLVER_FAULTS": ",".join(f"sleep:{task_id}:1.5" for task_id in three_tasks)}
    process = start_watched_cli(tmp_path, env)
    try:
        assert wait_until(lambda: journal_records(tmp_path) >= 1, 120)
        if to_group:
            os.killpg(process.pid, stop)
        else:
            os.kill(process.pid, stop)
        process.wait(timeout=60)
        assert wait_until(lambda: not group_members(process.pid), LEFTOVER_WAIT_S)  # no worker left running
    finally:
        if group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)  # leave nothing behind, even when the test fails
    stderr = process.stderr.read()
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr  # from no process
    assert stderr.strip().splitlines()[-1].startswith(f"{first_words}; run the same command again to resume")
    result = run_cli(*TASKS, *SMOKE, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stderr
    assert (tmp_path / "submission.json").read_bytes() == reference


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="lists processes through Linux's /proc")
def test_workers_end_soon_and_quietly_after_a_kill_9_of_the_supervisor_alone(tmp_path, three_tasks):
    stuck = list(three_tasks)[1]
    markers = tmp_path / "markers"
    markers.mkdir()
    env = {"SOLVER_FAULTS": f"sleep:{stuck}:600", "SOLVER_FAULT_MARKERS": str(markers)}
    process = start_watched_cli(tmp_path / "out", env)
    try:
        assert wait_until((markers / f"sleep-{stuck}").exists, 120)  # a worker is mid-task
        os.kill(process.pid, signal.SIGKILL)  # the supervisor alone: its workers get no signal
        process.wait(timeout=60)
        assert wait_until(lambda: not group_members(process.pid), LEFTOVER_WAIT_S)
    finally:
        if group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)  # leave nothing behind, even when the test fails
    stderr = process.stderr.read()  # every writer is gone: this reads to the end
    for noise in ("Traceback", "BrokenPipeError", "leaked"):
        assert noise not in stderr, stderr


def test_a_dying_worker_has_its_task_reassigned(tmp_path, three_tasks):
    victim = next(iter(three_tasks))
    markers = tmp_path / "markers"
    markers.mkdir()
    result = run_cli(
        *TASKS,
        *SMOKE,
        "--out",
        tmp_path / "out",
        env={"SOLVER_FAULTS": f"exit1:{victim}", "SOLVER_FAULT_MARKERS": str(markers)},
    )
    assert result.returncode == 0, result.stderr
    assert "died" in result.stderr and "handing it to another worker" in result.stderr
    report = read_json(tmp_path / "out" / "report.json")["tasks"]
    assert all(entry["status"] == "done" for entry in report.values())


def test_a_task_that_always_kills_its_worker_gets_fallbacks(tmp_path, three_tasks):
    victim = list(three_tasks)[2]
    result = run_cli(*TASKS, *SMOKE, "--out", tmp_path, env={"SOLVER_FAULTS": f"exit:{victim}"})
    assert result.returncode == 0, result.stderr
    report = read_json(tmp_path / "report.json")["tasks"]
    assert report[victim]["status"] == "failed" and "died twice" in report[victim]["error"]
    assert [entry["status"] for task_id, entry in report.items() if task_id != victim] == ["done", "done"]
    assert validate_submission(read_json(tmp_path / "submission.json"), three_tasks) == []


def test_out_of_memory_backs_off_inside_the_run(tmp_path, three_tasks):
    victim = next(iter(three_tasks))
    result = run_cli(*TASKS, *SMOKE, "--out", tmp_path, env={"SOLVER_FAULTS": f"oom:{victim}:2"})
    assert result.returncode == 0, result.stderr
    report = read_json(tmp_path / "report.json")["tasks"]
    assert report[victim]["status"] == "done"
    assert report[victim]["finetune_batch"] == 2  # 8 -> 4 -> 2
    assert "out of memory" in result.stderr


def test_the_solver_needs_no_network(tmp_path, reference):
    probe = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"
    check = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=offline_env())
    assert check.returncode != 0 and "network blocked" in check.stderr  # the block itself works
    result = run_cli(*TASKS, *SMOKE, "--out", tmp_path, env=offline_env())
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "submission.json").read_bytes() == reference
