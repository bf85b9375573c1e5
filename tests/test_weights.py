import json
import pickle

import pytest
import torch

from solver.trm.config import model_preset
from solver.trm.weights import WeightsError, build_model, load_weights, provenance, save_weights, sha256_file


def test_safetensors_round_trip_is_exact(tmp_path, tiny_model):
    with torch.no_grad():
        tiny_model.lm_head.weight.add_(1.0)
        tiny_model.task_embedding_mean.add_(0.5)
    path = tmp_path / "w.safetensors"
    digest = save_weights(tiny_model, path, {"steps": 12})
    assert digest == sha256_file(path)
    loaded = load_weights(path, sha256=digest)
    assert loaded.cfg == tiny_model.cfg
    for key, value in tiny_model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    assert provenance(path) == {"steps": 12}


def test_sha_mismatch_is_refused(tmp_path, tiny_model):
    path = tmp_path / "w.safetensors"
    save_weights(tiny_model, path)
    with pytest.raises(WeightsError, match="sha256"):
        load_weights(path, sha256="0" * 64)


def test_compiled_or_wrapped_models_save_their_plain_weights(tmp_path, tiny_model):
    class Wrapper(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.module = inner

    save_weights(Wrapper(tiny_model), tmp_path / "w.safetensors")
    assert load_weights(tmp_path / "w.safetensors").cfg == tiny_model.cfg


def test_wrong_shape_is_a_clear_error(tmp_path):
    from safetensors.torch import save_file

    model = build_model(model_preset("tiny"))
    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    tensors["lm_head.weight"] = torch.zeros(3, 3)
    path = tmp_path / "w.safetensors"
    save_file(tensors, str(path), metadata={"format": "arc-trm-solver/1", "config": model.cfg.to_json()})
    with pytest.raises(WeightsError, match=r"lm_head\.weight has shape"):
        load_weights(path)
    del tensors["lm_head.weight"]
    save_file(tensors, str(path), metadata={"format": "arc-trm-solver/1", "config": model.cfg.to_json()})
    with pytest.raises(WeightsError, match="missing"):
        load_weights(path)


def test_pickles_and_foreign_files_are_refused(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(pickle.dumps({"evil": 1}))
    with pytest.raises(WeightsError, match="not a readable safetensors"):
        load_weights(path)
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(1)}, str(path))
    with pytest.raises(WeightsError, match="metadata"):
        load_weights(path)
    with pytest.raises(WeightsError, match="no such file"):
        load_weights(tmp_path / "missing.safetensors")


def test_config_travels_in_metadata(tmp_path, tiny_model):
    from safetensors import safe_open

    path = tmp_path / "w.safetensors"
    save_weights(tiny_model, path)
    with safe_open(str(path), "pt") as handle:
        assert json.loads(handle.metadata()["config"])["hidden_size"] == tiny_model.cfg.hidden_size


def test_weights_written_before_the_embedding_std_load_with_zeros(tmp_path, tiny_model):
    from safetensors.torch import load_file, save_file

    from solver.trm.weights import carries_embedding_std, read_metadata

    path = tmp_path / "w.safetensors"
    save_weights(tiny_model, path)
    assert not carries_embedding_std(path) and not carries_embedding_std(None)  # zeros: no spread known
    old = tmp_path / "old.safetensors"
    tensors = {k: v for k, v in load_file(path).items() if k != "task_embedding_std"}
    save_file(tensors, old, metadata=read_metadata(path))
    assert not load_weights(old).task_embedding_std.any() and not carries_embedding_std(old)
    with torch.no_grad():
        tiny_model.task_embedding_std.fill_(0.5)
    save_weights(tiny_model, path)
    assert carries_embedding_std(path)
