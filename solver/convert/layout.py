"""How a TRM checkpoint's tensors map onto our `TRM`, and the ModelConfig they imply.

The reference (SamsungSAILMontreal/TinyRecursiveModels) and its forks (NVARC's TRM is
the reference's code; Trelis's adds LoRA adapters) share one layout, read here one to
one (after solver.convert.lora has merged any adapters):

  embed_tokens.embedding_weight            -> token_embed.weight
  L_level.layers.{i}.self_attn.qkv_proj    -> block.layers.{i}.attn.qkv      (q, k, v heads in the same order)
  L_level.layers.{i}.self_attn.o_proj      -> block.layers.{i}.attn.out
  L_level.layers.{i}.mlp.gate_up_proj      -> block.layers.{i}.mlp.gate_up   (gate first, as here)
  L_level.layers.{i}.mlp.down_proj         -> block.layers.{i}.mlp.down
  lm_head                                  -> lm_head
  q_head (2 rows: halt, continue) row 0    -> halt_head (continue is unused by TRM's ARC runs)
  H_init / L_init (answer / latent start)  -> y_init / z_init
  puzzle_emb.weights (one row per puzzle)  -> task_embedding_mean / _std: the table's mean row
                                              (or a chosen row) and per-value std, zero-padded
                                              to prefix_len x hidden as the source pads a row

The model runs in the reference's mode: 1-D RoPE over prefix + 900 positions, fixed
30x30 canvas.
"""

from __future__ import annotations

from typing import Any

import torch

from solver.convert.source import ANCHOR, ConvertError
from solver.trm.config import ModelConfig

REFERENCE_MLP_MULTIPLE = 256  # the reference rounds its SwiGLU width to multiples of 256
PUZZLE_TABLE = "puzzle_emb.weights"
SUPPORTED_ARCH = "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1"
HALT_ROW = 0  # q_head row 0 is the halting logit


def linear_names(num_layers: int) -> dict[str, str]:
    """Source linear module -> our module, for every linear layer (LoRA adapters attach to these)."""
    names = {"lm_head": "lm_head", "q_head": "halt_head"}
    for i in range(num_layers):
        ref, ours = f"L_level.layers.{i}.", f"block.layers.{i}."
        names.update(
            {
                ref + "self_attn.qkv_proj": ours + "attn.qkv",
                ref + "self_attn.o_proj": ours + "attn.out",
                ref + "mlp.gate_up_proj": ours + "mlp.gate_up",
                ref + "mlp.down_proj": ours + "mlp.down",
            }
        )
    return names


def num_layers_of(tensors: dict[str, torch.Tensor]) -> int:
    return 1 + max((int(k.split(".")[2]) for k in tensors if k.startswith("L_level.layers.")), default=-1)


def model_config(arch: dict[str, Any], tensors: dict[str, torch.Tensor]) -> ModelConfig:
    """Our ModelConfig for a checkpoint; sizes the file fixes are read from its tensors and checked against `arch`."""
    name = arch.get("name", SUPPORTED_ARCH)
    if name != SUPPORTED_ARCH:
        raise ConvertError(f"arch {name!r}: only {SUPPORTED_ARCH!r} is supported")
    if arch["pos_encodings"] != "rope":
        raise ConvertError(f"pos_encodings {arch['pos_encodings']!r}: only the reference's 'rope' is supported")
    if arch["mlp_t"]:
        raise ConvertError("mlp_t: the MLP-mixer variant is not supported")
    if PUZZLE_TABLE not in tensors:
        raise ConvertError(f"missing key {PUZZLE_TABLE!r}: the checkpoint has no puzzle table")
    vocab, hidden = tensors[ANCHOR].shape
    if arch.get("hidden_size", hidden) != hidden:
        raise ConvertError(f"hidden_size {arch['hidden_size']} in the config, {hidden} in the weights")
    layers = num_layers_of(tensors)
    if arch.get("L_layers", layers) != layers:
        raise ConvertError(f"L_layers {arch['L_layers']} in the config, {layers} layers in the weights")
    ndim = tensors[PUZZLE_TABLE].shape[1]
    if arch.get("puzzle_emb_ndim", ndim) != ndim:
        raise ConvertError(f"puzzle_emb_ndim {arch['puzzle_emb_ndim']} in the config, {ndim} in the weights")
    eval_steps = arch.get("halt_max_steps_eval")
    try:
        prefix_len = int(arch["puzzle_emb_len"]) or -(-ndim // hidden)  # the source: 0 means ceil(ndim / hidden)
        cfg = ModelConfig(
            hidden_size=hidden,
            num_heads=int(arch["num_heads"]),
            num_layers=layers,
            expansion=float(arch["expansion"]),
            mlp_multiple_of=REFERENCE_MLP_MULTIPLE,
            h_cycles=int(arch["H_cycles"]),
            l_cycles=int(arch["L_cycles"]),
            halt_max_steps=int(arch["halt_max_steps"]),
            halt_max_steps_eval=None if eval_steps is None else int(eval_steps),
            prefix_len=prefix_len,
            vocab_size=vocab,
            rope_theta=float(arch["rope_theta"]),
            norm_eps=float(arch["rms_norm_eps"]),
            positions="rope1d",
            canvas="30",
        )
    except (ValueError, TypeError) as error:
        raise ConvertError(f"arch settings: {error}") from None
    if ndim > prefix_len * hidden:
        raise ConvertError(f"puzzle embedding of {ndim} values does not fit {prefix_len} x {hidden} positions")
    return cfg


def padded_prefix(row: torch.Tensor, cfg: ModelConfig) -> torch.Tensor:
    """(ndim,) -> (prefix_len, hidden): the row first, zeros after, as the source pads a puzzle embedding."""
    padded = torch.zeros(cfg.prefix_len * cfg.hidden_size)
    padded[: len(row)] = row
    return padded.view(cfg.prefix_len, cfg.hidden_size)


def our_state(
    tensors: dict[str, torch.Tensor], cfg: ModelConfig, mean_row: torch.Tensor, std_row: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The source's tensors (adapters already merged) under our names, float32; refuses missing or unexpected ones."""
    names = {ANCHOR: "token_embed.weight", "H_init": "y_init", "L_init": "z_init"}
    names.update({ref + ".weight": ours + ".weight" for ref, ours in linear_names(cfg.num_layers).items()})
    del names["q_head.weight"]  # only its halting row is kept, below
    expected = set(names) | {"q_head.weight", "q_head.bias"}
    missing = sorted(expected - set(tensors))
    unexpected = sorted(set(tensors) - expected - {PUZZLE_TABLE})
    if missing or unexpected:
        raise ConvertError(
            f"missing keys {missing[:3]}, unexpected keys {unexpected[:3]}: not a layout this converter knows"
        )
    state = {ours: tensors[ref].float() for ref, ours in names.items()}
    state["halt_head.weight"] = tensors["q_head.weight"][HALT_ROW : HALT_ROW + 1].float()
    state["halt_head.bias"] = tensors["q_head.bias"][HALT_ROW : HALT_ROW + 1].float()
    state["task_embedding_mean"] = padded_prefix(mean_row, cfg)
    state["task_embedding_std"] = padded_prefix(std_row, cfg)
    return state
