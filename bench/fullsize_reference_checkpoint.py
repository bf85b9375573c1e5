"""Write a random checkpoint shaped like the published ARC-AGI-2 TRM one, to measure solver.convert.

    python bench/fullsize_reference_checkpoint.py /tmp/bigref      # ~2.5 GB: step_723914 + all_config.yaml
    /usr/bin/time -v python -m solver.convert /tmp/bigref/step_723914 --out /tmp/bigref/trm.safetensors

Same keys (`_orig_mod.model.inner.*`), shapes and dtypes as the reference's torch.save of
trm-7m for ARC (fp32 weights, bf16 H_init/L_init as its forward_dtype makes them, a
1,191,730 x 512 fp32 puzzle table); random values.
"""

import argparse
from pathlib import Path

import torch

PREFIX = "_orig_mod.model.inner."
ROWS = 1_191_730  # arc_v2_public/step_723914's puzzle table
HIDDEN, LAYERS, INTER, VOCAB = 512, 2, 1536, 12
CONFIG = """arch:
  H_cycles: 3
  H_layers: 0
  L_cycles: 4
  L_layers: 2
  expansion: 4
  forward_dtype: bfloat16
  halt_exploration_prob: 0.1
  halt_max_steps: 16
  hidden_size: 512
  loss:
    loss_type: stablemax_cross_entropy
    name: losses@ACTLossHead
  mlp_t: false
  name: recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1
  no_ACT_continue: true
  num_heads: 8
  pos_encodings: rope
  puzzle_emb_len: 16
  puzzle_emb_ndim: 512
beta1: 0.9
data_paths:
- data/arc2concept-aug-1000
global_batch_size: 768
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(0)
    shapes = {
        "embed_tokens.embedding_weight": (VOCAB, HIDDEN),
        "lm_head.weight": (VOCAB, HIDDEN),
        "q_head.weight": (2, HIDDEN),
        "q_head.bias": (2,),
    }
    for i in range(LAYERS):
        layer = f"L_level.layers.{i}."
        shapes.update(
            {
                layer + "self_attn.qkv_proj.weight": (3 * HIDDEN, HIDDEN),
                layer + "self_attn.o_proj.weight": (HIDDEN, HIDDEN),
                layer + "mlp.gate_up_proj.weight": (2 * INTER, HIDDEN),
                layer + "mlp.down_proj.weight": (HIDDEN, INTER),
            }
        )
    state = {PREFIX + k: torch.randn(s, generator=g) * 0.02 for k, s in shapes.items()}
    state[PREFIX + "H_init"] = torch.randn(HIDDEN, generator=g).to(torch.bfloat16)
    state[PREFIX + "L_init"] = torch.randn(HIDDEN, generator=g).to(torch.bfloat16)
    state[PREFIX + "puzzle_emb.weights"] = torch.randn(ROWS, HIDDEN, generator=g) * 0.1
    torch.save(state, out / "step_723914")
    (out / "all_config.yaml").write_text(CONFIG)
    print(f"wrote {out / 'step_723914'} ({(out / 'step_723914').stat().st_size / 1e9:.2f} GB)")


if __name__ == "__main__":
    main()
