"""The command line's contract with a user: one line and exit code 2 for bad input, help for
every option, Ctrl-C as exit 130, outputs that never belong to another run.

Everything but one case calls `main(argv)` in this process (importing torch for each of a
dozen subprocesses cost a minute); `test_the_real_entry_point_*` runs the script itself.
"""

import dataclasses
import json
import logging
import os
import stat

import pytest
import torch

from solver.config import SOLVE_PRESETS, SolveConfig
from solver.run import cli
from solver.run.cli import main
from solver.run.interrupts import Terminated
from solver.settings import ConfigError, declared_settings
from tests.helpers import run_cli


def run_main(argv, capsys):
    """(exit code, stdout, stderr) of main(argv); argparse's own errors exit via SystemExit."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_usage_error(code, err, fault):
    assert code == 2
    assert fault in err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if "error" in line]) == 1


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path


@pytest.mark.parametrize(
    "args,fault",
    [
        (["--tasks", "nope.json"], "no such file"),
        (["--tasks", "arc1/evaluation"], "unknown dataset"),
        (["--tasks", "arc3/eval"], "arc1/train, arc1/eval, arc2/train, arc2/eval"),  # the names it accepts
        (["--tasks", "arc1/eval", "--limit", "0"], "must be >= 1"),
        (["--tasks", "arc1/eval", "--limit", "x"], "not an integer"),
        (["--tasks", "arc1/eval", "--time-budget", "-5"], "must be > 0"),
        (["--tasks", "arc1/eval", "--time-budget", "inf"], "must be > 0"),
        (["--tasks", "arc1/eval", "--device", "tpu"], "invalid choice"),
        (["--tasks", "arc1/eval", "--task-ids", "zzzz"], "not in the tasks file"),
        (["--tasks", "arc1/eval", "--task-ids", " , "], "no task id in it"),
        (["--tasks", "arc1/eval", "--weights", "missing.safetensors"], "no such file"),
        (["--tasks", "arc1/eval", "--seed", str(2**64)], "must be in [0, 4294967295]"),
        (["--tasks", "arc1/eval", "--h-cycles", "0"], "must be >= 1"),
        (["--tasks", "arc1/eval", "--embedding-init", "noise"], "invalid choice"),
        (  # the untrained model has no pretrained table, hence no spread to draw noise with
            ["--tasks", "arc1/eval", "--experts", "trm", "--embedding-init", "mean+noise"],
            "carries no task-embedding std",
        ),
        ([], "required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, fault, tmp_path, capsys):
    code, _, err = run_main([*args, "--out", tmp_path / "out"], capsys)
    assert_one_line_usage_error(code, err, fault)


@pytest.mark.parametrize("under", [False, True])
def test_out_naming_a_file_is_one_line_and_exit_2(a_file, under, capsys):
    out = a_file / "sub" if under else a_file
    code, _, err = run_main(["--tasks", "arc1/eval", "--limit", "1", "--out", out], capsys)
    assert_one_line_usage_error(code, err, "is a file" if under else "not a folder")
    assert a_file.read_text() == "not a folder"


@pytest.mark.parametrize(
    "weights,fault",
    [("folder", "a folder; give the .safetensors file inside it"), ("text", "not a readable safetensors file")],
)
def test_weights_that_are_no_weights_file_say_what_they_are(weights, fault, tmp_path, capsys):
    path = tmp_path / "weights"
    if weights == "folder":
        path.mkdir()
    else:
        path.write_text("hello world\n")
    code, _, err = run_main(["--tasks", "arc1/eval", "--weights", path, "--out", tmp_path / "out"], capsys)
    assert_one_line_usage_error(code, err, fault)


def test_unreadable_tasks_file(tmp_path, capsys):
    bad = tmp_path / "t.json"
    bad.write_bytes(b'{"a": [1,')
    code, _, err = run_main(["--tasks", bad, "--out", tmp_path / "o"], capsys)
    assert_one_line_usage_error(code, err, "invalid JSON")


def test_cuda_requested_without_gpu(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    code, _, err = run_main(["--tasks", "arc1/eval", "--device", "cuda", "--out", tmp_path], capsys)
    assert_one_line_usage_error(code, err, "no CUDA GPU")


def test_the_real_entry_point_prints_one_line_and_exits_2(tmp_path):
    result = run_cli("--tasks", "nope.json", "--out", tmp_path, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("error: ")
    ]
    assert "no such file" in result.stderr


def test_help_gives_every_option_a_text_and_its_default(capsys):
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0
    for action in cli.build_parser()._actions:
        if action.dest == "help":
            continue
        assert action.help, f"{action.option_strings} has no help text"
        if action.dest in {declared.name for declared in declared_settings(SolveConfig)}:
            # Solver settings default to the chosen --config preset: each preset's value is shown.
            assert "default from --config" in action.help and "cpu-smoke:" in action.help, action.help
        elif action.dest != "quiet" and action.dest != "fresh" and not action.required:
            assert "default" in action.help, f"{action.option_strings}: {action.help}"
    text = " ".join(out.split())
    assert "(full: 600, cpu-smoke: 4, nvarc: 94, trelis: 600)" in text  # fine-tuning steps, as the presets say
    assert "(full: search,trm, cpu-smoke: search,trm," in text and "('search'" not in text  # as a user types it
    assert "an integer in [1, 6]" in text  # --search-depth: the search's own limit


@pytest.mark.parametrize(
    "option,value,fault",
    [
        ("--search-depth", "7", "must be in [1, 6]"),  # deeper than the search goes
        ("--search-depth", "0", "must be in [1, 6]"),
        ("--search-seconds", "0", "must be in (0, 1000000)"),
        ("--search-seconds", "1e7", "must be in (0, 1000000)"),
        ("--search-share", "1", "must be in (0, 1)"),
        ("--finetune-steps", "-1", "must be >= 0"),
        ("--finetune-lr", "nan", "must be > 0"),
        ("--augmentations", "0", "must be >= 1"),
        ("--inference-sup-steps", "2.5", "not an integer or none"),
        ("--finetune-share", "1", "must be in [0, 1)"),
        ("--experts", "search,search", "distinct names from search, trm"),
        ("--experts", "gpt", "distinct names from search, trm"),
        ("--loss", "hinge", "invalid choice"),
        ("--seed", "-1", "must be in [0, 4294967295]"),
    ],
)
def test_a_bad_solver_setting_is_one_line_and_exit_2_before_any_worker_starts(
    option, value, fault, tmp_path, capsys, monkeypatch
):
    def no_run(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(cli, "run", no_run)
    code, _, err = run_main(["--tasks", "arc1/eval", "--limit", "1", "--out", tmp_path, option, value], capsys)
    assert_one_line_usage_error(code, err, fault)
    assert option in err  # the line names the option


def test_every_solver_setting_has_an_option_that_reaches_the_config():
    # A value other than the default for each declared setting, written as a user would.
    other = {int: "3", float: "0.5"}
    parser = cli.build_parser()
    for declared in declared_settings(SolveConfig):
        action = next(a for a in parser._actions if a.dest == declared.name)
        flag = action.option_strings[0]
        if declared.kind.many:
            argv, expected = [flag, "trm"], ("trm",)
        elif declared.kind.base is bool:
            argv, expected = [f"--no-{flag[2:]}" if declared.default else flag], not declared.default
        elif declared.spec.choices:
            expected = next(c for c in declared.spec.choices if c != declared.default)
            argv = [flag, expected]
        else:
            argv, expected = [flag, other[declared.kind.base]], declared.kind.base(other[declared.kind.base])
        cfg = cli.solve_config(parser.parse_args(["--tasks", "x", *argv]))
        assert getattr(cfg, declared.name) == expected, (argv, getattr(cfg, declared.name))
        assert cfg == dataclasses.replace(SolveConfig(), **{declared.name: expected})  # nothing else moved
    untouched = cli.solve_config(parser.parse_args(["--tasks", "x", "--config", "cpu-smoke"]))
    assert untouched == SOLVE_PRESETS["cpu-smoke"]


def test_none_gives_an_optional_setting_back_to_the_model_whatever_the_preset():
    """--config nvarc sets the recursion; `none` returns each setting to the model's own."""
    parser = cli.build_parser()
    optional = [d for d in declared_settings(SolveConfig) if d.kind.optional]
    assert {d.name for d in optional} >= {"h_cycles", "l_cycles", "finetune_sup_steps", "inference_sup_steps"}
    for declared in optional:
        flag = next(a for a in parser._actions if a.dest == declared.name).option_strings[0]
        assert getattr(SOLVE_PRESETS["nvarc"], declared.name) is not None, declared.name
        cfg = cli.solve_config(parser.parse_args(["--tasks", "x", "--config", "nvarc", flag, "none"]))
        assert cfg == dataclasses.replace(SOLVE_PRESETS["nvarc"], **{declared.name: None})


def invalid_tasks_file(path, ids):
    path.write_text(json.dumps({task_id: {"train": [], "test": [{"input": [[1]]}]} for task_id in ids}))
    return path


def test_no_valid_task_writes_fallbacks_and_exits_2(tmp_path, capsys, caplog):
    tasks = invalid_tasks_file(tmp_path / "t.json", ["a", "b"])
    code, _, err = run_main(["--tasks", tasks, "--out", tmp_path / "out"], capsys)
    assert code == 2 and "none of the 2 tasks is valid" in err and "Traceback" not in err
    submission = json.loads((tmp_path / "out" / "submission.json").read_text())
    assert set(submission) == {"a", "b"}  # complete (fallbacks), and this run's, not an earlier one's
    # The task is named once, the fault after it (not "task a: task a: ...").
    assert "task a: train: must be a non-empty list of pairs" in caplog.text
    assert "task a: task a" not in caplog.text and "task a: task a" not in err


def test_one_task_is_one_task_and_the_log_says_where_workers_run(tmp_path, capsys, caplog):
    tasks = invalid_tasks_file(tmp_path / "t.json", ["a"])
    caplog.set_level(logging.INFO, logger="solver")
    code, out, err = run_main(["--tasks", tasks, "--out", tmp_path / "out"], capsys)
    assert code == 2 and "(1 task)" in out and "error: the one task is not valid" in err
    assert "1 task from" in caplog.text and "1 tasks" not in out + err + caplog.text
    assert cli.describe_workers(["cpu"]) == "1 worker on the CPU"
    assert cli.describe_workers(["cpu", "cpu"]) == "2 workers on the CPU (one per core)"  # not "on cpu, cpu"
    assert cli.describe_workers(["cuda:0", "cuda:1"]) == "2 workers (cuda:0, cuda:1)"


def test_fresh_leaves_no_report_of_the_earlier_run(tmp_path, capsys):
    out = tmp_path / "out"
    first = invalid_tasks_file(tmp_path / "first.json", ["old1", "old2"])
    second = invalid_tasks_file(tmp_path / "second.json", ["new"])
    run_main(["--tasks", first, "--out", out], capsys)
    (out / "report.html").write_text("<p>the first run</p>")
    (out / "notes.txt").write_text("the user's own file")
    # Another run into the same folder is refused and touches nothing...
    code, _, err = run_main(["--tasks", second, "--out", out], capsys)
    assert code == 2 and "--fresh" in err
    assert (out / "reports" / "old1.json").exists() and (out / "report.html").exists()
    # ...and with --fresh nothing of the first run is left looking current.
    run_main(["--tasks", second, "--out", out, "--fresh"], capsys)
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["new.json"]
    assert "the first run" not in (out / "report.html").read_text()  # the new run's own page
    assert list(json.loads((out / "report.json").read_text())["tasks"]) == ["new"]
    assert (out / "notes.txt").exists()  # only the files a run writes are removed


def test_outputs_are_created_with_the_umask_not_0600(tmp_path, capsys):
    previous = os.umask(0o027)
    try:
        run_main(["--tasks", invalid_tasks_file(tmp_path / "t.json", ["a"]), "--out", tmp_path / "out"], capsys)
    finally:
        os.umask(previous)
    for name in ("submission.json", "report.json", "reports/a.json", "journal.jsonl"):
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == 0o640, name


def test_ctrl_c_is_one_line_that_says_how_to_resume_and_exit_130(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run", interrupted)
    code, _, err = run_main(["--tasks", "arc1/eval", "--limit", "1", "--out", tmp_path], capsys)
    assert code == 130
    assert err.strip().splitlines()[-1].startswith("interrupted; run the same command again to resume")
    code, _, err = run_main(["--tasks", "arc1/eval", "--limit", "1", "--out", tmp_path, "--fresh"], capsys)
    assert code == 130 and "without --fresh" in err  # the same command would start over


def test_sigterm_is_handled_like_ctrl_c_with_exit_143(tmp_path, capsys, monkeypatch):
    def terminated(*args, **kwargs):
        raise Terminated  # what solver.run.interrupts raises on SIGTERM

    monkeypatch.setattr(cli, "run", terminated)
    code, _, err = run_main(["--tasks", "arc1/eval", "--limit", "1", "--out", tmp_path], capsys)
    assert code == 143
    assert err.strip().splitlines()[-1].startswith("terminated (SIGTERM); run the same command again to resume")


def test_an_internal_value_error_is_a_bug_but_a_config_error_is_bad_input(tmp_path, capsys, monkeypatch):
    def raising(error):
        def solve_config(*args, **kwargs):
            raise error

        return solve_config

    argv = ["--tasks", "arc1/eval", "--limit", "1", "--out", str(tmp_path)]
    monkeypatch.setattr(cli, "solve_config", raising(ValueError("an internal bug")))
    with pytest.raises(ValueError, match="an internal bug"):  # a traceback, not "error: ..." and exit 2
        main(argv)
    monkeypatch.setattr(cli, "solve_config", raising(ConfigError("SolveConfig: sup_steps must be >= 1")))
    code, _, err = run_main(argv, capsys)
    assert_one_line_usage_error(code, err, "must be >= 1")


def test_cpu_smoke_picks_the_tiny_model_unless_told_otherwise():
    parser = cli.build_parser()
    assert cli.model_preset_name(parser.parse_args(["--tasks", "x", "--config", "cpu-smoke"])) == "tiny"
    assert cli.model_preset_name(parser.parse_args(["--tasks", "x"])) == "trm-7m"
    assert (
        cli.model_preset_name(parser.parse_args(["--tasks", "x", "--config", "cpu-smoke", "--preset", "trm-7m"]))
        == "trm-7m"
    )
