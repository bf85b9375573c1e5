"""Final steps fitted to the demonstrations rather than enumerated: colour maps and local rules.

A program's last image may be right up to a renaming of colours (`fit_colour_map`), or up to
a cell-local rule: each output cell a function of the cell's neighbourhood in that image
(`fit_local_rule`). A local rule is only used when every neighbourhood seen in the test
inputs was also seen in the demonstrations, so it never guesses.
"""

from __future__ import annotations

import numpy as np

from . import kernels as K

NO_MAP = -1
OUTSIDE = 10  # code of an off-grid neighbour

# Neighbourhoods, as (dy, dx) offsets, simplest first.
NEIGHBOURHOODS: dict[str, tuple[tuple[int, int], ...]] = {
    "cross": ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)),
    "3x3": tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)),
}


def fit_colour_map(results: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray | None:
    """A (10,) uint8 map m with m[result] == target on every demonstration, or None.

    Colours that never occur in a result map to themselves (a guess: see `unseen_colours`).
    """
    m = np.full(10, NO_MAP, dtype=np.int64)
    for r, t in zip(results, targets):
        if r.shape != t.shape or not K.colour_table(r, t, m):
            return None
    return np.where(m == NO_MAP, np.arange(10), m).astype(np.uint8)


def unseen_colours(results: list[np.ndarray], tests: list[np.ndarray]) -> bool:
    """Whether a test result holds a colour that no demonstration result holds."""
    seen = set()
    for r in results:
        seen.update(np.unique(r).tolist())
    return any(not set(np.unique(g).tolist()) <= seen for g in tests)


def _colour_ranks(grid: np.ndarray) -> list[int]:
    """Non-zero colours of a grid, most frequent first (ties: lower colour first)."""
    counts = np.bincount(grid.ravel(), minlength=10)
    return sorted((c for c in range(1, 10) if counts[c]), key=lambda c: (-counts[c], c))


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
    ranks = [_colour_ranks(g) for g in inputs]
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
        rk = _colour_ranks(inp)
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


def _codes(a: np.ndarray, offsets) -> np.ndarray:
    """(H, W) int64 code of each cell's neighbourhood (base 11, OUTSIDE off the grid)."""
    h, w = a.shape
    p = np.full((h + 2, w + 2), OUTSIDE, dtype=np.int64)
    p[1:-1, 1:-1] = a
    code = np.zeros((h, w), dtype=np.int64)
    for dy, dx in offsets:
        code = code * 11 + p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
    return code


def _count_codes(a: np.ndarray) -> np.ndarray:
    """(H, W) int64 code: cell colour, same-colour 4-neighbours, non-zero 8-neighbours."""
    h, w = a.shape
    p = np.full((h + 2, w + 2), OUTSIDE, dtype=np.int64)
    p[1:-1, 1:-1] = a
    same4 = np.zeros((h, w), dtype=np.int64)
    nz8 = np.zeros((h, w), dtype=np.int64)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy == dx == 0:
                continue
            n = p[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w]
            nz8 += (n != 0) & (n != OUTSIDE)
            if dy == 0 or dx == 0:
                same4 += n == a
    return (a.astype(np.int64) * 10 + same4) * 10 + nz8


def _features(a: np.ndarray, neighbourhood: str) -> np.ndarray:
    if neighbourhood == "counts":
        return _count_codes(a)
    return _codes(a, NEIGHBOURHOODS[neighbourhood])


LOCAL_RULES = ("counts", "cross", "3x3")  # simplest first


def fit_local_rule(
    results: list[np.ndarray], targets: list[np.ndarray], tests: list[np.ndarray], neighbourhood: str
) -> list[np.ndarray] | None:
    """Learn target cell = f(neighbourhood of the result cell) and apply it to `tests`.

    results/targets: per demonstration, same-shaped (H, W) uint8. Returns the test grids,
    or None when the rule is inconsistent or a test neighbourhood was never seen.
    """
    if any(r.shape != t.shape for r, t in zip(results, targets)):
        return None
    keys = np.concatenate([_features(r, neighbourhood).ravel() for r in results])
    vals = np.concatenate([t.ravel() for t in targets]).astype(np.int64)
    pairs = np.unique(keys * 10 + vals)
    ukeys = pairs // 10
    if np.any(ukeys[1:] == ukeys[:-1]):
        return None  # one neighbourhood, two outputs
    table_vals = (pairs % 10).astype(np.uint8)
    out = []
    for g in tests:
        c = _features(g, neighbourhood).ravel()
        idx = np.searchsorted(ukeys, c)
        idx = np.minimum(idx, len(ukeys) - 1)
        if not np.array_equal(ukeys[idx], c):
            return None
        out.append(table_vals[idx].reshape(g.shape))
    return out
