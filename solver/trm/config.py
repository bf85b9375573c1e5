"""The network's shape (`ModelConfig`) with named presets; it travels inside the weights' metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.settings import ConfigError, FrozenConfig


def _round_up(value: float, multiple: int) -> int:
    return multiple * -(-round(value) // multiple)


POSITION_ENCODINGS = ("grid2d", "rope1d")
CANVAS_MODES = ("fit", "30")


@dataclass(frozen=True)
class ModelConfig(FrozenConfig):
    """The Tiny Recursive Model (arXiv 2510.04871), ARC setting by default."""

    hidden_size: int = 512
    num_heads: int = 8
    num_layers: int = 2  # layers in the single shared block
    expansion: float = 4.0  # SwiGLU expansion before the 2/3 rule
    mlp_multiple_of: int = 256
    h_cycles: int = 3  # latent+answer cycles per supervision step (last one with gradient)
    l_cycles: int = 4  # latent updates per cycle
    halt_max_steps: int = 16  # deep-supervision steps (fine-tuning trains to this depth)
    # Supervision steps inference runs when the run does not say (a fork's `halt_max_steps_eval`);
    # None: halt_max_steps. h_cycles, l_cycles and both depths can be changed per run (SolveConfig).
    halt_max_steps_eval: int | None = None
    prefix_len: int = 16  # task-embedding positions in front of the grid
    vocab_size: int = 12  # PAD, EOS, colours 0..9 (see solver.trm.codec)
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    init_seed: int = 0  # seed of the deterministic initialisation
    # "grid2d": rotary positions by (row, col), prefix apart; "rope1d": the reference TRM's
    # 1-D rotary positions 0..prefix_len + side*side - 1 (full-width rotate-half).
    positions: str = "grid2d"
    # "fit": canvas sized to the task (solver.trm.codec); "30": the reference's fixed 30x30 canvas.
    canvas: str = "fit"
    # Derived in __post_init__.
    head_dim: int = field(init=False)
    mlp_hidden: int = field(init=False)

    def __post_init__(self) -> None:
        if self.hidden_size % self.num_heads:
            raise ConfigError("ModelConfig: hidden_size must be divisible by num_heads")
        if self.positions not in POSITION_ENCODINGS:
            raise ConfigError(f"ModelConfig: positions must be one of {POSITION_ENCODINGS}, got {self.positions!r}")
        if self.canvas not in CANVAS_MODES:
            raise ConfigError(f"ModelConfig: canvas must be one of {CANVAS_MODES}, got {self.canvas!r}")
        head_dim = self.hidden_size // self.num_heads
        rotary_groups = 4 if self.positions == "grid2d" else 2  # (row, col) halves, or one rotated pair set
        if head_dim % rotary_groups:
            raise ConfigError(
                f"ModelConfig: head_dim must be divisible by {rotary_groups} for {self.positions} positions"
            )
        for name in ("num_layers", "h_cycles", "l_cycles", "halt_max_steps", "prefix_len"):
            if getattr(self, name) < 1:
                raise ConfigError(f"ModelConfig: {name} must be >= 1")
        if self.halt_max_steps_eval is not None and self.halt_max_steps_eval < 1:
            raise ConfigError("ModelConfig: halt_max_steps_eval must be None or >= 1")
        object.__setattr__(self, "head_dim", head_dim)
        # SwiGLU keeps the parameter count of a 4x MLP by using 2/3 of its width.
        object.__setattr__(
            self, "mlp_hidden", _round_up(self.expansion * self.hidden_size * 2 / 3, self.mlp_multiple_of)
        )

    @property
    def inference_depth(self) -> int:
        """Supervision steps inference runs by default."""
        return self.halt_max_steps if self.halt_max_steps_eval is None else self.halt_max_steps_eval


MODEL_PRESETS: dict[str, ModelConfig] = {
    "trm-7m": ModelConfig(),
    # Small enough for CPU tests: same code paths, a few thousand parameters per layer.
    "tiny": ModelConfig(
        hidden_size=32,
        num_heads=2,
        expansion=2.0,
        mlp_multiple_of=16,
        h_cycles=2,
        l_cycles=2,
        halt_max_steps=3,
        prefix_len=2,
    ),
    # The reference TRM's ARC layout (1-D RoPE, fixed 30x30 canvas), as its published checkpoints use.
    "trm-7m-ref": ModelConfig(positions="rope1d", canvas="30"),
}


def model_preset(name: str) -> ModelConfig:
    if name not in MODEL_PRESETS:
        raise ConfigError(f"unknown model preset {name!r}; choose from {sorted(MODEL_PRESETS)}")
    return MODEL_PRESETS[name]
