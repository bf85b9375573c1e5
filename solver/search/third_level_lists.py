"""The third level's list programs, run in Python.

The compiled levels extend images only, so two kinds of three-step program are made here:
- split edits: an edited input split into a list and one element picked
  (`largest[cells](objects8(keep_colour[3](input)))`);
- list edits: the input's parts filtered or each edited, then picked or joined back into one
  image (`compose(map[fill_bbox[2]](objects8(input)))`, `largest[cells](not_touching_border(...))`).
Nothing is grown past them. Every step is the library's own op, checked against the deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .ops import IMAGE, LIST

# First-level images that are split (in the frontier's order: nearest the outputs, then library
# order: turns, crops, colour filters...). Splitting all of them (about 120) cost 5-10% more
# median CPU on arc1/train for one more held-out output.
MAX_SPLIT_EDITS = 32

if TYPE_CHECKING:
    from .enumeration import Enumeration, State


def grow_third_level_lists(search: Enumeration, first_level: list[State]) -> None:
    """The split edits and list edits of `search` (see the module's doc), from its first
    level's states, in the frontier's order. Once the state cap is hit no new state can be
    stored, so no more is tried."""
    splits = [t for t in search.library if t.takes == IMAGE and t.gives == LIST]
    images = [s for s in first_level if s.kind == IMAGE][:MAX_SPLIT_EDITS]
    if _lists_and_their_ends(search, images, splits, joins=False):
        edits = [t for t in search.library if t.takes == LIST and t.gives == LIST]
        _lists_and_their_ends(search, [s for s in first_level if s.kind == LIST], edits, joins=True)


def _lists_and_their_ends(search: Enumeration, states: list[State], ops: list, joins: bool) -> bool:
    """Each op (giving a list) on each state as the second step, each new list ended by `_end`.
    Returns False when the state cap stopped it."""
    for state in states:
        for t in ops:
            if search.stats["state_cap_hit"]:
                return False
            listed = search.step(t, state, 2, last=False)
            if listed is not None:
                _end(search, listed, joins)
    return True


def _end(search: Enumeration, listed: State, joins: bool) -> None:
    """The last step on a list: its picks (when some element could be the first output: a pick
    answers one of them), and with `joins` the ops that make one image of it all."""
    ends = list(search.joins) if joins else []
    if any(search.ex.readable_first(v) for v in listed.values[0]):
        ends = list(search.picks) + ends
    for t in ends:
        search.step(t, listed, 3, last=True)  # never grown further: a last step
