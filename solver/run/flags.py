"""Command-line options derived from a config's declared settings (solver.settings).

Every field declared with `setting(...)` becomes one option: its flag, help text, the
values it accepts and its default under each preset all come from the declaration, so
this module names no field. An option left out is None in the parsed arguments and the
preset's value stands; a value the declaration does not allow is argparse's one-line
error (exit 2), before anything runs.
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


def number(kind: type, bounds: Interval | None) -> Callable[[str], Any]:
    """An argparse `type` that reads an int or a float and refuses it outside `bounds`."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {TYPE_NAMES[kind]}") from None
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
        if not values or len(set(values)) != len(values) or set(values) - set(declared.setting.choices):
            raise argparse.ArgumentTypeError(f"{text!r}: give {requirement(declared.kind, declared.setting)}")
        return values

    return parse


def shown(value: Any) -> str:
    """A preset's value as a user would type it: `search,trm`, not `('search', 'trm')`."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if value is None:
        return "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


def add_setting_options(
    group: argparse._ArgumentGroup,
    config_type: type[FrozenConfig],
    presets: Mapping[str, FrozenConfig],
    preset_flag: str,
) -> None:
    """One option per declared setting of `config_type`; --help shows its default under each preset."""
    for declared in declared_settings(config_type):
        name, kind, setting = declared.name, declared.kind, declared.setting
        defaults = ", ".join(f"{preset}: {shown(getattr(cfg, name))}" for preset, cfg in presets.items())
        words = f" ({requirement(kind, setting)})" if setting.bounds is not None else ""
        options: dict[str, Any] = {
            "dest": name,
            "default": None,
            "help": f"{setting.help}{words}; default from {preset_flag} ({defaults})",
        }
        if kind.base is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif kind.many:
            options.update(type=names(declared), metavar=setting.metavar or "A,B")
        elif setting.choices:
            options["choices"] = setting.choices
        else:
            options.update(
                type=number(kind.base, setting.bounds), metavar=setting.metavar or DEFAULT_METAVARS[kind.base]
            )
        group.add_argument(setting.flag or "--" + name.replace("_", "-"), **options)


def changed_settings(args: argparse.Namespace, config_type: type[FrozenConfig]) -> dict[str, Any]:
    """The declared settings given on the command line, by field name."""
    given = {declared.name: getattr(args, declared.name) for declared in declared_settings(config_type)}
    return {name: value for name, value in given.items() if value is not None}
