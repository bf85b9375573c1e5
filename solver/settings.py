"""How a config is declared: frozen dataclasses whose fields carry their own help, bounds and flag.

A field declared with `setting(default, help, bounds=..., choices=...)` is described once:
`check_settings` validates a config against those declarations, and solver.run.flags
derives the command-line option from the same declaration, so a bound is never written
twice and nothing reaches a worker that the command line would have refused.

`FrozenConfig` gives every config dataclass dict and JSON round trips that reject
unknown keys, so a typo never silently becomes a default.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

ConfigT = TypeVar("ConfigT", bound="FrozenConfig")
T = TypeVar("T")
SETTING = "setting"  # the key of a field's declaration in dataclasses.field(metadata=...)


class ConfigError(ValueError):
    """A setting that cannot be used (unknown key, value out of range, unknown preset).

    The command line reports it as the user's mistake; any other ValueError is a bug
    and keeps its traceback.
    """


@dataclass(frozen=True)
class Interval:
    """The numbers a setting accepts: from `low` to `high`, inclusive unless open; None is unbounded.

    Only finite numbers are ever inside (a budget of `inf` or a rate of `nan` is refused).
    """

    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.open_low else value < self.low):
            return False
        return self.high is None or (value < self.high if self.open_high else value <= self.high)

    def __str__(self) -> str:
        if self.high is None:
            return f"{'>' if self.open_low else '>='} {self.low}"
        if self.low is None:
            return f"{'<' if self.open_high else '<='} {self.high}"
        return f"in {'(' if self.open_low else '['}{self.low}, {self.high}{')' if self.open_high else ']'}"


AT_LEAST_ONE = Interval(1)
NON_NEGATIVE = Interval(0)
POSITIVE = Interval(0, open_low=True)
SHARE = Interval(0, 1, open_low=True, open_high=True)  # a part of something, neither none nor all of it


@dataclass(frozen=True)
class Setting:
    """What a field declares besides its default (see `setting`)."""

    help: str
    bounds: Interval | None = None  # numbers: the values accepted
    choices: tuple[str, ...] = ()  # text, or each name of a tuple of names: the values accepted
    flag: str = ""  # the command-line option; "": --field-name
    metavar: str = ""  # its placeholder in --help; "": from the type


def setting(
    default: T,
    help: str,
    *,
    bounds: Interval | None = None,
    choices: tuple[str, ...] = (),
    flag: str = "",
    metavar: str = "",
) -> T:
    """A config field with its default, its help text, the values it accepts and its flag."""
    declared = Setting(help, bounds, choices, flag, metavar)
    return dataclasses.field(default=default, metadata={SETTING: declared})


class Kind(NamedTuple):
    """A setting's Python type, read from its annotation: `int`, `float | None`, `tuple[str, ...]`..."""

    base: type  # bool, int, float or str
    optional: bool = False  # None is allowed (it means what the help text says)
    many: bool = False  # a tuple of distinct `base` values, at least one


def kind_of(annotation: Any) -> Kind:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return kind_of(inner)._replace(optional=True)
    if typing.get_origin(annotation) is tuple:
        return Kind(args[0], many=True)
    return Kind(annotation)


class Declared(NamedTuple):
    name: str
    default: Any
    kind: Kind
    setting: Setting


def declared_settings(config_type: type) -> tuple[Declared, ...]:
    """The fields of a config dataclass declared with `setting`, in declaration order."""
    hints = typing.get_type_hints(config_type)
    return tuple(
        Declared(f.name, f.default, kind_of(hints[f.name]), f.metadata[SETTING])
        for f in dataclasses.fields(config_type)
        if SETTING in f.metadata
    )


TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "text"}


def requirement(kind: Kind, declared: Setting) -> str:
    """What a value must be, as words: "an integer in [1, 6]", "one of stablemax, softmax"..."""
    if kind.many:
        return f"distinct names from {', '.join(declared.choices)}"
    if declared.choices:
        return f"one of {', '.join(declared.choices)}"
    words = TYPE_NAMES[kind.base]
    return f"{words} {declared.bounds}" if declared.bounds is not None else words


def is_allowed(value: Any, kind: Kind, declared: Setting) -> bool:
    if value is None:
        return kind.optional
    if kind.many:
        items = value if isinstance(value, tuple) else ()
        return (
            bool(items)
            and len(set(items)) == len(items)
            and all(is_allowed(v, kind._replace(many=False), declared) for v in items)
        )
    if isinstance(value, bool) and kind.base is not bool:  # True is an int to Python, never a count here
        return False
    types_accepted = (int, float) if kind.base is float else (kind.base,)
    if not isinstance(value, types_accepted):
        return False
    if declared.choices and value not in declared.choices:
        return False
    return declared.bounds is None or value in declared.bounds


def check_settings(config: FrozenConfig) -> None:
    """Raise ConfigError for the first field whose value its declaration does not allow."""
    for name, _, kind, declared in declared_settings(type(config)):
        value = getattr(config, name)
        if not is_allowed(value, kind, declared):
            requirement_text = requirement(kind, declared) + (" or None" if kind.optional else "")
            raise ConfigError(f"{type(config).__name__}: {name} must be {requirement_text}, got {value!r}")


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
