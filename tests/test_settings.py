"""Settings declared once (solver.settings) and the command-line options derived from them (solver.run.flags)."""

import argparse
import math
from dataclasses import dataclass

import pytest

from solver.run.flags import add_setting_options, changed_settings
from solver.settings import (
    POSITIVE,
    ConfigError,
    FrozenConfig,
    Interval,
    Kind,
    check_settings,
    declared_settings,
    setting,
)


@dataclass(frozen=True)
class Toy(FrozenConfig):
    count: int = setting(2, "how many", bounds=Interval(1, 6))
    rate: float | None = setting(None, "how fast; none: unlimited", bounds=POSITIVE, metavar="HZ")
    names: tuple[str, ...] = setting(("a",), "which, comma-separated", choices=("a", "b"))
    mode: str = setting("x", "how", choices=("x", "y"), flag="--how")
    loud: bool = setting(True, "whether to shout")
    internal: int = 0  # not declared with setting(): no option, no check

    def __post_init__(self) -> None:
        check_settings(self)


PRESETS = {"small": Toy(), "big": Toy(count=5, rate=2.5)}


def toy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toy", exit_on_error=False)
    add_setting_options(parser.add_argument_group("toy"), Toy, PRESETS, "--preset")
    return parser


def test_intervals_hold_finite_numbers_within_their_ends():
    share = Interval(0, 1, open_low=True, open_high=True)
    assert 0.5 in share and 0 not in share and 1 not in share and math.nan not in share
    assert 1 in Interval(1, 6) and 6 in Interval(1, 6) and 7 not in Interval(1, 6)
    assert math.inf not in POSITIVE and -math.inf not in Interval()
    assert [str(i) for i in (share, Interval(1, 6), POSITIVE, Interval(high=3))] == [
        "in (0, 1)",
        "in [1, 6]",
        "> 0",
        "<= 3",
    ]


def test_kinds_come_from_the_annotations_and_only_declared_fields_count():
    kinds = {d.name: d.kind for d in declared_settings(Toy)}
    assert kinds == {
        "count": Kind(int),
        "rate": Kind(float, optional=True),
        "names": Kind(str, many=True),
        "mode": Kind(str),
        "loud": Kind(bool),
    }


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"count": 7}, "count must be an integer in [1, 6], got 7"),
        ({"count": True}, "count must be an integer in [1, 6], got True"),
        ({"count": 2.0}, "count must be an integer"),
        ({"rate": 0}, "rate must be a number > 0 or None, got 0"),
        ({"rate": math.inf}, "rate must be a number > 0 or None"),
        ({"names": ("a", "a")}, "names must be distinct names from a, b"),
        ({"names": ()}, "names must be distinct names from a, b"),
        ({"mode": "z"}, "mode must be one of x, y, got 'z'"),
        ({"loud": 1}, "loud must be true or false, got 1"),
    ],
)
def test_a_value_its_declaration_does_not_allow_is_a_config_error(bad, message):
    with pytest.raises(ConfigError, match="^Toy: " + message.replace("[", r"\[").replace("(", r"\(")):
        Toy(**bad)


def test_allowed_values_pass():
    Toy(count=6, rate=1, names=("b", "a"), mode="y", loud=False, internal=-5)  # an int where a float is asked is fine


def test_every_declared_setting_becomes_an_option_and_only_given_ones_change_the_config():
    parser = toy_parser()
    assert changed_settings(parser.parse_args([]), Toy) == {}
    args = parser.parse_args(["--count", "6", "--rate", "0.5", "--names", "b,a", "--how", "y", "--no-loud"])
    assert changed_settings(args, Toy) == {"count": 6, "rate": 0.5, "names": ("b", "a"), "mode": "y", "loud": False}
    assert "--internal" not in parser.format_help()


def test_help_shows_the_bounds_and_each_presets_default_as_typed():
    text = " ".join(toy_parser().format_help().split())
    assert "how many (an integer in [1, 6]); default from --preset (small: 2, big: 5)" in text
    assert "default from --preset (small: none, big: 2.5)" in text  # None as the help text names it
    assert "(small: a, big: a)" in text and "(small: true, big: true)" in text
    assert "--rate HZ" in text


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--count", "7"], "'7' must be in [1, 6]"),
        (["--count", "two"], "'two' is not an integer"),
        (["--rate", "-1"], "'-1' must be > 0"),
        (["--rate", "inf"], "'inf' must be > 0"),
        (["--names", "a,c"], "'a,c': give distinct names from a, b"),
        (["--how", "z"], "invalid choice"),
    ],
)
def test_a_bad_option_value_is_refused_by_the_parser(argv, message):
    with pytest.raises(argparse.ArgumentError, match=message.replace("[", r"\[")):
        toy_parser().parse_args(argv)
