"""solver.convert against fixtures made by the reference TRM itself (tests/fixtures/make_reference_fixtures.py)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from solver.arc.tasks import load_source
from solver.convert import main as convert_main
from solver.convert import read_arch, read_run_config
from solver.convert.source import REQUIRED_FLAGS
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
    model = load_weights(out)
    mean, std = model.task_embedding_mean, model.task_embedding_std
    assert torch.allclose(mean[0], table.mean(0), atol=1e-7) and not mean[1:].any()
    assert torch.allclose(std[0], table.std(0, unbiased=False), atol=1e-7) and not std[1:].any()
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
    flags = [f"{flag} {arch[key]}" for key, flag in REQUIRED_FLAGS.items()]
    model = load_weights(convert(tmp_path, *" ".join(flags).split(), source=source))
    assert model.cfg == load_weights(convert(tmp_path, name="yaml.safetensors")).cfg
    expected = reference_state["_orig_mod.model.inner.lm_head.weight"].to(torch.bfloat16).float()
    assert torch.equal(model.lm_head.weight, expected)
    assert model.lm_head.weight.dtype == torch.float32


def test_read_run_config_takes_the_scalars_only():
    text = (
        "arch:\n  H_cycles: 3\n  loss:\n    name: losses@ACTLossHead\n  mlp_t: false\n  name: 'trm'\n"
        "  halt_max_steps_eval: null\ndata_paths:\n- data/x\nhidden_size: 7\nlr: 0.0001\n"
    )
    arch, top = read_run_config(text)
    assert arch == {"H_cycles": 3, "mlp_t": False, "name": "trm", "halt_max_steps_eval": None}
    assert top == {"hidden_size": 7, "lr": 0.0001}
    assert read_arch(text) == arch


def test_no_config_and_no_flags_is_refused_naming_every_flag(tmp_path, capsys, reference_state):
    """Nothing is assumed: without all_config.yaml, the conversion needs the run's settings as flags."""
    source = tmp_path / "step_1"
    torch.save(reference_state, source)
    assert convert_main([str(source), "--out", str(tmp_path / "w.safetensors"), "--h-cycles", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "all_config.yaml" in err, err
    assert all(flag in err for key, flag in REQUIRED_FLAGS.items() if key != "H_cycles"), err
    assert "--h-cycles" not in err and not (tmp_path / "w.safetensors").exists()


class NotATensor:
    pass


REFUSALS = {
    "code": "NotATensor",
    "missing": "missing keys",
    "foreign": "missing key",
    "bad-row": "3 rows",
    "text": "not a torch checkpoint (torch.save writes a zip archive or a pickle; this file starts with b'hello",
    "empty": "an empty file",
    "broken-zip": "not a readable torch checkpoint (RuntimeError: ",
    "folder": "a folder; give the checkpoint file inside it",
    "prefix": "unknown key layout",
    "extra-key": "unexpected keys ['H_level.layers.0.mlp.down_proj.weight']",
    "other-arch": "only 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1'",
    "learned-positions": "pos_encodings 'learned'",
    "half-lora": "do not pair",
    "lora-without-alpha": "give --lora-alpha",
    "config-contradicts": "puzzle_emb_ndim 64 in the config, 32 in the weights",
    "config-lacks-setting": "all_config.yaml sets no H_cycles, num_heads: give --h-cycles --num-heads",
    "config-null-setting": "all_config.yaml sets no puzzle_emb_len: give --puzzle-emb-len",
    "config-bad-setting": "arch settings: invalid literal for int() with base 10: 'sixteen'",
}
NOT_A_STATE_DICT = {  # what the file holds instead of torch.save's output
    "text": lambda path: path.write_text("hello world\n"),
    "empty": lambda path: path.write_bytes(b""),
    "broken-zip": lambda path: path.write_bytes(CHECKPOINT.read_bytes()[:1000]),  # a download cut short
    "folder": lambda path: path.mkdir(),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_inputs_are_one_line_and_exit_2(tmp_path, capsys, reference_state, case):
    source = tmp_path / "step_1"
    state, flags = dict(reference_state), []
    config = (FIXTURES / "all_config.yaml").read_text()
    inner = "_orig_mod.model.inner."
    if case == "code":  # unpickling would have to import and build an arbitrary object
        state = {"weights": NotATensor()}
    elif case == "missing":
        state = {k: v for k, v in state.items() if not k.endswith("lm_head.weight")}
    elif case == "foreign":
        state = {"layer.weight": torch.zeros(2, 2)}
    elif case == "bad-row":
        flags = ["--puzzle-row", "3"]
    elif case == "prefix":  # a wrapper this converter was never shown
        state = {"ema." + k.removeprefix("_orig_mod."): v for k, v in state.items()}
    elif case == "extra-key":  # HRM's second level, say
        state[inner + "H_level.layers.0.mlp.down_proj.weight"] = torch.zeros(2, 2)
    elif case == "other-arch":  # same keys, other recursion (trm_singlez)
        config = config.replace("trm@", "trm_singlez@")
    elif case == "learned-positions":
        config = config.replace("pos_encodings: rope", "pos_encodings: learned")
    elif case == "half-lora":
        state[inner + "lm_head._lora_A"] = torch.zeros(4, 32)
    elif case == "lora-without-alpha":
        state[inner + "lm_head._lora_A"] = torch.zeros(4, 32)
        state[inner + "lm_head._lora_B"] = torch.zeros(12, 4)
    elif case == "config-contradicts":
        config = config.replace("puzzle_emb_ndim: 32", "puzzle_emb_ndim: 64")
    elif case == "config-lacks-setting":  # a run config trimmed by hand, or another fork's
        config = config.replace("  num_heads: 2\n", "").replace("  H_cycles: 2\n", "")
    elif case == "config-null-setting":
        config = config.replace("puzzle_emb_len: 16", "puzzle_emb_len: null")
    elif case == "config-bad-setting":
        config = config.replace("puzzle_emb_len: 16", "puzzle_emb_len: sixteen")
    if case in NOT_A_STATE_DICT:
        NOT_A_STATE_DICT[case](source)
    else:
        torch.save(state, source)
    (tmp_path / "all_config.yaml").write_text(config)
    assert convert_main([str(source), "--out", str(tmp_path / "w.safetensors"), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    assert REFUSALS[case] in err, err
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
