"""Convert a published TRM checkpoint into solver weights: `python -m solver.convert SRC --out weights/W.safetensors`.

Sources: the reference TRM (SamsungSAILMontreal/TinyRecursiveModels, ARC Prize's
verification checkpoints), NVARC's (the reference's code) and Trelis's fork (1 prefix
position, wider hidden than puzzle embedding, LoRA adapters, `halt_max_steps_eval`).
All save `torch.save(state_dict)` pickles with keys `_orig_mod.model.inner.*` (compiled)
or `model.inner.*`, and the run's `all_config.yaml` beside them.

- solver.convert.source: reading the pickle (tensors only, memory-mapped) and the run
  config; with no all_config.yaml and no flags the conversion is refused, never guessed.
- solver.convert.layout: the key mapping onto our `TRM` and the ModelConfig it implies.
- solver.convert.lora: LoRA adapters merged, after checking the logits stay equal.
- solver.convert.run: the conversion and its command line.

The puzzle table (~1M rows, almost the whole file) is reduced to its mean row and
per-value std (where new tasks' embeddings start), so the output is ~27 MB for a
512-wide model; `--puzzle-row N` starts them from row N instead.
"""

from solver.convert.run import convert, main
from solver.convert.source import ConvertError, read_arch, read_run_config

__all__ = ["ConvertError", "convert", "main", "read_arch", "read_run_config"]
