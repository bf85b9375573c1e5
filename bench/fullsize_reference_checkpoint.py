"""Write a random checkpoint shaped like a published full-size TRM one, to measure solver.convert.

    python bench/fullsize_reference_checkpoint.py /tmp/bigref      # ~2.5 GB: step_723914 + all_config.yaml
    /usr/bin/time -v python -m solver.convert /tmp/bigref/step_723914 --out /tmp/bigref/trm.safetensors

`reference` (the default): the same keys (`_orig_mod.model.inner.*`), shapes and dtypes as the
reference's torch.save of trm-7m for ARC (fp32 weights, bf16 H_init/L_init as its forward_dtype
makes them, a 1,191,730 x 512 fp32 puzzle table); random values.
`trelis-1024` (--layout): Trelis's config/arch/trm_1024.yaml run as an uncompiled checkpoint
(`model.inner.*`): hidden 1024, a 512-wide puzzle embedding in 1 prefix position, and LoRA
adapters (rank 4, alpha 16) on every linear layer; the same table rows.
"""

import argparse
from pathlib import Path

import torch

ROWS = 1_191_730  # arc_v2_public/step_723914's puzzle table
LAYERS, VOCAB = 2, 12
LAYOUTS = {
    # hidden, SwiGLU width (the reference's rounding to 256), embedding width, prefix, key prefix, LoRA rank
    "reference": dict(hidden=512, inter=1536, ndim=512, prefix_len=16, keys="_orig_mod.model.inner.", lora=0),
    "trelis-1024": dict(hidden=1024, inter=2816, ndim=512, prefix_len=1, keys="model.inner.", lora=4),
}
LORA_ALPHA = 16.0
CONFIG = """arch:
  H_cycles: 3
  H_layers: 0
  L_cycles: 4
  L_layers: 2
  expansion: 4
  forward_dtype: bfloat16
  halt_exploration_prob: 0.1
  halt_max_steps: 16
  hidden_size: {hidden}
  loss:
    loss_type: stablemax_cross_entropy
    name: losses@ACTLossHead
{lora}  mlp_t: false
  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1
  no_ACT_continue: true
  num_heads: 8
  pos_encodings: rope
  puzzle_emb_len: {prefix_len}
  puzzle_emb_ndim: {ndim}
beta1: 0.9
data_paths:
- data/arc2concept-aug-1000
global_batch_size: 768
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="reference")
    args = parser.parse_args()
    layout = LAYOUTS[args.layout]
    hidden, inter, ndim, prefix = layout["hidden"], layout["inter"], layout["ndim"], layout["keys"]
    args.out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    shapes = {
        "embed_tokens.embedding_weight": (VOCAB, hidden),
        "lm_head.weight": (VOCAB, hidden),
        "q_head.weight": (2, hidden),
        "q_head.bias": (2,),
    }
    for i in range(LAYERS):
        layer = f"L_level.layers.{i}."
        shapes.update(
            {
                layer + "self_attn.qkv_proj.weight": (3 * hidden, hidden),
                layer + "self_attn.o_proj.weight": (hidden, hidden),
                layer + "mlp.gate_up_proj.weight": (2 * inter, hidden),
                layer + "mlp.down_proj.weight": (hidden, inter),
            }
        )
    if layout["lora"]:
        for key, shape in list(shapes.items()):
            if key.endswith(".weight") and len(shape) == 2 and not key.startswith("embed"):
                module = key.removesuffix(".weight")
                shapes[module + "._lora_A"] = (layout["lora"], shape[1])
                shapes[module + "._lora_B"] = (shape[0], layout["lora"])
    state = {prefix + k: torch.randn(s, generator=g) * 0.02 for k, s in shapes.items()}
    state[prefix + "H_init"] = torch.randn(hidden, generator=g).to(torch.bfloat16)
    state[prefix + "L_init"] = torch.randn(hidden, generator=g).to(torch.bfloat16)
    state[prefix + "puzzle_emb.weights"] = torch.randn(ROWS, ndim, generator=g) * 0.1
    torch.save(state, args.out / "step_723914")
    lora = f"  lora_alpha: {LORA_ALPHA}\n  lora_rank: {layout['lora']}\n" if layout["lora"] else ""
    config = CONFIG.format(hidden=hidden, lora=lora, prefix_len=layout["prefix_len"], ndim=ndim)
    (args.out / "all_config.yaml").write_text(config)
    print(f"wrote {args.out / 'step_723914'} ({(args.out / 'step_723914').stat().st_size / 1e9:.2f} GB)")


if __name__ == "__main__":
    main()
