import pytest

from tests.helpers import run_cli


@pytest.mark.parametrize("args,fault", [
    (["--tasks", "nope.json"], "no such file"),
    (["--tasks", "arc1/evaluation"], "unknown dataset"),
    (["--tasks", "arc1/eval", "--limit", "0"], "must be >= 1"),
    (["--tasks", "arc1/eval", "--limit", "x"], "not an integer"),
    (["--tasks", "arc1/eval", "--time-budget", "-5"], "positive number"),
    (["--tasks", "arc1/eval", "--device", "tpu"], "invalid choice"),
    (["--tasks", "arc1/eval", "--task-ids", "zzzz"], "not in the tasks file"),
    (["--tasks", "arc1/eval", "--weights", "missing.safetensors"], "no such file"),
    (["--tasks", "arc1/eval", "--seed", str(2**64)], "must be at most"),
    ([], "required"),
])
def test_bad_input_is_one_line_and_exit_2(args, fault, tmp_path):
    result = run_cli(*args, "--out", tmp_path, timeout=60)
    assert result.returncode == 2
    assert fault in result.stderr
    assert "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if "error" in line]) == 1


def test_unreadable_tasks_file(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_bytes(b"{\"a\": [1,")
    result = run_cli("--tasks", bad, "--out", tmp_path / "o", timeout=60)
    assert result.returncode == 2 and "invalid JSON" in result.stderr and "Traceback" not in result.stderr


def test_cuda_requested_without_gpu(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    result = run_cli("--tasks", "arc1/eval", "--device", "cuda", "--out", tmp_path, timeout=60)
    assert result.returncode == 2 and "no CUDA GPU" in result.stderr
