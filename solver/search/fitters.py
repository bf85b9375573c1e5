"""Final steps fitted to the demonstrations rather than enumerated: colour maps and cell rules.

A program's last image may be right up to a renaming of colours (`fit_colour_map`), or up to
a cell rule: each output cell a function of the cell's colour and a few of its features in
that image (`fit_cell_rule`; the features are in `cell_features`). A cell rule is only used
when every key seen in the test inputs was also seen in the demonstrations, so it never guesses.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np

from . import kernels as K
from .cell_features import CODE_BASE, FAMILIES, cell_features
from .ops.base import fg_colours_by_count

NO_MAP = -1


def fit_colour_map(results: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray | None:
    """A (10,) uint8 map m with m[result] == target on every demonstration, or None.

    Colours that never occur in a result map to themselves (a guess: see `unseen_colours`).
    """
    m = np.full(10, NO_MAP, dtype=np.int64)
    for r, t in zip(results, targets):
        if r.shape != t.shape or not K.colour_table(r, t, m):
            return None
    return np.where(m == NO_MAP, np.arange(10), m).astype(np.uint8)


def fit_pair_map(
    results: list[np.ndarray],
    inputs: list[np.ndarray],
    targets: list[np.ndarray],
    test_results: list[np.ndarray],
    test_inputs: list[np.ndarray],
) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Each output cell a function of two colours: the input's and the result's in that cell
    (an overlay, a mask, a stencil, learned as one table). Every grid of an example must have
    the output's shape. Returns the test answers and the (100,) table, or None when no table
    reproduces every demonstration, when a test shows a pair they never showed (no guess), or
    when the table reads the input's colour alone (a colour map of the input, found already)."""
    table = np.full(100, NO_MAP, dtype=np.int64)
    for r, i, t in zip(results, inputs, targets):
        if r.shape != t.shape or i.shape != t.shape or not K.pair_table(i, r, t, table):
            return None
    seen = table.reshape(10, 10)  # [input colour, result colour]
    if all(len(set(row[row != NO_MAP].tolist())) <= 1 for row in seen):
        return None
    answers = []
    for r, i in zip(test_results, test_inputs):
        if r.shape != i.shape:
            return None
        out = table[10 * i.astype(np.int64) + r]
        if (out == NO_MAP).any():
            return None
        answers.append(out.astype(np.uint8))
    return answers, table


def unseen_colours(results: list[np.ndarray], tests: list[np.ndarray]) -> bool:
    """Whether a test result holds a colour that no demonstration result holds."""
    seen = set()
    for r in results:
        seen.update(np.unique(r).tolist())
    return any(not set(np.unique(g).tolist()) <= seen for g in tests)


def fit_rank_colour_map(
    results: list[np.ndarray],
    targets: list[np.ndarray],
    inputs: list[np.ndarray],
    test_results: list[np.ndarray],
    test_inputs: list[np.ndarray],
) -> list[np.ndarray] | None:
    """Like a colour map, but a result colour may become "the r-th most frequent colour of
    this example's input" instead of one fixed colour (colours that differ per example).

    Returns the recoloured test results, or None.
    """
    per_colour: dict[int, list[int]] = {}
    for r, t in zip(results, targets):
        table = np.full(10, NO_MAP, dtype=np.int64)
        if r.shape != t.shape or not K.colour_table(r, t, table):
            return None  # one colour to two within an example
        for a in np.flatnonzero(table != NO_MAP).tolist():
            per_colour.setdefault(a, []).append(int(table[a]))
    ranks = [fg_colours_by_count(g) for g in inputs]
    rules: dict[int, tuple[str, int]] = {}
    for a in sorted(per_colour):
        seen = per_colour[a]
        if len(set(seen)) == 1 and len(seen) == len(results):
            rules[a] = ("const", seen[0])
            continue
        # Which examples use colour a: rebuild the per-example targets in order.
        found = None
        for rank in range(4):
            ok = True
            for r, t, rk in zip(results, targets, ranks):
                m = r == a
                if not m.any():
                    continue
                if rank >= len(rk) or not np.all(t[m] == rk[rank]):
                    ok = False
                    break
            if ok:
                found = rank
                break
        if found is None:
            if len(set(seen)) == 1:
                rules[a] = ("const", seen[0])
                continue
            return None
        rules[a] = ("rank", found)
    if all(kind == "const" for kind, _ in rules.values()):
        return None  # a plain colour map; fit_colour_map covers it
    out = []
    for g, inp in zip(test_results, test_inputs):
        rk = fg_colours_by_count(inp)
        if not set(np.unique(g).tolist()) <= set(rules):
            return None  # a colour the demonstrations never showed: no guess
        lut = np.arange(10, dtype=np.uint8)
        for a, (kind, v) in rules.items():
            if kind == "const":
                lut[a] = v
            elif v < len(rk):
                lut[a] = rk[v]
            else:
                return None
        out.append(lut[g])
    return out


# Feature sets a cell rule may key on (besides the cell's colour), for cheap use on many
# states: the 4-neighbour counts, the cross, the 3x3 neighbourhood.
LOCAL_FEATURE_SETS: tuple[tuple[str, ...], ...] = (
    ("same4", "nonzero8"),
    ("neighbours4",),
    ("neighbours4", "diagonals4"),
)
MAX_RULE_FEATURES = 2  # a rich rule keys on the colour plus at most this many families


def rich_feature_sets(families=FAMILIES, max_features: int = MAX_RULE_FEATURES) -> tuple[tuple[str, ...], ...]:
    """Every set of 1..max_features families, fewest first."""
    return tuple(s for k in range(1, max_features + 1) for s in itertools.combinations(families, k))


@dataclass(frozen=True)
class CellRule:
    features: tuple[str, ...]  # families keyed on, besides the cell's colour
    entries: int  # distinct keys the demonstrations showed (the size of the rule's table)
    test_grids: list  # one (H, W) uint8 per test input


def rule_keys(colour: np.ndarray, feats: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    """One int64 key per cell: its colour, then each named feature (a cell rule looks up by it)."""
    key = colour.astype(np.int64)
    for n in names:
        key = key * CODE_BASE + feats[n]
    return key


@functools.lru_cache(maxsize=8)
def _set_matrix(feature_sets: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], np.ndarray]:
    """The families the sets use, and (S, K) int64: each set's indices into them, -1 padded."""
    names = tuple(dict.fromkeys(n for s in feature_sets for n in s))
    index = {n: i for i, n in enumerate(names)}
    width = max(len(s) for s in feature_sets)
    rows = [[index[n] for n in s] + [-1] * (width - len(s)) for s in feature_sets]
    return names, np.array(rows, dtype=np.int64)


def fit_cell_rule(
    results: list[np.ndarray],
    targets: list[np.ndarray],
    tests: list[np.ndarray],
    feature_sets: tuple[tuple[str, ...], ...],
) -> CellRule | None:
    """Learn target cell = f(colour, features of the result cell) and apply it to `tests`.

    results/targets: per demonstration, same-shaped (H, W) uint8. Tries each feature set and
    keeps those that reproduce every demonstration cell and have seen every test cell's key
    (so the rule never guesses); returns the simplest: fewest families, then smallest table.
    """
    if any(r.shape != t.shape for r, t in zip(results, targets)):
        return None
    names, matrix = _set_matrix(feature_sets)
    per_result = [cell_features(r, names) for r in results]
    per_test = [cell_features(g, names) for g in tests]
    demo = {n: np.concatenate([f[n].ravel() for f in per_result]) for n in names}
    colour = np.concatenate([r.ravel() for r in results])
    vals = np.concatenate([t.ravel() for t in targets]).astype(np.int64)
    columns = np.stack([demo[n] for n in names])  # (F, N)
    sizes = K.rule_table_sizes(columns, colour.astype(np.int64), vals, matrix, CODE_BASE)
    best: CellRule | None = None
    for s, size in zip(feature_sets, sizes.tolist()):
        if best is not None and (len(s), size) >= (len(best.features), best.entries):
            continue  # not simpler than the rule already found
        if size < 0:
            continue  # one key, two outputs
        pairs = np.unique(rule_keys(colour, demo, s) * 10 + vals)
        keys, table = pairs // 10, (pairs % 10).astype(np.uint8)
        grids = []
        for g, f in zip(tests, per_test):
            c = rule_keys(g.ravel(), {n: f[n].ravel() for n in s}, s)
            idx = np.minimum(np.searchsorted(keys, c), len(keys) - 1)
            if not np.array_equal(keys[idx], c):
                break  # a key the demonstrations never showed
            grids.append(table[idx].reshape(g.shape))
        else:
            best = CellRule(s, len(keys), grids)
    return best
