import dataclasses

import pytest

from solver.config import MAX_SEARCH_DEPTH, MAX_SEARCH_SECONDS, SOLVE_PRESETS, SolveConfig
from solver.settings import ConfigError, declared_settings
from solver.trm.config import MODEL_PRESETS, ModelConfig, model_preset
from solver.trm.weights import build_model


def test_trm_7m_matches_the_paper():
    cfg = model_preset("trm-7m")
    assert (cfg.hidden_size, cfg.num_heads, cfg.num_layers, cfg.expansion) == (512, 8, 2, 4.0)
    assert (cfg.h_cycles, cfg.l_cycles, cfg.halt_max_steps, cfg.prefix_len) == (3, 4, 16, 16)
    count = build_model(cfg).num_parameters()
    print(f"trm-7m parameters (without task embeddings): {count:,}")
    assert 6_500_000 < count < 7_500_000


def test_tiny_preset_is_small():
    assert build_model(model_preset("tiny")).num_parameters() < 50_000


def test_unknown_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown keys"):
        ModelConfig.from_dict({"hidden_size": 64, "hiden_layers": 3})
    with pytest.raises(ValueError, match="unknown keys"):
        SolveConfig.from_dict({"finetune_stepz": 3})


def test_configs_are_frozen_and_round_trip():
    cfg = MODEL_PRESETS["tiny"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.hidden_size = 3
    assert ModelConfig.from_json(cfg.to_json()) == cfg
    solve = SolveConfig(finetune_steps=7)
    assert SolveConfig.from_dict(solve.to_dict()) == solve
    assert dataclasses.replace(solve, seed=3).seed == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"tune": "everything"},
        {"n_augmentations": 0},
        {"finetune_share": 1.0},
        {"finetune_steps": -1},
        {"search_depth": 0},
        {"search_depth": 2.0},
        {"experts": ["search", "search"]},
        {"seed": 2**32},
        {"inference_early_stop": "yes"},
    ],
)
def test_bad_solve_values_raise(bad):
    with pytest.raises(ConfigError):
        SolveConfig(**bad)


def test_bad_model_values_raise():
    with pytest.raises(ValueError):
        ModelConfig(hidden_size=30, num_heads=4)
    with pytest.raises(ValueError, match="unknown model preset"):
        model_preset("trm-700m")


def test_position_and_canvas_modes_are_validated():
    with pytest.raises(ValueError, match="positions"):
        ModelConfig(positions="rope2d")
    with pytest.raises(ValueError, match="canvas"):
        ModelConfig(canvas="32")
    ref = model_preset("trm-7m-ref")
    assert (ref.positions, ref.canvas) == ("rope1d", "30")


def test_old_checkpoint_configs_load_as_grid2d_on_a_fitted_canvas():
    old = ModelConfig().to_dict()
    del old["positions"], old["canvas"]  # written before these fields existed
    cfg = ModelConfig.from_dict(old)
    assert (cfg.positions, cfg.canvas) == ("grid2d", "fit")


def test_presets_are_valid_and_the_search_takes_its_defaults_and_limits_from_solve_config():
    from solver.search import SearchSettings

    for preset in SOLVE_PRESETS.values():
        SolveConfig.from_dict(preset.to_dict())
    search = SearchSettings()
    assert (search.time_limit_s, search.max_depth) == (SolveConfig().search_seconds, SolveConfig().search_depth)
    # The deepest program the command line accepts is the deepest the search runs, and no deeper.
    assert (
        SearchSettings(max_depth=SolveConfig(search_depth=MAX_SEARCH_DEPTH).search_depth).max_depth == MAX_SEARCH_DEPTH
    )
    with pytest.raises(ValueError):
        SearchSettings(max_depth=MAX_SEARCH_DEPTH + 1)
    with pytest.raises(ConfigError):
        SolveConfig(search_depth=MAX_SEARCH_DEPTH + 1)
    with pytest.raises(ValueError):
        SearchSettings(time_limit_s=MAX_SEARCH_SECONDS)
    with pytest.raises(ConfigError):
        SolveConfig(search_seconds=MAX_SEARCH_SECONDS)


def test_every_solve_setting_is_declared_with_help():
    declared = {d.name: d for d in declared_settings(SolveConfig)}
    assert set(declared) == {f.name for f in dataclasses.fields(SolveConfig)}
    assert all(d.spec.help for d in declared.values())
    assert all(d.spec.bounds is not None for d in declared.values() if d.kind.base in (int, float))


def test_run_recursion_replaces_cycles_and_depths_and_nothing_else():
    trained = ModelConfig(h_cycles=3, l_cycles=4, halt_max_steps=16)
    assert SolveConfig().recursion(trained) == trained  # none given: as trained
    nvarc = SOLVE_PRESETS["nvarc"].recursion(trained)
    assert (nvarc.h_cycles, nvarc.l_cycles, nvarc.halt_max_steps, nvarc.inference_depth) == (4, 4, 10, 10)
    assert dataclasses.replace(nvarc, h_cycles=3, l_cycles=4, halt_max_steps=16) == trained  # shapes untouched
    # Inference runs the source's halt_max_steps_eval unless the run says otherwise.
    forked = ModelConfig(halt_max_steps=3, halt_max_steps_eval=5)
    assert SolveConfig().sup_steps_for(SolveConfig(finetune_sup_steps=2).recursion(forked).inference_depth) == 5
    assert SolveConfig(inference_sup_steps=7).sup_steps_for(forked.inference_depth) == 7
    with pytest.raises(ConfigError):
        SolveConfig(h_cycles=0)
    with pytest.raises(ConfigError):
        SolveConfig(embedding_init="noise")


def test_the_published_recipes_are_presets():
    nvarc, trelis = SOLVE_PRESETS["nvarc"], SOLVE_PRESETS["trelis"]
    assert (nvarc.h_cycles, nvarc.l_cycles, nvarc.finetune_sup_steps, nvarc.inference_sup_steps) == (4, 4, 10, 10)
    assert nvarc.n_augmentations == 128 and nvarc.embedding_init == "mean"
    assert trelis.h_cycles is None and trelis.frozen_trunk_share == pytest.approx(3125 / 15000)
    assert trelis.n_augmentations == 512 and trelis.tune == "all"
