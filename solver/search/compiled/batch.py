"""The compiled ops on one state of the Python levels, in one kernel call.

The Python levels (`enumeration`) apply the whole library to every state, op by op. For the
ops with a compiled twin (`opcodes`) the numpy call is most of that work, so a state's twin
results are made in one call, here, before the library's loop reaches them: the loop then
takes each result in its turn (same order, same values, positions included), so nothing
downstream changes but the time. tests/test_search_compiled_twins.py checks every twin,
and its position, against the library op.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.arc.tasks import MAX_SIDE

from ..image import IMAGE_KEY_TAG, Img
from ..ops import IMAGE, Transform, build_library
from .apply import apply_op, result_position
from .level import MAX_CELLS
from .opcodes import CompiledOps, compiled_ops
from .step import pack_grids

KIND_TAG = ord(IMAGE)  # a state key starts with its kind (`enumeration.Enumeration.store`)
IMAGE_TAG = IMAGE_KEY_TAG[0]


@njit(cache=True)
def _put_int(buf, p, v):
    """v in decimal ASCII at buf[p:], as b"%d" writes it; returns the position after it."""
    if v < 0:
        buf[p] = 45  # "-"
        p += 1
        v = -v
    n, t = 1, v // 10
    while t > 0:
        n += 1
        t //= 10
    for i in range(n - 1, -1, -1):
        buf[p + i] = 48 + v % 10
        v //= 10
    return p + n


@njit(cache=True)
def _put_key(out, rows_k, keys, p, kind_tag, image_tag):
    """The state key of one op's results (`image.value_key` of each, after the kind's tag) at
    keys[p:]; returns the position after it."""
    keys[p] = kind_tag
    p += 1
    for e in range(rows_k.shape[0]):
        off, h, w, y, x = rows_k[e, 0], rows_k[e, 1], rows_k[e, 2], rows_k[e, 3], rows_k[e, 4]
        keys[p] = image_tag
        p = _put_int(keys, p + 1, y)
        keys[p] = 44  # ","
        p = _put_int(keys, p + 1, x)
        keys[p] = 44
        p = _put_int(keys, p + 1, h)
        keys[p] = 44
        p = _put_int(keys, p + 1, w)
        keys[p] = 58  # ":"
        p += 1
        keys[p : p + h * w] = out[off : off + h * w]
        p += h * w
    return p


@njit(cache=True)
def apply_each(ops, buf, boxes, out, rows, keys, key_ends, kind_tag, image_tag):
    """Every op row on one state: ops (K, 2) int64 code and param; buf (B,) uint8 and boxes
    (E, 5) int64 [offset, h, w, y, x]: the state's images, each at most MAX_CELLS cells (every
    op's result then is too: an op whose result would be larger fails). Results go end to end in out
    (K * E * MAX_CELLS uint8 at least); rows (K, E, 5) int64 gets [offset, h, w, y, x] of
    each, with h = 0 on every example of an op that fails on one (the reference's None).
    Each op's state key (`_put_key`) goes end to end in keys (`key_buffer_size`): key_ends
    (K + 1,) int64 gets where each ends, key k being keys[key_ends[k]:key_ends[k + 1]]
    (empty when the op fails)."""
    pos = 0
    kpos = 0
    key_ends[0] = 0
    for k in range(ops.shape[0]):
        start = pos
        failed = False
        for e in range(boxes.shape[0]):
            off, h, w = boxes[e, 0], boxes[e, 1], boxes[e, 2]
            src = buf[off : off + h * w]
            oh, ow = apply_op(ops[k, 0], ops[k, 1], src, h, w, out[pos : pos + MAX_CELLS])
            if oh == 0:
                for f in range(boxes.shape[0]):
                    rows[k, f, 1] = 0
                pos = start
                failed = True
                break
            y, x = result_position(ops[k, 0], ops[k, 1], src, h, w, boxes[e, 3], boxes[e, 4])
            rows[k, e, 0], rows[k, e, 1], rows[k, e, 2], rows[k, e, 3], rows[k, e, 4] = pos, oh, ow, y, x
            pos += oh * ow
        if not failed:
            kpos = _put_key(out, rows[k], keys, kpos, kind_tag, image_tag)
        key_ends[k + 1] = kpos


def key_buffer_size(n_ops: int, n_examples: int) -> int:
    """Bytes that every op's key may need: the kind's tag, then per example a tag, four
    integers of at most 20 characters with their separators, and the cells."""
    return max(1, n_ops) * (1 + n_examples * (1 + 4 * 21 + MAX_CELLS))


class TwinResults:
    """The compiled ops' results on one image state, looked up by the library's op."""

    def __init__(self, ops: CompiledOps, library: list[Transform], n_examples: int):
        self.ops = ops
        self.row_of = {library[int(i)].name: k for k, i in enumerate(ops.library_index)}  # names are unique
        self.out = np.empty(max(1, len(ops)) * n_examples * MAX_CELLS, dtype=np.uint8)
        self.rows = np.zeros((len(ops), n_examples, 5), dtype=np.int64)
        self.keys = np.empty(key_buffer_size(len(ops), n_examples), dtype=np.uint8)
        self.key_ends = np.zeros(len(ops) + 1, dtype=np.int64)
        self._ends: list[int] = [0] * (len(ops) + 1)  # key_ends and the keys, as `compute` left them
        self._key_bytes = b""

    def compute(self, values: tuple) -> bool:
        """Every compiled op on these images (one Img per example). False, and nothing made,
        when there are no such ops or an image is over ARC's size (the kernel's slots hold at
        most MAX_CELLS cells: the library's ops then run instead, and refuse it as they do)."""
        arrays = [v.a for v in values]
        if not len(self.ops) or any(a.shape[0] > MAX_SIDE or a.shape[1] > MAX_SIDE for a in arrays):
            return False
        cells, placed = pack_grids(arrays)
        boxes = np.empty((len(values), 5), dtype=np.int64)
        boxes[:, :3] = placed
        boxes[:, 3] = [v.y for v in values]
        boxes[:, 4] = [v.x for v in values]
        apply_each(self.ops.table, cells, boxes, self.out, self.rows, self.keys, self.key_ends, KIND_TAG, IMAGE_TAG)
        # The keys as one bytes object, sliced per op: one numpy call per state, not two per op.
        self._ends = self.key_ends.tolist()
        self._key_bytes = self.keys[: self._ends[-1]].tobytes()
        return True

    def has(self, t: Transform) -> bool:
        return t.name in self.row_of

    def _rows(self, t: Transform) -> list | None:
        """[offset, h, w, y, x] of the op's result on each example, or None when it fails on one."""
        rows = self.rows[self.row_of[t.name]].tolist()
        return None if rows[0][1] == 0 else rows

    def key(self, t: Transform) -> bytes | None:
        """The op's results as the search's state key (`image.value_key` of each, joined, after
        the kind), or None when it fails on one: written by the kernel, so that a result the
        search has already reached costs no images."""
        k = self.row_of[t.name]
        start, end = self._ends[k], self._ends[k + 1]
        return self._key_bytes[start:end] if end > start else None

    def values(self, t: Transform) -> tuple | None:
        """The op's result on each example, as the library op would give it, or None when it
        fails on one."""
        rows = self._rows(t)
        if rows is None:
            return None
        # The op's results lie end to end in `out`: one copy of them all, each image a view of it.
        start = rows[0][0]
        o, h, w = rows[-1][:3]
        block = self.out[start : o + h * w].copy()
        return tuple([Img(block[o - start : o - start + h * w].reshape(h, w), y, x) for o, h, w, y, x in rows])


def warmup() -> None:
    """Compile (or load from numba's cache) the batch kernel, on one tiny image."""
    library = build_library([0, 1, 2])
    twins = TwinResults(compiled_ops(library), library, 1)
    twins.compute((Img(np.array([[0, 1], [2, 0]], dtype=np.uint8)),))
