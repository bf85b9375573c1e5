"""Reading a TRM checkpoint and its run config, refusing what is not understood.

The reference and its forks save `torch.save(state_dict)` pickles; this is the only
place the solver reads a pickle, and only with `torch.load(weights_only=True, mmap=True)`:
a file that needs anything but tensors is refused, and the puzzle table (almost the
whole file) stays on disk until it is streamed (solver.trm.table_stats).

The architecture is never assumed: it comes from the run's `all_config.yaml` (written
by the source's pretrain.py beside its checkpoints), or from flags; a required setting
in neither (absent, or null in the file) is refused in one line naming its flag.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import torch

ANCHOR = "embed_tokens.embedding_weight"  # a key every TRM checkpoint has, to find the key prefix
# Key prefixes of the layouts known: torch.compile's wrapper adds `_orig_mod.`; `model.inner.`
# is the loss head's ACT wrapper around the inner network.
KNOWN_PREFIXES = ("_orig_mod.model.inner.", "model.inner.", "")
# The arch settings a checkpoint's tensors do not fix, each with its flag.
REQUIRED_FLAGS = {
    "H_cycles": "--h-cycles",
    "L_cycles": "--l-cycles",
    "num_heads": "--num-heads",
    "expansion": "--expansion",
    "halt_max_steps": "--halt-max-steps",
    "puzzle_emb_len": "--puzzle-emb-len",
}
# Settings the source's model class defaults when its config omits them.
SOURCE_CLASS_DEFAULTS = {"rope_theta": 10000.0, "rms_norm_eps": 1e-5, "pos_encodings": "rope", "mlp_t": False}
CONFIG_FILE = "all_config.yaml"


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


def read_run_config(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(scalars of the `arch:` mapping, top-level scalars) of an all_config.yaml.

    That file is PyYAML's block-style dump of the run config; only this subset is read:
    `key: value` lines, nesting by indentation, list items and deeper maps skipped.
    A key with an empty value that opens a nested map is skipped; `key: null` is None.
    """
    arch: dict[str, Any] = {}
    top: dict[str, Any] = {}
    inside, indent = False, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip(" "))
        if depth == 0:
            inside, indent = line.rstrip() == "arch:", None
            key, _, value = line.partition(":")
            if not inside and value.strip() and not line.startswith("- "):
                top[key.strip()] = _scalar(value)
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
        raise ConvertError(f"{CONFIG_FILE}: no 'arch:' section")
    return arch, top


def read_arch(text: str) -> dict[str, Any]:
    """The scalar entries of the `arch:` mapping (see read_run_config)."""
    return read_run_config(text)[0]


def arch_settings(source: Path, flags: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The run's arch settings (all_config.yaml beside `source`, then flags over it) and where they came from.

    A run-level `halt_max_steps_eval` (Trelis's PretrainConfig) applies when the arch has none,
    as their create_model does.
    """
    config_file = source.parent / CONFIG_FILE
    given = {key: value for key, value in flags.items() if value is not None}
    if config_file.is_file():
        arch, top = read_run_config(config_file.read_text())
        if "halt_max_steps_eval" not in arch and top.get("halt_max_steps_eval") is not None:
            arch["halt_max_steps_eval"] = top["halt_max_steps_eval"]
        origin = CONFIG_FILE + (" and flags" if given else "")
    else:
        missing = [flag for key, flag in REQUIRED_FLAGS.items() if key not in given]
        if missing:
            raise ConvertError(
                f"no {CONFIG_FILE} beside {source}: put the run's {CONFIG_FILE} there, or give "
                f"{' '.join(missing)} (the settings it was trained with; nothing is assumed)"
            )
        arch, origin = {}, "flags"
    settings = {**SOURCE_CLASS_DEFAULTS, **arch, **given}
    # A run config may lack a setting or hold it as null: refused here, not as a KeyError later.
    unset = {key: flag for key, flag in REQUIRED_FLAGS.items() if settings.get(key) is None}
    if unset:
        raise ConvertError(
            f"{config_file} sets no {', '.join(unset)}: give {' '.join(unset.values())} "
            f"(the settings the run was trained with; nothing is assumed)"
        )
    return settings, origin


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


def load_checkpoint(path: Path) -> dict[str, torch.Tensor]:
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


def strip_prefix(state: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], str]:
    """(keys without their wrapper prefix, the prefix); refuses a layout not in KNOWN_PREFIXES."""
    anchors = [k for k in state if k == ANCHOR or k.endswith("." + ANCHOR)]
    if len(anchors) != 1:
        raise ConvertError(f"missing key {ANCHOR!r}: not a TRM checkpoint of a layout this converter knows")
    prefix = anchors[0][: -len(ANCHOR)]
    if prefix not in KNOWN_PREFIXES:
        known = ", ".join(repr(p) for p in KNOWN_PREFIXES)
        raise ConvertError(f"unknown key layout: prefix {prefix!r} (known: {known})")
    stray = sorted(k for k in state if not k.startswith(prefix))
    if stray:
        raise ConvertError(f"unexpected keys {stray[:3]} outside {prefix!r}")
    return {k[len(prefix) :]: v for k, v in state.items()}, prefix
