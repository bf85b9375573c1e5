"""Leave-one-out checks on a fitted final step: learned without one demonstration, does it
still reproduce that demonstration? A step that must see every demonstration to fit them
(a colour met in one demonstration only, a cell rule whose table entries each come from one)
has memorised rather than found a rule, and ranks below one that holds out (COSTS.held_out).
With one demonstration there is nothing to hold out, and every step passes.
"""

from __future__ import annotations

import numpy as np

from .cell_features import cell_features
from .fitters import rule_keys


def colour_map_holds_out(results: list[np.ndarray], cmap: np.ndarray) -> bool:
    """Whether every colour the map changes in one demonstration's result also occurs in
    another's (else, without that demonstration, the map would leave it unchanged)."""
    present = [set(np.unique(r).tolist()) for r in results]
    return _changes_seen_twice(present, cmap != np.arange(10))


def cell_rule_holds_out(results: list[np.ndarray], targets: list[np.ndarray], features: tuple[str, ...]) -> bool:
    """Whether each demonstration's (key, output colour) pairs all occur in the others: the
    rule learned from the other demonstrations reproduces it cell for cell."""
    if len(results) < 2:
        return True
    pairs = []
    for r, t in zip(results, targets):
        feats = cell_features(r, features)
        keys = rule_keys(r.ravel(), {n: feats[n].ravel() for n in features}, features)
        pairs.append(np.unique(keys * 10 + t.ravel()))
    for i in range(len(pairs)):
        others = np.concatenate(pairs[:i] + pairs[i + 1 :])
        if not np.isin(pairs[i], others).all():
            return False
    return True


def pair_map_holds_out(results: list[np.ndarray], inputs: list[np.ndarray], table: np.ndarray) -> bool:
    """Whether every (input colour, result colour) pair that one demonstration shows, where the
    table changes the input's colour, also occurs in another. As for colour maps, a pair that
    keeps the input's colour is taken as the default a map learned without it would give."""
    present = [set(np.unique(10 * i.astype(np.int64) + r).tolist()) for r, i in zip(results, inputs)]
    return _changes_seen_twice(present, table != np.arange(100) // 10)  # changed: not the input's colour


def _changes_seen_twice(present: list[set[int]], changed: np.ndarray) -> bool:
    """Whether every key a map changes (changed[key]) that one demonstration shows (present:
    its keys) also occurs in another; a key it leaves unchanged is the default a map learned
    without that demonstration would give. With one demonstration, nothing to hold out."""
    if len(present) < 2:
        return True
    for k, keys in enumerate(present):
        others = set().union(*(p for j, p in enumerate(present) if j != k))
        if any(changed[key] for key in keys - others):
            return False
    return True
