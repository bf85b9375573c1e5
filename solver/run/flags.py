"""Command-line options derived from a config's declared settings (solver.settings).

Every field declared with `setting(...)` becomes one option: its flag, help text, the
values it accepts and its default under each preset all come from the declaration, so
this module names no field. An option left out is None in the parsed arguments and the
preset's value stands; `none`, for a setting that may be None, is NONE_GIVEN there and
sets it to None whatever the preset says (its help says what None means). A value the
declaration does not allow is argparse's one-line error (exit 2), before anything runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from solver.settings import (
    AT_LEAST_ONE,
    POSITIVE,
    TYPE_NAMES,
    Declared,
    FrozenConfig,
    Interval,
    declared_settings,
    requirement,
)

DEFAULT_METAVARS = {int: "N", float: "X"}
NONE_WORD = "none"  # None as a user types it


class NoneGiven:
    """`none` typed for an optional setting: told apart from an option left out (None)."""


NONE_GIVEN = NoneGiven()


def number(kind: type, bounds: Interval | None, optional: bool = False) -> Callable[[str], Any]:
    """An argparse `type` that reads an int or a float and refuses it outside `bounds`; `optional`: or none."""

    def parse(text: str) -> Any:
        if optional and text.strip().lower() == NONE_WORD:
            return NONE_GIVEN
        try:
            value = kind(text)
        except ValueError:
            words = TYPE_NAMES[kind] + (f" or {NONE_WORD}" if optional else "")
            raise argparse.ArgumentTypeError(f"{text!r} is not {words}") from None
        if bounds is not None and value not in bounds:
            raise argparse.ArgumentTypeError(f"{text!r} must be {bounds}")
        return value

    return parse


positive_int = number(int, AT_LEAST_ONE)
positive_float = number(float, POSITIVE)


def names(declared: Declared) -> Callable[[str], tuple[str, ...]]:
    """An argparse `type` for a comma-separated list of distinct names from the setting's choices."""

    def parse(text: str) -> tuple[str, ...]:
        values = tuple(name.strip() for name in text.split(",") if name.strip())
        if not values or len(set(values)) != len(values) or set(values) - set(declared.spec.choices):
            raise argparse.ArgumentTypeError(f"{text!r}: give {requirement(declared.kind, declared.spec)}")
        return values

    return parse


def shown(value: Any) -> str:
    """A preset's value as a user would type it: `search,trm`, not `('search', 'trm')`."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if value is None:
        return NONE_WORD
    return str(value).lower() if isinstance(value, bool) else str(value)


def add_setting_options(
    group: argparse._ArgumentGroup,
    config_type: type[FrozenConfig],
    presets: Mapping[str, FrozenConfig],
    preset_flag: str,
) -> None:
    """One option per declared setting of `config_type`; --help shows its default under each preset."""
    for declared in declared_settings(config_type):
        name, kind, spec = declared.name, declared.kind, declared.spec
        defaults = ", ".join(f"{preset}: {shown(getattr(cfg, name))}" for preset, cfg in presets.items())
        alternative = f" or {NONE_WORD}" if kind.optional else ""
        words = f" ({requirement(kind, spec)}{alternative})" if spec.bounds is not None else ""
        options: dict[str, Any] = {
            "dest": name,
            "default": None,
            "help": f"{spec.help}{words}; default from {preset_flag} ({defaults})",
        }
        if kind.base is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif kind.many:
            options.update(type=names(declared), metavar=spec.metavar or "A,B")
        elif spec.choices:
            options["choices"] = spec.choices
        else:
            parse = number(kind.base, spec.bounds, kind.optional)
            options.update(type=parse, metavar=spec.metavar or DEFAULT_METAVARS[kind.base])
        group.add_argument(spec.flag or "--" + name.replace("_", "-"), **options)


def changed_settings(args: argparse.Namespace, config_type: type[FrozenConfig]) -> dict[str, Any]:
    """The declared settings given on the command line (`none` among them, as None), by field name."""
    given = {declared.name: getattr(args, declared.name) for declared in declared_settings(config_type)}
    return {name: None if value is NONE_GIVEN else value for name, value in given.items() if value is not None}
