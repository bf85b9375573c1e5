"""Kernels that count colours and fill lookup tables (the final colour map, cell rules), and
the one pass that screens a reading for them (`screen_reading`)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def colour_counts(grid):
    """Cells per colour: (H, W) uint8 -> (10,) int64."""
    counts = np.zeros(10, dtype=np.int64)
    h, w = grid.shape
    for y in range(h):
        for x in range(w):
            counts[grid[y, x]] += 1
    return counts


@njit(cache=True)
def colour_table(result, target, table):
    """Extend `table` (10,) int64, with -1 for "not seen yet", so that table[result] ==
    target cell by cell. result, target: (H, W) uint8 of one shape. Returns False (table
    then partly filled) when one result colour would need two target colours."""
    h, w = result.shape
    for y in range(h):
        for x in range(w):
            r = result[y, x]
            t = target[y, x]
            if table[r] == -1:
                table[r] = t
            elif table[r] != t:
                return False
    return True


@njit(cache=True)
def pair_table(first, second, target, table):
    """Like `colour_table`, keyed on a pair of colours: extend `table` (100,) int64 so that
    table[10 * first + second] == target cell by cell. first, second, target: (H, W) uint8
    of one shape. Returns False when one pair would need two target colours."""
    h, w = target.shape
    for y in range(h):
        for x in range(w):
            k = 10 * first[y, x] + second[y, x]
            t = target[y, x]
            if table[k] == -1:
                table[k] = t
            elif table[k] != t:
                return False
    return True


_HASH_MULTIPLIER = 0x2545F4914F6CDD1D  # odd, below 2**63 so that numba keeps int64 arithmetic


@njit(cache=True)
def rule_table_sizes(columns, colour, vals, sets, base):
    """For each feature set: how many distinct keys (colour, its features) the cells show,
    or -1 when one key comes with two values (no rule on that set reproduces the cells).

    columns: (F, N) int64 feature codes < base. colour, vals: (N,) int64. sets: (S, K) int64
    feature indices, -1 padded. Returns (S,) int64. Keys go in an open-addressing table.
    """
    n = colour.shape[0]
    size = 1
    while size < 2 * n:
        size *= 2
    slot_key = np.full(size, -1, dtype=np.int64)  # keys are non-negative
    slot_val = np.zeros(size, dtype=np.int64)
    used = np.empty(n, dtype=np.int64)
    out = np.empty(sets.shape[0], dtype=np.int64)
    for s in range(sets.shape[0]):
        distinct = 0
        for i in range(n):
            key = colour[i]
            for j in range(sets.shape[1]):
                f = sets[s, j]
                if f < 0:
                    break
                key = key * base + columns[f, i]
            h = (key * _HASH_MULTIPLIER) & (size - 1)  # int64 product wraps: still mixes the bits
            while slot_key[h] >= 0 and slot_key[h] != key:
                h = (h + 1) & (size - 1)
            if slot_key[h] < 0:
                slot_key[h] = key
                slot_val[h] = vals[i]
                used[distinct] = h
                distinct += 1
            elif slot_val[h] != vals[i]:
                out[s] = -1
                break
        else:
            out[s] = distinct
        for k in range(distinct):  # empty the table for the next set
            slot_key[used[k]] = -1
    return out


# `screen_reading`'s flags: which final steps could still fit a reading, and whether it is a piece.
COULD_COLOUR_MAP, COULD_MAP_EACH, COULD_PAIR_MAP, COULD_BE_PIECE = 1, 2, 4, 8


@njit(cache=True)
def screen_reading(flat, target_flat, input_flat, ends, wrong):
    """One pass over a reading's cells on every demonstration, for what the slower checks
    would find: one colour table for all demonstrations (COULD_COLOUR_MAP), one per
    demonstration (COULD_MAP_EACH), one table on (input, result) colour pairs
    (COULD_PAIR_MAP; input_flat empty when the inputs are not the outputs' shapes), and
    whether the cells make a piece: some non-zero cell right, or no zero cell over an
    output colour and some over a zero (COULD_BE_PIECE).

    flat, target_flat, input_flat: (N,) uint8, every demonstration's cells end to end; ends
    (D,) int64: where each demonstration ends. wrong (D,) int64 is filled with each
    demonstration's wrong cells. Returns the flags."""
    shared = np.full(10, -1, dtype=np.int64)
    own = np.empty(10, dtype=np.int64)
    pairs = np.full(100, -1, dtype=np.int64)
    colour_ok = True
    each_ok = True
    pair_ok = input_flat.shape[0] == flat.shape[0]
    right_painted = blank_over_colour = blank_over_blank = False
    start = 0
    for d in range(ends.shape[0]):
        own[:] = -1
        n_wrong = 0
        for i in range(start, ends[d]):
            r = flat[i]
            t = target_flat[i]
            if r != t:
                n_wrong += 1
            if colour_ok:
                if shared[r] == -1:
                    shared[r] = t
                elif shared[r] != t:
                    colour_ok = False
            if each_ok:
                if own[r] == -1:
                    own[r] = t
                elif own[r] != t:
                    each_ok = False
            if pair_ok:
                k = 10 * input_flat[i] + r
                if pairs[k] == -1:
                    pairs[k] = t
                elif pairs[k] != t:
                    pair_ok = False
            if r != 0:
                right_painted = right_painted or r == t
            elif t != 0:
                blank_over_colour = True
            else:
                blank_over_blank = True
        wrong[d] = n_wrong
        start = ends[d]
    flags = 0
    if colour_ok:
        flags |= COULD_COLOUR_MAP
    if each_ok:
        flags |= COULD_MAP_EACH
    if pair_ok:
        flags |= COULD_PAIR_MAP
    if right_painted or (blank_over_blank and not blank_over_colour):
        flags |= COULD_BE_PIECE
    return flags
