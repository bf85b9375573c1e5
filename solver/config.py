"""The settings of one solver run (`SolveConfig`), with named presets.

The network's own shape is `solver.trm.config.ModelConfig` (it travels inside the
weights' metadata). Every config dataclass rejects unknown keys, so a typo never
silently becomes a default.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, TypeVar

ConfigT = TypeVar("ConfigT", bound="FrozenConfig")


class ConfigError(ValueError):
    """A setting that cannot be used (unknown key, value out of range, unknown preset).

    The command line reports it as the user's mistake; any other ValueError is a bug
    and keeps its traceback.
    """


EXIT_USAGE = 2  # a command's exit status for a ConfigError or another usage error (argparse's own)


class FrozenConfig:
    """Base of every frozen config dataclass: dict and JSON round trips that reject unknown keys.

    Derived fields (`field(init=False)`) are left out of the dict; they are recomputed.
    A changed copy is `dataclasses.replace(cfg, ...)`, which validates it again.
    """

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}  # type: ignore[arg-type]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls: type[ConfigT], values: dict[str, Any]) -> ConfigT:
        if not isinstance(values, dict):
            raise ConfigError(f"{cls.__name__}: settings must be a JSON object, got {type(values).__name__}")
        known = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"{cls.__name__}: unknown keys {unknown}")
        return cls(**values)

    @classmethod
    def from_json(cls: type[ConfigT], text: str) -> ConfigT:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{cls.__name__}: not JSON ({error.msg})") from None
        return cls.from_dict(values)


TUNABLE_PARAMETER_SETS = ("all", "embeddings", "embeddings+heads")
EXPERTS = ("search", "trm")  # the program search (solver.search) and the network (solver.trm)
TOKEN_LOSSES = ("stablemax", "softmax")  # solver.trm.objectives.LOSSES


@dataclass(frozen=True)
class SolveConfig(FrozenConfig):
    """Settings of one solver run. Defaults are the real (GPU) run; see README.

    Supervision steps: the model's depth is `ModelConfig.halt_max_steps`. Fine-tuning
    trains to that depth (one supervision step per optimizer step through a persistent
    carry, solver.trm.carry); inference runs `inference_sup_steps` of it.
    """

    # Who answers: the program search, the TRM, or both (see solver.ensemble).
    experts: tuple[str, ...] = EXPERTS
    # Program search: a cap per task (the budget may give it less), and the longest program.
    search_seconds: float = 10.0
    search_depth: int = 2
    search_share: float = 0.25  # with both experts, at most this part of a task's time goes to search
    # Per-task test-time fine-tuning: `finetune_steps` optimizer steps, each one
    # supervision step of `finetune_batch` samples in flight.
    finetune_steps: int = 600  # = the former 300 batches x 2 supervision steps: same training work
    finetune_batch: int = 64
    finetune_lr: float = 1e-4
    embedding_lr: float = 1e-2
    weight_decay: float = 0.1
    loss: str = "stablemax"  # token cross-entropy: stablemax (TRM's) | softmax
    tune: str = "all"  # which parameters move: all | embeddings | embeddings+heads
    translate: bool = True  # random translation of training pairs on the canvas
    # Augmented inference and voting.
    n_augmentations: int = 1000
    inference_batch: int = 256
    inference_sup_steps: int | None = None  # None: the model's depth (halt_max_steps); an int is capped by it
    # Stop a sample once its halting logit is positive and its answer did not change in its last step.
    inference_early_stop: bool = False
    keep_colour_zero: bool = True
    # Budget: share of a task's time spent fine-tuning (the rest is inference).
    finetune_share: float = 0.6
    min_augmentations: int = 8  # below this, fewer supervision steps are used instead
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "experts", tuple(self.experts))  # JSON gives a list
        if not self.experts or len(set(self.experts)) != len(self.experts) or set(self.experts) - set(EXPERTS):
            raise ConfigError(f"SolveConfig: experts must be distinct names from {EXPERTS}, got {self.experts}")
        if self.search_seconds <= 0 or self.search_depth < 1 or not 0.0 < self.search_share < 1.0:
            raise ConfigError("SolveConfig: search_seconds must be > 0, search_depth >= 1, search_share in (0, 1)")
        if self.tune not in TUNABLE_PARAMETER_SETS:
            raise ConfigError(f"SolveConfig: tune must be one of {TUNABLE_PARAMETER_SETS}, got {self.tune!r}")
        if self.loss not in TOKEN_LOSSES:
            raise ConfigError(f"SolveConfig: loss must be one of {TOKEN_LOSSES}, got {self.loss!r}")
        positive = ("finetune_batch", "n_augmentations", "inference_batch", "min_augmentations")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"SolveConfig: {name} must be >= 1")
        if self.inference_sup_steps is not None and self.inference_sup_steps < 1:
            raise ConfigError("SolveConfig: inference_sup_steps must be None (the model's depth) or >= 1")
        if self.finetune_steps < 0:
            raise ConfigError("SolveConfig: finetune_steps must be >= 0")
        if not 0.0 <= self.finetune_share < 1.0:
            raise ConfigError("SolveConfig: finetune_share must be in [0, 1)")

    def sup_steps_for(self, halt_max_steps: int) -> int:
        """Supervision steps inference runs on a model of depth `halt_max_steps`."""
        if self.inference_sup_steps is None:
            return halt_max_steps
        return min(self.inference_sup_steps, halt_max_steps)


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
}
