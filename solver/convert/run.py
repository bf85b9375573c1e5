"""`python -m solver.convert SRC --out weights/NAME.safetensors`: one conversion, and its command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from solver.convert.layout import PUZZLE_TABLE, model_config, our_state
from solver.convert.lora import adapter_scaling, check_merge, merge_error, merged, split_adapters
from solver.convert.source import REQUIRED_FLAGS, ConvertError, arch_settings, load_checkpoint, strip_prefix
from solver.exit_codes import EXIT_USAGE
from solver.trm.table_stats import table_mean_std
from solver.trm.weights import build_model, record_in_manifest, save_weights, sha256_file

SOURCE_FORMAT = "TRM torch.save state dict (SamsungSAILMontreal/TinyRecursiveModels layout, as NVARC's and Trelis's)"
# Command-line flag -> the source's arch key (the yaml's spelling).
ARCH_FLAGS = {
    **{flag.removeprefix("--").replace("-", "_"): key for key, flag in REQUIRED_FLAGS.items()},
    "halt_max_steps_eval": "halt_max_steps_eval",
    "lora_alpha": "lora_alpha",
}
FLOAT_FLAGS = ("expansion", "lora_alpha")
WHEN_NEEDED = {"halt_max_steps_eval": "optional", "lora_alpha": "required with LoRA adapters"}  # others: required


def convert(
    source: Path,
    out: Path,
    overrides: dict[str, Any] | None = None,
    row: int | None = None,
    manifest: Path | None = None,
) -> dict[str, Any]:
    """Write `out` from the checkpoint `source`; returns its manifest entry.

    `overrides` are arch settings by the source's names (None: not given); `row` keeps
    that row of the puzzle table as the start of new tasks instead of the mean.
    """
    source, out = Path(source), Path(out)
    if source.is_dir():
        raise ConvertError(f"{source}: a folder; give the checkpoint file inside it (e.g. step_723914)")
    if not source.is_file():
        raise ConvertError(f"{source}: no such file")
    arch, config_origin = arch_settings(source, overrides or {})
    tensors, key_prefix = strip_prefix(load_checkpoint(source))
    tensors, adapters = split_adapters(tensors)
    scaling = adapter_scaling(arch, adapters)
    cfg = model_config(arch, tensors)
    table = tensors[PUZZLE_TABLE]  # memory-mapped: streamed, never copied whole
    mean_row, std_row = table_mean_std(table)
    if row is not None:
        if not 0 <= row < len(table):
            raise ConvertError(f"--puzzle-row {row}: the table has {len(table)} rows")
        mean_row = table[row].float()
    state = our_state(tensors, cfg, mean_row, std_row)
    lora: dict[str, Any] | None = None
    if scaling is not None:
        base, state = state, our_state(merged(tensors, adapters, scaling), cfg, mean_row, std_row)
        error = merge_error(cfg, base, state, adapters, scaling)
        check_merge(error)
        rank = next(iter(adapters.values())).a.shape[0]
        lora = {"rank": rank, "alpha": arch["lora_alpha"], "scaling": scaling, "layers": len(adapters)}
        lora["merged"] = f"W + scaling B A in float64; largest logit change on a probe {error:.2g}"
    model = build_model(cfg)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:  # a shape that disagrees with the config
        raise ConvertError(f"weights do not fit the config: {str(error).splitlines()[-1].strip()[:200]}") from None
    table_rule = "mean of all rows" if row is None else f"row {row}"
    origin = {
        "converted_from": source.name,
        "source_sha256": sha256_file(source),
        "source_format": SOURCE_FORMAT,
        "source_key_prefix": key_prefix,
        "source_config": config_origin,
        "puzzle_table_rows": int(table.shape[0]),
        "puzzle_table_dim": int(table.shape[1]),
        "task_embedding_mean": f"{table_rule} of the puzzle table, zero-padded from position 0",
        "task_embedding_std": "per-value std of all rows (population, floored at 1e-6), zero-padded likewise",
        "lora": lora,
        "source_arch": {k: arch[k] for k in sorted(arch) if not isinstance(arch[k], (dict, list))},
    }
    sha256 = save_weights(model, out, origin)
    entry = {"sha256": sha256, "config": cfg.to_dict(), **origin}
    record_in_manifest(out, entry, manifest)
    return entry


def main(argv: list[str] | None = None) -> int:
    from solver.convert import __doc__ as summary

    parser = argparse.ArgumentParser(prog="python -m solver.convert", description=(summary or "").split("\n\n")[0])
    parser.add_argument("source", type=Path, help="checkpoint file (e.g. arc_v2_public/step_723914)")
    parser.add_argument("--out", type=Path, required=True, help="safetensors file to write")
    parser.add_argument("--manifest", type=Path, help="manifest to record it in (default: MANIFEST.json beside --out)")
    parser.add_argument(
        "--puzzle-row", type=int, help="start new tasks from this row of the puzzle table, not the mean"
    )
    config = parser.add_argument_group(
        "the run's arch settings, over its all_config.yaml; without that file every one marked 'required' must be given"
    )
    for flag, key in ARCH_FLAGS.items():
        kind, need = float if flag in FLOAT_FLAGS else int, WHEN_NEEDED.get(key, "required")
        config.add_argument("--" + flag.replace("_", "-"), type=kind, help=f"the run's arch '{key}' ({need})")
    args = parser.parse_args(argv)
    overrides = {key: getattr(args, flag) for flag, key in ARCH_FLAGS.items()}
    try:
        entry = convert(args.source, args.out, overrides, args.puzzle_row, args.manifest)
    except ConvertError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    shown = ("sha256", "converted_from", "source_config", "puzzle_table_rows", "task_embedding_mean", "lora")
    print(json.dumps({k: entry[k] for k in shown}, indent=1))
    return 0
