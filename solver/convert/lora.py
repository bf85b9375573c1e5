"""LoRA adapters in a checkpoint (Trelis's fork): merged into the weights only if the logits stay equal.

Trelis's CastedLinear adds to its output `F.linear(F.linear(x.float(), A), B) * alpha / rank`,
with A = `<linear>._lora_A` (rank, in) and B = `<linear>._lora_B` (out, rank) in float32;
`enable_lora_for_linears` gives every linear layer one (lm_head and q_head included).
W + (alpha / rank) B A, summed in float64, is the same function up to float rounding.
The converter runs one supervision step of a probe grid through the model both ways
(adapters as forward hooks on the unmerged weights, exactly as the source computes
them, and merged) and refuses the merge when any logit moves by more than MERGE_TOLERANCE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from solver.convert.layout import HALT_ROW, linear_names, num_layers_of
from solver.convert.source import ConvertError
from solver.trm.codec import encode
from solver.trm.config import ModelConfig
from solver.trm.weights import build_model

LORA_A, LORA_B = "._lora_A", "._lora_B"
MERGE_TOLERANCE = 1e-4  # the largest |logit change| (token or halting) a merge may cause on the probe
PROBE_SIDE = 8  # the probe: a seeded random 8x8 grid on the 30x30 canvas


@dataclass(frozen=True)
class Adapter:
    a: torch.Tensor  # (rank, in)
    b: torch.Tensor  # (out, rank)


def split_adapters(tensors: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], dict[str, Adapter]]:
    """(the tensors without adapters, adapters by source linear module); refuses what does not pair up."""
    suffixed = {k for k in tensors if k.endswith((LORA_A, LORA_B))}
    modules = sorted({k[: -len(LORA_A)] for k in suffixed})
    known = linear_names(num_layers_of(tensors))
    adapters = {}
    for module in modules:
        a, b = tensors.get(module + LORA_A), tensors.get(module + LORA_B)
        weight = tensors.get(module + ".weight")
        if module not in known or a is None or b is None or weight is None:
            raise ConvertError(f"LoRA keys of {module!r} do not pair with a known linear layer (A, B and weight)")
        if a.shape != (a.shape[0], weight.shape[1]) or b.shape != (weight.shape[0], a.shape[0]):
            raise ConvertError(f"LoRA of {module!r}: A {tuple(a.shape)} and B {tuple(b.shape)} do not fit its weight")
        adapters[module] = Adapter(a, b)
    ranks = {adapter.a.shape[0] for adapter in adapters.values()}
    if len(ranks) > 1:
        raise ConvertError(f"LoRA adapters of different ranks {sorted(ranks)}: refused")
    return {k: v for k, v in tensors.items() if k not in suffixed}, adapters


def adapter_scaling(arch: dict[str, Any], adapters: dict[str, Adapter]) -> float | None:
    """alpha / rank, as the source scales the adapters' output; None without adapters."""
    configured = int(arch.get("lora_rank") or 0)
    if not adapters:
        if configured:
            raise ConvertError(f"lora_rank {configured} in the config, but no LoRA adapters in the weights")
        return None
    rank = next(iter(adapters.values())).a.shape[0]
    if configured and configured != rank:
        raise ConvertError(f"lora_rank {configured} in the config, rank {rank} in the weights")
    if arch.get("lora_alpha") is None:
        raise ConvertError("LoRA adapters in the weights but no lora_alpha in the config: give --lora-alpha")
    return float(arch["lora_alpha"]) / rank


def merged(tensors: dict[str, torch.Tensor], adapters: dict[str, Adapter], scaling: float) -> dict[str, torch.Tensor]:
    """`tensors` with W + scaling B A (float64 sum, float32 result) for every adapted linear layer."""
    out = dict(tensors)
    for module, adapter in adapters.items():
        weight = tensors[module + ".weight"].double()
        out[module + ".weight"] = (weight + scaling * adapter.b.double() @ adapter.a.double()).float()
    return out


def _hook(adapter: Adapter, scaling: float, rows: slice) -> Callable[..., torch.Tensor]:
    a, b = adapter.a.float(), adapter.b[rows].float()

    def add_adapter(module: torch.nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor) -> torch.Tensor:
        # As Trelis's CastedLinear.forward computes it.
        update = F.linear(F.linear(args[0].to(a.dtype), a), b)
        return output + update.to(output.dtype) * scaling

    return add_adapter


def merge_error(
    cfg: ModelConfig,
    base: dict[str, torch.Tensor],
    merged_state: dict[str, torch.Tensor],
    adapters: dict[str, Adapter],
    scaling: float,
) -> float:
    """Largest |logit difference| between adapters-as-the-source-runs-them and merged, on the probe.

    `base` and `merged_state` are our state dicts before and after the merge.
    """
    names = linear_names(cfg.num_layers)
    with_hooks, merged_model = build_model(cfg), build_model(cfg)
    with_hooks.load_state_dict(base, strict=True)
    merged_model.load_state_dict(merged_state, strict=True)
    modules = dict(with_hooks.named_modules())
    for source, adapter in adapters.items():
        rows = slice(HALT_ROW, HALT_ROW + 1) if source == "q_head" else slice(None)
        modules[names[source]].register_forward_hook(_hook(adapter, scaling, rows))
    grid = np.random.default_rng(0).integers(0, 10, size=(PROBE_SIDE, PROBE_SIDE))
    tokens = torch.from_numpy(encode(grid, 30))[None]
    outputs = []
    with torch.no_grad():
        for model in (with_hooks.eval(), merged_model.eval()):
            _, logits, halt = model(tokens, model.new_task_embeddings(1))
            outputs.append((logits, halt))
    (logits_a, halt_a), (logits_b, halt_b) = outputs
    return max(float((logits_a - logits_b).abs().max()), float((halt_a - halt_b).abs().max()))


def check_merge(error: float) -> None:
    if not error <= MERGE_TOLERANCE:  # also refuses NaN
        raise ConvertError(
            f"merging the LoRA adapters would change the logits by {error:.3g} (> {MERGE_TOLERANCE}); refused"
        )
