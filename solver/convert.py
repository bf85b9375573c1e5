"""Convert a published reference-TRM checkpoint: `python -m solver.convert REF --out weights/NAME.safetensors`.

The reference (SamsungSAILMontreal/TinyRecursiveModels) saves `torch.save(state_dict)`
pickles with keys `_orig_mod.model.inner.*` (or `model.inner.*` when not compiled). This
is the only place the solver reads a pickle, and only with `torch.load(weights_only=True)`:
a file that needs anything but tensors is refused. The weights map one to one onto a
`TRM` in the reference's mode (1-D RoPE, fixed 30x30 canvas):

  embed_tokens.embedding_weight            -> token_embed.weight
  L_level.layers.{i}.self_attn.qkv_proj    -> block.layers.{i}.attn.qkv      (q, k, v heads in the same order)
  L_level.layers.{i}.self_attn.o_proj      -> block.layers.{i}.attn.out
  L_level.layers.{i}.mlp.gate_up_proj      -> block.layers.{i}.mlp.gate_up   (gate first, as here)
  L_level.layers.{i}.mlp.down_proj         -> block.layers.{i}.mlp.down
  lm_head                                  -> lm_head
  q_head (2 rows: halt, continue) row 0    -> halt_head (continue is unused by TRM's ARC runs)
  H_init / L_init (answer / latent start)  -> y_init / z_init
  puzzle_emb.weights (one row per puzzle)  -> task_embedding_mean: the row, zero-padded to
                                              prefix_len x hidden (the reference pads the same way)

The puzzle table (~1M rows, almost the whole file) is reduced to its mean row, the
reference's own starting point for puzzles it has not seen (its pretrain.py re-initialises a
resized table at the mean), so the output is ~27 MB for trm-7m. `--puzzle-row N` keeps
row N instead (to check parity, or to reuse a known puzzle's embedding).

The architecture comes from `all_config.yaml` beside the checkpoint (the reference's run
config), else from the flags; flags override the file.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
from pathlib import Path
from typing import Any

import torch

from solver.exit_codes import EXIT_USAGE
from solver.trm.config import ModelConfig
from solver.trm.weights import build_model, record_in_manifest, save_weights, sha256_file

REFERENCE_MLP_MULTIPLE = 256  # the reference rounds its SwiGLU width to multiples of 256
MEAN_CHUNK_ROWS = 1 << 15  # rows of the puzzle table summed at a time (float64)
ANCHOR = "embed_tokens.embedding_weight"  # a key every reference checkpoint has, to find the prefix
PUZZLE_TABLE = "puzzle_emb.weights"
# The reference's ARC settings, for a checkpoint without all_config.yaml and without flags.
REFERENCE_DEFAULTS = {
    "H_cycles": 3,
    "L_cycles": 4,
    "num_heads": 8,
    "expansion": 4.0,
    "halt_max_steps": 16,
    "puzzle_emb_len": 16,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-5,
}
CONFIG_FLAGS = {
    "h_cycles": "H_cycles",
    "l_cycles": "L_cycles",
    "num_heads": "num_heads",
    "expansion": "expansion",
    "halt_max_steps": "halt_max_steps",
    "puzzle_emb_len": "puzzle_emb_len",
}


class ConvertError(ValueError):
    """An input the converter refuses; the message is one line."""


def _scalar(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "~", ""):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_arch(text: str) -> dict[str, Any]:
    """The scalar entries of the `arch:` mapping of a reference all_config.yaml.

    That file is PyYAML's block-style dump of the run config; only this subset is read:
    `key: value` lines, nesting by indentation, list items and nested maps skipped.
    """
    arch: dict[str, Any] = {}
    inside, indent = False, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip(" "))
        if depth == 0:
            inside = line.rstrip() == "arch:"
            indent = None
            continue
        if not inside:
            continue
        indent = depth if indent is None else indent
        if depth != indent or line.lstrip().startswith("- ") or ":" not in line:
            continue  # a nested map (arch.loss) or a list item
        key, _, value = line.strip().partition(":")
        if value.strip():
            arch[key.strip()] = _scalar(value)
    if not arch:
        raise ConvertError("all_config.yaml: no 'arch:' section")
    return arch


ZIP_MAGIC = b"PK\x03\x04"  # torch.save's format (a zip archive) since torch 1.6
PICKLE_PROTOCOL_OPCODE = 0x80  # the first byte of the older format (a pickle, protocol 2 or later)
HEAD_SHOWN = 16  # bytes of a refused file's start shown in its error


def not_a_checkpoint(path: Path) -> str | None:
    """Why `path` cannot be a torch.save file at all, judged by its first bytes; None when it may be one."""
    with open(path, "rb") as handle:
        head = handle.read(HEAD_SHOWN)
    if not head:
        return "an empty file"
    if head.startswith(ZIP_MAGIC) or head[0] == PICKLE_PROTOCOL_OPCODE:
        return None
    return f"not a torch checkpoint (torch.save writes a zip archive or a pickle; this file starts with {head!r})"


def load_reference(path: Path) -> dict[str, torch.Tensor]:
    """The checkpoint's tensors, memory-mapped where the file format allows (no copy of the table)."""
    problem = not_a_checkpoint(path)
    if problem:
        raise ConvertError(f"{path}: {problem}")
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as error:
            if "mmap" not in str(error):  # only the legacy (non-zip) format cannot be mapped
                raise
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", str(error))
        what = f"it needs {found.group(1)}" if found else "it needs more than tensors"
        raise ConvertError(f"{path}: not a plain tensor checkpoint, {what}; refused") from None
    except Exception as error:  # any other failure of a foreign file is one line too
        cause = " ".join(str(error).split())[:200]
        raise ConvertError(f"{path}: not a readable torch checkpoint ({type(error).__name__}: {cause})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConvertError(f"{path}: not a state dict of tensors")
    return state


def strip_prefix(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Reference keys without their wrapper prefix (`_orig_mod.model.inner.`, `model.inner.`, or none)."""
    anchors = [k for k in state if k == ANCHOR or k.endswith("." + ANCHOR)]
    if len(anchors) != 1:
        raise ConvertError(f"missing key {ANCHOR!r}: not a reference TRM checkpoint")
    prefix = anchors[0][: -len(ANCHOR)]
    stray = sorted(k for k in state if not k.startswith(prefix))
    if stray:
        raise ConvertError(f"unexpected keys {stray[:3]} outside {prefix!r}")
    return {k[len(prefix) :]: v for k, v in state.items()}


def model_config(arch: dict[str, Any], tensors: dict[str, torch.Tensor]) -> ModelConfig:
    """Our ModelConfig for a reference checkpoint; sizes the file fixes are read from its tensors."""
    if arch.get("pos_encodings", "rope") != "rope":
        raise ConvertError(f"pos_encodings {arch['pos_encodings']!r}: only the reference's 'rope' is supported")
    if arch.get("mlp_t", False):
        raise ConvertError("mlp_t: the MLP-mixer variant is not supported")
    vocab, hidden = tensors[ANCHOR].shape
    if arch.get("hidden_size", hidden) != hidden:
        raise ConvertError(f"hidden_size {arch['hidden_size']} in the config, {hidden} in the weights")
    layers = 1 + max((int(k.split(".")[2]) for k in tensors if k.startswith("L_level.layers.")), default=-1)
    if arch.get("L_layers", layers) != layers:
        raise ConvertError(f"L_layers {arch['L_layers']} in the config, {layers} layers in the weights")
    ndim = tensors[PUZZLE_TABLE].shape[1] if PUZZLE_TABLE in tensors else hidden
    prefix_len = int(arch["puzzle_emb_len"]) or -(-ndim // hidden)  # the reference: 0 means ceil(ndim / hidden)
    if ndim > prefix_len * hidden:
        raise ConvertError(f"puzzle embedding of {ndim} values does not fit {prefix_len} x {hidden} positions")
    try:
        return ModelConfig(
            hidden_size=hidden,
            num_heads=int(arch["num_heads"]),
            num_layers=layers,
            expansion=float(arch["expansion"]),
            mlp_multiple_of=REFERENCE_MLP_MULTIPLE,
            h_cycles=int(arch["H_cycles"]),
            l_cycles=int(arch["L_cycles"]),
            halt_max_steps=int(arch["halt_max_steps"]),
            prefix_len=prefix_len,
            vocab_size=vocab,
            rope_theta=float(arch["rope_theta"]),
            norm_eps=float(arch["rms_norm_eps"]),
            positions="rope1d",
            canvas="30",
        )
    except ValueError as error:
        raise ConvertError(str(error)) from None


def puzzle_row(table: torch.Tensor, row: int | None) -> torch.Tensor:
    """(ndim,) float32: row `row` of the table, or the mean of all rows (summed in float64, chunk by chunk)."""
    if row is not None:
        if not 0 <= row < len(table):
            raise ConvertError(f"--puzzle-row {row}: the table has {len(table)} rows")
        return table[row].float()
    total = torch.zeros(table.shape[1], dtype=torch.float64)
    for start in range(0, len(table), MEAN_CHUNK_ROWS):
        total += table[start : start + MEAN_CHUNK_ROWS].double().sum(0)
    return (total / len(table)).float()


def our_state(
    tensors: dict[str, torch.Tensor], cfg: ModelConfig, embedding_row: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The reference's tensors under our names, float32; refuses missing or unexpected ones."""
    names = {ANCHOR: "token_embed.weight", "lm_head.weight": "lm_head.weight", "H_init": "y_init", "L_init": "z_init"}
    for i in range(cfg.num_layers):
        ref, ours = f"L_level.layers.{i}.", f"block.layers.{i}."
        names.update(
            {
                ref + "self_attn.qkv_proj.weight": ours + "attn.qkv.weight",
                ref + "self_attn.o_proj.weight": ours + "attn.out.weight",
                ref + "mlp.gate_up_proj.weight": ours + "mlp.gate_up.weight",
                ref + "mlp.down_proj.weight": ours + "mlp.down.weight",
            }
        )
    expected = set(names) | {"q_head.weight", "q_head.bias"}
    missing = sorted(expected - set(tensors))
    unexpected = sorted(set(tensors) - expected - {PUZZLE_TABLE})
    if missing or unexpected:
        raise ConvertError(f"missing keys {missing[:3]}, unexpected keys {unexpected[:3]}")
    state = {ours: tensors[ref].float() for ref, ours in names.items()}
    state["halt_head.weight"] = tensors["q_head.weight"][:1].float()  # row 0: the halting logit
    state["halt_head.bias"] = tensors["q_head.bias"][:1].float()
    padded = torch.zeros(cfg.prefix_len * cfg.hidden_size)
    padded[: len(embedding_row)] = embedding_row
    state["task_embedding_mean"] = padded.view(cfg.prefix_len, cfg.hidden_size)  # position 0 = the row
    return state


def convert(
    source: Path,
    out: Path,
    overrides: dict[str, Any] | None = None,
    row: int | None = None,
    manifest: Path | None = None,
) -> dict[str, Any]:
    """Write `out` from the reference checkpoint `source`; returns its manifest entry."""
    source, out = Path(source), Path(out)
    if source.is_dir():
        raise ConvertError(f"{source}: a folder; give the checkpoint file inside it (e.g. step_723914)")
    if not source.is_file():
        raise ConvertError(f"{source}: no such file")
    config_file = source.parent / "all_config.yaml"
    arch = dict(REFERENCE_DEFAULTS)
    if config_file.is_file():
        arch.update(read_arch(config_file.read_text()))
    arch.update({key: value for key, value in (overrides or {}).items() if value is not None})
    tensors = strip_prefix(load_reference(source))
    cfg = model_config(arch, tensors)
    table = tensors.get(PUZZLE_TABLE)
    if table is None:
        raise ConvertError(f"missing key {PUZZLE_TABLE!r}: the checkpoint has no puzzle table")
    embedding_row = puzzle_row(table, row)
    model = build_model(cfg)
    try:
        model.load_state_dict(our_state(tensors, cfg, embedding_row), strict=True)
    except RuntimeError as error:  # a shape that disagrees with the config
        raise ConvertError(f"weights do not fit the config: {str(error).splitlines()[-1].strip()[:200]}") from None
    table_rule = "mean of all rows" if row is None else f"row {row}"
    origin = {
        "converted_from": source.name,
        "source_sha256": sha256_file(source),
        "source_format": "reference TRM (SamsungSAILMontreal/TinyRecursiveModels) torch.save state dict",
        "source_config": config_file.name if config_file.is_file() else "flags",
        "puzzle_table_rows": int(table.shape[0]),
        "puzzle_table_dim": int(table.shape[1]),
        "task_embedding_mean": f"{table_rule} of the puzzle table at prefix position 0, other positions zero",
        "reference_arch": {k: arch[k] for k in sorted(arch)},
    }
    sha256 = save_weights(model, out, origin)
    entry = {"sha256": sha256, "config": cfg.to_dict(), **origin}
    record_in_manifest(out, entry, manifest)
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solver.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path, help="reference checkpoint (e.g. arc_v2_public/step_723914)")
    parser.add_argument("--out", type=Path, required=True, help="safetensors file to write")
    parser.add_argument("--manifest", type=Path, help="manifest to record it in (default: MANIFEST.json beside --out)")
    parser.add_argument("--puzzle-row", type=int, help="keep this row of the puzzle table instead of the mean")
    config = parser.add_argument_group(
        "architecture (when no all_config.yaml is beside the checkpoint, or to override it)"
    )
    for flag, key in CONFIG_FLAGS.items():
        kind = float if key == "expansion" else int
        config.add_argument(
            "--" + flag.replace("_", "-"), type=kind, help=f"reference '{key}' (default {REFERENCE_DEFAULTS[key]})"
        )
    args = parser.parse_args(argv)
    overrides = {key: getattr(args, flag) for flag, key in CONFIG_FLAGS.items()}
    try:
        entry = convert(args.reference, args.out, overrides, args.puzzle_row, args.manifest)
    except ConvertError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(
        json.dumps(
            {k: entry[k] for k in ("sha256", "converted_from", "puzzle_table_rows", "task_embedding_mean")}, indent=1
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
