"""The settings of one solver run (`SolveConfig`), with named presets.

Each field declares its default, help text and accepted values once (solver.settings);
the command line (solver.run.cli) and the search's own settings (solver.search) are
derived from them. The network's own shape is `solver.trm.config.ModelConfig` (it
travels inside the weights' metadata).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from solver.settings import AT_LEAST_ONE, NON_NEGATIVE, POSITIVE, SHARE, FrozenConfig, Interval, check_settings, setting

if TYPE_CHECKING:  # solver.trm.config imports this package's settings module; no cycle at run time
    from solver.trm.config import ModelConfig

SEARCH = "search"  # the program search (solver.search)
TRM = "trm"  # the network (solver.trm)
EXPERTS = (SEARCH, TRM)
TUNABLE_PARAMETER_SETS = ("all", "embeddings", "embeddings+heads")
TOKEN_LOSSES = ("stablemax", "softmax")  # solver.trm.objectives.LOSSES
EMBEDDING_INITS = ("mean", "mean+noise")  # solver.trm.model.TRM.new_task_embeddings
# The search's own limits (solver.search checks them too, with these same constants).
MAX_SEARCH_DEPTH = 6  # the longest program, in transforms, the search accepts
MAX_SEARCH_SECONDS = 1_000_000  # a sanity cap on one task's search (11 days)
MAX_SEED = 2**32 - 1  # numpy's legacy seeding takes 32 bits


@dataclass(frozen=True)
class SolveConfig(FrozenConfig):
    """Settings of one solver run. Defaults are the real (GPU) run; see README.

    Recursion: the model's config says how it was trained (H/L cycles, `halt_max_steps`);
    `h_cycles`, `l_cycles`, `finetune_sup_steps` and `inference_sup_steps` change that for
    this run (`recursion`), as NVARC's test-time recipe does. Fine-tuning trains to the
    fine-tuning depth (one supervision step per optimizer step through a persistent carry,
    solver.trm.carry); inference runs `inference_sup_steps`, by default the model's
    inference depth (its source's `halt_max_steps_eval`, else the fine-tuning depth).
    """

    # Who answers (see solver.ensemble).
    experts: tuple[str, ...] = setting(
        EXPERTS,
        "who answers, comma-separated (when no pretrained weights are found and this is not given, the "
        "program search answers alone: an untrained TRM answers noise)",
        choices=EXPERTS,
        metavar=",".join(EXPERTS),
    )
    # Program search: a cap per task (the budget may give it less), and the longest program.
    search_seconds: float = setting(
        10.0,
        "program search time cap per task",
        bounds=Interval(0, MAX_SEARCH_SECONDS, open_low=True, open_high=True),
        metavar="SECONDS",
    )
    search_depth: int = setting(  # past 2, the compiled ops extend the whole library's programs
        3, "longest program the search builds, in transforms", bounds=Interval(1, MAX_SEARCH_DEPTH)
    )
    search_share: float = setting(
        0.25, "with both experts, the largest part of a task's time share the search may take", bounds=SHARE
    )
    # Per-task test-time fine-tuning: `finetune_steps` optimizer steps, each one
    # supervision step of `finetune_batch` samples in flight.
    finetune_steps: int = setting(  # 600 = the former 300 batches x 2 supervision steps: the same training work
        600, "fine-tuning optimizer steps per task, 0 for none", bounds=NON_NEGATIVE
    )
    finetune_batch: int = setting(64, "samples per fine-tuning step", bounds=AT_LEAST_ONE)
    finetune_lr: float = setting(1e-4, "AdamATan2 learning rate of the shared weights", bounds=POSITIVE, metavar="LR")
    embedding_lr: float = setting(1e-2, "SignSGD learning rate of the task embeddings", bounds=POSITIVE, metavar="LR")
    weight_decay: float = setting(
        0.1, "weight decay while fine-tuning (shared weights and task embeddings)", bounds=NON_NEGATIVE
    )
    loss: str = setting("stablemax", "token cross-entropy of fine-tuning (stablemax is TRM's)", choices=TOKEN_LOSSES)
    tune: str = setting(
        "all", "which parameters fine-tuning moves besides the embeddings", choices=TUNABLE_PARAMETER_SETS
    )
    translate: bool = setting(True, "random translation of the fine-tuning pairs on the canvas")
    embedding_init: str = setting(
        "mean",
        "where each new task embedding starts: mean (of the pretrained table, TRM's reset) or mean+noise "
        "(mean + per-value std x N(0, 1), Trelis's 'normal' reset; needs weights that carry the std)",
        choices=EMBEDDING_INITS,
    )
    frozen_trunk_share: float = setting(
        0.0,
        "part of the fine-tuning steps that move only the task embeddings before --tune's parameters join in "
        "(Trelis: 3125 of 15000 epochs)",
        bounds=Interval(0, 1, open_high=True),
    )
    # Recursion at run time (none: as the model was trained, its ModelConfig).
    h_cycles: int | None = setting(
        None, "latent+answer cycles per supervision step (H_cycles); none: the model's", bounds=AT_LEAST_ONE
    )
    l_cycles: int | None = setting(None, "latent updates per cycle (L_cycles); none: the model's", bounds=AT_LEAST_ONE)
    finetune_sup_steps: int | None = setting(
        None,
        "supervision steps a fine-tuning sample runs before it is replaced (the depth trained); "
        "none: the model's halt_max_steps",
        bounds=AT_LEAST_ONE,
    )
    # Augmented inference and voting.
    n_augmentations: int = setting(
        1000, "augmented passes per test input (and task embeddings)", bounds=AT_LEAST_ONE, flag="--augmentations"
    )
    inference_batch: int = setting(256, "samples per inference batch", bounds=AT_LEAST_ONE)
    inference_sup_steps: int | None = setting(
        None,
        "supervision steps per inference pass; none: the model's inference depth (its source's "
        "halt_max_steps_eval, else the fine-tuning depth)",
        bounds=AT_LEAST_ONE,
    )
    inference_early_stop: bool = setting(
        False, "stop a sample once its halting logit is positive and its answer stopped changing"
    )
    keep_colour_zero: bool = setting(True, "augmentations never recolour the background (colour 0)")
    # Budget: share of a task's time spent fine-tuning (the rest is inference).
    finetune_share: float = setting(
        0.6,
        "under --time-budget, the largest part of the TRM's time spent fine-tuning (the rest: inference)",
        bounds=Interval(0, 1, open_high=True),
    )
    min_augmentations: int = setting(
        8,
        "under --time-budget, the fewest augmentations inference keeps (it cuts supervision steps first)",
        bounds=AT_LEAST_ONE,
    )
    seed: int = setting(0, "seed of every random draw (augmentations, batches)", bounds=Interval(0, MAX_SEED))

    def __post_init__(self) -> None:
        object.__setattr__(self, "experts", tuple(self.experts))  # JSON gives a list
        check_settings(self)

    def recursion(self, model: ModelConfig) -> ModelConfig:
        """`model` with this run's H/L cycles and fine-tuning depth (its shapes, hence its weights, unchanged)."""
        return dataclasses.replace(
            model,
            h_cycles=self.h_cycles or model.h_cycles,
            l_cycles=self.l_cycles or model.l_cycles,
            halt_max_steps=self.finetune_sup_steps or model.halt_max_steps,
        )

    def sup_steps_for(self, inference_depth: int) -> int:
        """Supervision steps inference runs on a model whose inference depth (after `recursion`) is given."""
        return inference_depth if self.inference_sup_steps is None else self.inference_sup_steps


SOLVE_PRESETS: dict[str, SolveConfig] = {
    "full": SolveConfig(),
    # A dry run that finishes in seconds per task on a laptop CPU.
    "cpu-smoke": SolveConfig(
        search_seconds=2.0,
        finetune_steps=4,
        finetune_batch=8,
        n_augmentations=16,
        inference_batch=16,
        inference_sup_steps=2,
    ),
    # The published test-time recipes, for their bases (README, "Which base to use"). Samples per
    # task = their epochs x ~3 demonstrations per ARC-AGI-2 task; what still differs: README.
    #
    # NVARC's TRM (ARC Prize 2025 winners; 1ytic/NVARC TRM/README.md, nvarc_2025.pdf section 4):
    # the reference's code fine-tuned at H_cycles 4, L_cycles 4, 10 supervision steps (pretrained
    # at 3 / 4 / 16), 2000 epochs (~6000 samples per task), lr 1e-4, embeddings 1e-2, weight decay
    # 0.1, new embeddings at the mean, 128 augmentations. Reported: 10.0% on Kaggle's ARC-AGI-2
    # public leaderboard; 2.08% for the same base without test-time fine-tuning.
    "nvarc": SolveConfig(
        h_cycles=4,
        l_cycles=4,
        finetune_sup_steps=10,
        inference_sup_steps=10,
        finetune_steps=94,
        finetune_batch=64,
        n_augmentations=128,
    ),
    # Trelis (arXiv 2511.02886; TrelisResearch/TinyRecursiveModels config/cfg_posttrain*.yaml): full
    # fine-tuning with the trunk frozen for the first 3125 of 15000 epochs, 12500 epochs on the
    # replication base (~38000 samples per task), lr 1e-4, embeddings 1e-2, the base's own recursion
    # (3 / 4 / 16), new embeddings at the mean, 512 augmentations. Reported: 6.67% on ARC-AGI-2
    # semi-private (base Trelis/TRM-ARC-AGI-II).
    "trelis": SolveConfig(
        finetune_steps=600,
        finetune_batch=64,
        frozen_trunk_share=3125 / 15000,
        n_augmentations=512,
    ),
}
