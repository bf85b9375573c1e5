"""solver.convert against fixtures made by the reference TRM itself (tests/fixtures/make_reference_fixtures.py)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from solver.arc.tasks import load_source
from solver.convert import main as convert_main
from solver.convert import read_arch
from solver.trm.codec import encode
from solver.trm.config import ModelConfig
from solver.trm.weights import load_weights, provenance, sha256_file
from tests.helpers import read_json, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "trm_ref"
CHECKPOINT = FIXTURES / "step_7"
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def reference():
    return dict(np.load(FIXTURES / "reference_outputs.npz"))


@pytest.fixture(scope="module")
def reference_state():
    return torch.load(CHECKPOINT, map_location="cpu", weights_only=True)


def convert(tmp_path, *flags, source=CHECKPOINT, name="ref.safetensors"):
    out = tmp_path / name
    assert convert_main([str(source), "--out", str(out), *flags]) == 0
    return out


def reference_grids(reference):
    tasks = {t.id: t for t in load_source("arc1/train").tasks}
    return [tasks[str(t)].train[int(p)].input for t, p in zip(reference["task_ids"], reference["pairs"])]


def test_converted_model_reproduces_the_reference_logits(tmp_path, reference):
    out = convert(tmp_path, "--puzzle-row", str(int(reference["puzzle_id"])))
    model = load_weights(out).eval()
    assert (model.cfg.positions, model.cfg.canvas, model.cfg.prefix_len) == ("rope1d", "30", 16)
    # Our codec writes the reference's token layout: top-left grid, EOS row and column, PAD.
    tokens = np.stack([encode(g, 30) for g in reference_grids(reference)])
    assert np.array_equal(tokens, reference["inputs"])
    tokens = torch.from_numpy(tokens)
    with torch.no_grad():
        embeddings, carry = model.new_task_embeddings(len(tokens)), None
        for step, (ref_logits, ref_halt) in enumerate(zip(reference["logits"], reference["halt_logits"])):
            carry, logits, halt = model(tokens, embeddings, carry)
            diff = float((logits.numpy() - ref_logits).__abs__().max())
            halt_diff = float(np.abs(halt.numpy() - ref_halt).max())
            print(f"step {step}: max |logit diff| {diff:.3g}, halting {halt_diff:.3g}")
            assert diff <= TOLERANCE, step
            assert np.allclose(halt.numpy(), ref_halt, atol=TOLERANCE, rtol=0), step
            assert np.array_equal(logits.argmax(-1).numpy(), ref_logits.argmax(-1)), step
    assert len(reference["logits"]) == model.cfg.halt_max_steps


def test_default_keeps_the_mean_puzzle_row_and_records_provenance(tmp_path, reference_state):
    out = convert(tmp_path)
    table = reference_state["_orig_mod.model.inner.puzzle_emb.weights"]
    mean = load_weights(out).task_embedding_mean
    assert torch.allclose(mean[0], table.mean(0), atol=1e-7) and not mean[1:].any()
    origin = provenance(out)
    assert origin["converted_from"] == "step_7" and origin["source_sha256"] == sha256_file(CHECKPOINT)
    assert origin["puzzle_table_rows"] == 3 and "mean of all rows" in origin["task_embedding_mean"]
    entry = read_json(tmp_path / "MANIFEST.json")["files"][out.name]
    assert entry["sha256"] == sha256_file(out) and entry["puzzle_table_rows"] == 3
    assert ModelConfig.from_dict(entry["config"]) == load_weights(out).cfg


def test_plain_keys_bf16_and_config_from_flags(tmp_path, reference_state):
    """An uncompiled run's keys (`model.inner.*`) in bf16, no all_config.yaml: flags give the config."""
    source = tmp_path / "src" / "step_1"
    source.parent.mkdir()
    torch.save({k.removeprefix("_orig_mod."): v.to(torch.bfloat16) for k, v in reference_state.items()}, source)
    arch = read_arch((FIXTURES / "all_config.yaml").read_text())
    flags = [
        "--h-cycles",
        str(arch["H_cycles"]),
        "--l-cycles",
        str(arch["L_cycles"]),
        "--num-heads",
        str(arch["num_heads"]),
        "--halt-max-steps",
        str(arch["halt_max_steps"]),
    ]
    model = load_weights(convert(tmp_path, *flags, source=source))
    assert model.cfg == load_weights(convert(tmp_path, name="yaml.safetensors")).cfg
    expected = reference_state["_orig_mod.model.inner.lm_head.weight"].to(torch.bfloat16).float()
    assert torch.equal(model.lm_head.weight, expected)
    assert model.lm_head.weight.dtype == torch.float32


def test_read_arch_takes_the_arch_scalars_only():
    text = (
        "arch:\n  H_cycles: 3\n  loss:\n    name: losses@ACTLossHead\n  mlp_t: false\n  name: 'trm'\n"
        "data_paths:\n- data/x\nhidden_size: 7\n"
    )
    assert read_arch(text) == {"H_cycles": 3, "mlp_t": False, "name": "trm"}


class NotATensor:
    pass


@pytest.mark.parametrize("case", ["code", "missing", "foreign", "bad-row", "text", "empty", "broken-zip", "folder"])
def test_refused_inputs_are_one_line_and_exit_2(tmp_path, capsys, reference_state, case):
    source = tmp_path / "step_1"
    flags = []
    if case == "code":  # unpickling would have to import and build an arbitrary object
        torch.save({"weights": NotATensor()}, source)
    elif case == "missing":
        torch.save({k: v for k, v in reference_state.items() if not k.endswith("lm_head.weight")}, source)
    elif case == "foreign":
        torch.save({"layer.weight": torch.zeros(2, 2)}, source)
    elif case == "text":
        source.write_text("hello world\n")
    elif case == "empty":
        source.write_bytes(b"")
    elif case == "broken-zip":
        source.write_bytes(CHECKPOINT.read_bytes()[:1000])  # a download cut short
    elif case == "folder":
        source.mkdir()
    else:
        shutil.copyfile(CHECKPOINT, source)
        flags = ["--puzzle-row", "3"]
    shutil.copyfile(FIXTURES / "all_config.yaml", tmp_path / "all_config.yaml")
    assert convert_main([str(source), "--out", str(tmp_path / "w.safetensors"), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    expected = {
        "code": "NotATensor",
        "missing": "missing keys",
        "foreign": "missing key",
        "bad-row": "3 rows",
        "text": "not a torch checkpoint (torch.save writes a zip archive or a pickle; this file starts with b'hello",
        "empty": "an empty file",
        "broken-zip": "not a readable torch checkpoint (RuntimeError: ",
        "folder": "a folder; give the checkpoint file inside it",
    }
    assert expected[case] in err
    assert not (tmp_path / "w.safetensors").exists()


def test_solver_runs_end_to_end_on_a_converted_checkpoint(tmp_path):
    out = convert(tmp_path)
    source = load_source("arc1/eval")
    task = next(t for t in source.tasks if t.id == "66e6c45b")  # small grids, one test input
    tasks_file = tmp_path / "tasks.json"
    tasks_file.write_text(
        json.dumps(
            {
                task.id: {
                    "train": [{"input": p.input.tolist(), "output": p.output.tolist()} for p in task.train],
                    "test": [{"input": p.input.tolist()} for p in task.test],
                }
            }
        )
    )
    run = tmp_path / "run"
    result = run_cli(
        "--tasks",
        tasks_file,
        "--weights",
        out,
        "--config",
        "cpu-smoke",
        "--device",
        "cpu",
        "--augmentations",
        "4",
        "--finetune-steps",
        "2",
        "--finetune-batch",
        "4",
        "--out",
        run,
    )
    assert result.returncode == 0, result.stderr
    report = read_json(run / "report.json")
    entry = report["tasks"][task.id]
    assert entry["status"] == "done" and entry["canvas_side"] == 30
    assert all(t["candidates"] == 4 for t in entry["tests"])
    assert len(read_json(run / "submission.json")[task.id]) == len(task.test)


def test_the_supervisor_shares_time_by_the_model_canvas(tmp_path):
    from solver.config import SolveConfig
    from solver.run.supervisor import RunOptions, model_canvas

    def options(weights):
        return RunOptions(
            out_dir=tmp_path,
            devices=["cpu"],
            weights_path=weights,
            weights_sha256=None,
            weights_label="w",
            preset="tiny",
            solve=SolveConfig(),
        )

    assert model_canvas(options(str(convert(tmp_path)))) == "30"
    assert model_canvas(options(None)) == "fit"
