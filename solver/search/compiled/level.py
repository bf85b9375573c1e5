"""The compiled level: every op of `opcodes.LEVEL_TWINS` on every state of a frontier, in one numba loop.

The arena holds every image of every state in one uint8 buffer (`images` rows: offset,
height, width); a state is one image index per example. For each (state, op) the kernel
applies the op to each example's image (`apply.apply_op`), drops the state when the op fails,
and checks the cheap fit on the demonstrations as it goes: the output's shape and a
consistent colour table (exact matches are the identity table). On the last level a state
that can be neither a fit nor a piece (below) stops at its first example that shows it, and
is not stored. A new state's
64-bit hash (FNV-1a over each image's shape and cells, folded over the examples) goes into
an open-addressing table: a state already reached, by Python's levels or an earlier
(state, op), is dropped, so the library's order still decides which program is kept. Only
fitting states leave the kernel, as (state, op row) pairs; Python rebuilds their programs.

On the last level the kernel also keeps pieces (`pieces`): states of the outputs' shapes that
paint more cells right than wrong, over the demonstrations, and paint no cell an output leaves
0 (a cover may lay such a piece under layers that paint its wrong cells, as icecuber's
composition does). Each leaves as its (state, op row) and a mask over every output cell:
unpainted, painted right or painted wrong.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.arc.tasks import MAX_SIDE

from .apply import apply_op, result_shape

MAX_CELLS = MAX_SIDE * MAX_SIDE  # scratch one op result may need
FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)
FOLD_PRIME = np.uint64(0x9E3779B97F4A7C15)
OK, FULL = 0, 1  # kernel status: frontier done (or stopped by `hi`), or a buffer ran out
FITS_USED, PIECES_USED = 3, 5  # counters: fits of this call, pieces of the pass
PAINTED_RIGHT, PAINTED_WRONG = 1, 2  # a piece's mask: each output cell unpainted (0), or painted right or wrong


@njit(cache=True)
def image_hash(buf, off, h, w):
    """FNV-1a over the shape and the cells."""
    x = FNV_OFFSET
    x = (x ^ np.uint64(h)) * FNV_PRIME
    x = (x ^ np.uint64(w)) * FNV_PRIME
    for i in range(h * w):
        x = (x ^ np.uint64(buf[off + i])) * FNV_PRIME
    return x


@njit(cache=True)
def fold(state_hash, image_hash_):
    x = (state_hash ^ image_hash_) * FOLD_PRIME
    return x ^ (x >> np.uint64(29))


@njit(cache=True)
def table_insert(table, key):
    """Insert key (never 0: 0 marks an empty slot); False when it was already there."""
    if key == 0:
        key = np.uint64(1)
    mask = len(table) - 1
    i = np.int64(key & np.uint64(mask))
    while table[i] != 0:
        if table[i] == key:
            return False
        i = (i + 1) & mask
    table[i] = key
    return True


@njit(cache=True)
def state_hash(buf, boxes):
    """One state's hash: its images' hashes folded in example order. boxes (E, 3): offset, h, w."""
    s = np.uint64(0)
    for e in range(len(boxes)):
        s = fold(s, image_hash(buf, boxes[e, 0], boxes[e, 1], boxes[e, 2]))
    return s


@njit(cache=True)
def seed_table(buf, images, states, n_states, table):
    """Every state already reached (Python's levels) into the table; returns the keys inserted."""
    inserted = 0
    for s in range(n_states):
        inserted += table_insert(table, state_hash(buf, images[states[s]]))
    return inserted


@njit(cache=True)
def grow(
    buf, images, states, parent, op_of, counters, lo, hi, ops, n_train, tbuf, targets, last, table, fits, pieces, masks
):
    """Expand states[lo:hi] by every op row. Returns (status, next state to expand).

    buf (B,) uint8 and images (I, 3) int64 [offset, h, w]: the arena. states (S, E) int64:
    image per example; parent, op_of (S,) int64: how each state was made. counters (6,) int64:
    [images used, buffer bytes used, states used, fits used, table keys, pieces used], updated
    in place; the table is kept at most half full (a full one would make `table_insert` loop
    forever). ops (K, 2) int64: code, param. tbuf/targets: the demonstrations' outputs, the
    same way. last: do not store new states (only fits and pieces leave). fits (F, 3) int64:
    parent state, op row, new state or -1. pieces (P, 2) int64: parent state, op row; masks
    (P, N) uint8: each of tbuf's N cells unpainted (0), PAINTED_RIGHT or PAINTED_WRONG (a last
    level keeps pieces while counters[5] < P; pass P = 0 for none).
    """
    n_ex = states.shape[1]
    cmap = np.empty(10, dtype=np.int64)
    res = np.empty((n_ex, 3), dtype=np.int64)
    for s in range(lo, hi):
        # Room for this state's expansions: fits, images, states and scratch bytes.
        if (
            counters[FITS_USED] + len(ops) > len(fits)
            or counters[1] + n_ex * MAX_CELLS > len(buf)
            or 2 * (counters[4] + len(ops)) > len(table)
        ):
            return FULL, s
        if not last and (
            counters[0] + n_ex * len(ops) > len(images)
            or counters[2] + len(ops) > len(states)
            or counters[1] + n_ex * MAX_CELLS * (len(ops) + 1) > len(buf)
        ):
            return FULL, s
        for k in range(len(ops)):
            code, param = ops[k, 0], ops[k, 1]
            pos = counters[1]
            cmap[:] = -1
            fit = n_train > 0
            piece = last and n_train > 0 and counters[PIECES_USED] < len(pieces)
            right = wrong = 0
            failed = False
            for e in range(n_ex):
                img = states[s, e]
                off, h, w = images[img, 0], images[img, 1], images[img, 2]
                if last and e < n_train:
                    ph, pw = result_shape(code, param, h, w)
                    if ph >= 0 and (ph != targets[e, 1] or pw != targets[e, 2]):
                        failed = True
                        break
                oh, ow = apply_op(code, param, buf[off : off + h * w], h, w, buf[pos : pos + MAX_CELLS])
                if oh == 0:
                    failed = True
                    break
                if fit and e < n_train:
                    fit = _matches(buf, pos, oh, ow, tbuf, targets[e], cmap)
                if piece and e < n_train:
                    r, x = _paint_counts(buf, pos, oh, ow, tbuf, targets[e])
                    piece = r >= 0 and r >= x  # mostly right on each demonstration: most states stop at the first
                    right += r
                    wrong += x
                if last and e < n_train and not fit and not piece:
                    failed = True
                    break
                res[e, 0], res[e, 1], res[e, 2] = pos, oh, ow
                pos += oh * ow
            if failed or (last and not fit and (not piece or right <= wrong)):
                continue
            if not table_insert(table, state_hash(buf, res)):
                continue
            counters[4] += 1
            if last and not fit:  # a piece
                p = counters[PIECES_USED]
                pieces[p, 0], pieces[p, 1] = s, k
                for e in range(n_train):
                    toff = targets[e, 0]
                    for i in range(targets[e, 1] * targets[e, 2]):
                        v = buf[res[e, 0] + i]
                        masks[p, toff + i] = 0 if v == 0 else (PAINTED_RIGHT if v == tbuf[toff + i] else PAINTED_WRONG)
                counters[PIECES_USED] += 1
                continue
            new = -1
            if not last:  # keep the images and the state
                new = counters[2]
                for e in range(n_ex):
                    images[counters[0]] = res[e]
                    states[new, e] = counters[0]
                    counters[0] += 1
                parent[new], op_of[new] = s, k
                counters[2] += 1
                counters[1] = pos
            if fit:
                f = counters[FITS_USED]
                fits[f, 0], fits[f, 1], fits[f, 2] = s, k, new
                counters[FITS_USED] += 1
    return OK, hi


@njit(cache=True)
def _paint_counts(buf, off, h, w, tbuf, target):
    """How many of the result's non-zero cells are right and how many wrong, when it has the
    target's shape and paints no cell the target leaves zero (only a layer above that paints
    the cell could hide a wrong colour there); else (-1, -1)."""
    toff, th, tw = target[0], target[1], target[2]
    if h != th or w != tw:
        return -1, -1
    right = wrong = 0
    for i in range(h * w):
        r = buf[off + i]
        if r != 0:
            t = tbuf[toff + i]
            if r == t:
                right += 1
            elif t == 0:
                return -1, -1
            else:
                wrong += 1
    return right, wrong


@njit(cache=True)
def _matches(buf, off, h, w, tbuf, target, cmap):
    """Whether the result at buf[off:] (h x w) still becomes the target through one colour table."""
    toff, th, tw = target[0], target[1], target[2]
    if h != th or w != tw:
        return False
    for i in range(h * w):
        r = buf[off + i]
        t = tbuf[toff + i]
        if cmap[r] < 0:
            cmap[r] = t
        elif cmap[r] != t:
            return False
    return True
