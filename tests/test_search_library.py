"""The search's transform library: its names and order are frozen, and every op keeps the contract.

The order matters: when two programs reach the same state, the one built first wins (see
solver/search/enumeration.py), so reordering the library changes answers. The golden list in
tests/fixtures/search_library_order.json was written from the library as it stood before it
was split by family; regenerate it only on purpose, with the reason in the commit.
"""

import json

import numpy as np
import pytest

from solver.search.image import MAX_SIDE, Img, Value, value_key
from solver.search.ops import IMAGE, LIST, Transform, build_library
from tests.helpers import ROOT

GOLDEN = json.loads((ROOT / "tests" / "fixtures" / "search_library_order.json").read_text())


def _double_height(shape):
    return (min(MAX_SIDE, 2 * shape[0]), shape[1])


def _listing(library: list[Transform]) -> list[str]:
    return [f"{t.name} {t.takes}->{t.gives}" for t in library]


def test_library_names_and_order_are_frozen():
    assert _listing(build_library(list(range(10)))) == GOLDEN["all_colours"]
    few = build_library([0, 2, 5], (3, 3), _double_height)
    assert _listing(few) == GOLDEN["colours_0_2_5_output_3x3_size_rule"]


def test_library_names_are_unique():
    names = [t.name for t in build_library(list(range(10)), (3, 3), _double_height)]
    assert len(names) == len(set(names))


# ---------------------------------------------------------------- the contract, on random grids


def _random_grids(seed: int) -> list[np.ndarray]:
    """Varied (H, W) uint8 grids: noise, sparse objects, lined grids, symmetric and tiled
    patterns, upscaled images, with holes, so that most ops find something to do."""
    rng = np.random.default_rng(seed)
    grids = []
    for _ in range(6):
        h, w = rng.integers(1, 13, 2)
        grids.append(rng.integers(0, int(rng.integers(2, 11)), (h, w)).astype(np.uint8))  # noise
        sparse = rng.integers(1, 10, (h, w)) * (rng.random((h, w)) < 0.3)
        grids.append(sparse.astype(np.uint8))
    for _ in range(3):
        q = rng.integers(0, 4, (int(rng.integers(2, 7)), int(rng.integers(2, 7)))).astype(np.uint8)
        sym = np.block([[q, q[:, ::-1]], [q[::-1], q[::-1, ::-1]]])
        holed = sym.copy()
        y, x = rng.integers(0, sym.shape[0] - 1), rng.integers(0, sym.shape[1] - 1)
        holed[y : y + 2, x : x + 2] = 0  # a hole that the symmetry or the period can fill
        grids += [sym, holed, np.tile(q, (3, 2)), np.repeat(np.repeat(q, 2, axis=0), 2, axis=1)]
        lined = np.zeros((11, 11), np.uint8)
        lined[rng.integers(1, 10, (6, 2))[:, 0], rng.integers(1, 10, (6, 2))[:, 1]] = rng.integers(1, 5, 6)
        lined[[3, 7], :] = 5
        lined[:, [3, 7]] = 5
        grids.append(lined)
    framed = np.zeros((9, 9), np.uint8)
    framed[1:8, 1:8] = 2
    framed[2:7, 2:7] = 0
    framed[4, 4] = 3
    grids += [framed, np.full((MAX_SIDE, MAX_SIDE), 7, np.uint8), np.zeros((1, 1), np.uint8)]
    return grids


def _list_values(library: list[Transform], grid: np.ndarray) -> list[tuple]:
    """The lists the image -> list ops make from this grid (the lists the search meets)."""
    lists = []
    for t in library:
        if t.takes == IMAGE and t.gives == LIST:
            value = t.fn(Img(grid), grid)
            if value is not None:
                lists.append(value)
    return lists


def _check_value(t: Transform, value: Value | None) -> None:
    if value is None:
        return
    images = [value] if t.gives == IMAGE else list(value)
    assert isinstance(value, Img if t.gives == IMAGE else tuple), t.name
    if t.gives == LIST:
        assert images, f"{t.name}: an empty list (should be None)"
    for v in images:
        assert isinstance(v, Img), t.name
        assert v.a.dtype == np.uint8 and v.a.ndim == 2, f"{t.name}: {v.a.dtype} {v.a.shape}"
        h, w = v.a.shape
        assert 1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE, f"{t.name}: shape {v.a.shape}"
        assert isinstance(v.y, (int, np.integer)) and isinstance(v.x, (int, np.integer)), t.name


def _snapshot(value: Value) -> list[bytes]:
    images = [value] if isinstance(value, Img) else list(value)
    return [v.a.tobytes() + bytes(v.a.shape) for v in images]


@pytest.mark.parametrize("seed", [0, 1])
def test_every_op_keeps_the_contract_on_random_grids(seed):
    """uint8 2-D output of 1..30 a side (or a list of them, or None), input and context
    untouched, the same output when applied twice."""
    library = build_library(list(range(10)), (3, 3), _double_height)
    produced: set[str] = set()
    for grid in _random_grids(seed):
        ctx = grid.copy()
        ctx_before = ctx.tobytes()
        values: list[Value] = [Img(grid.copy()), Img(grid.copy(), 1, 2)]
        values += _list_values(library, grid)
        for value in values:
            before = _snapshot(value)
            for t in library:
                if (t.takes == IMAGE) != isinstance(value, Img):
                    continue
                first = t.fn(value, ctx)
                _check_value(t, first)
                assert _snapshot(value) == before, f"{t.name} changed its input"
                assert ctx.tobytes() == ctx_before, f"{t.name} changed the example's input grid"
                second = t.fn(value, ctx)
                same = (first is None and second is None) or (
                    first is not None and second is not None and value_key(first) == value_key(second)
                )
                assert same, f"{t.name} is not deterministic"
                if first is not None:
                    produced.add(t.name)
    # The grids are rich enough that most ops act on some of them: a contract checked only
    # on None results would prove little.
    assert len(produced) >= 0.95 * len(library), sorted({t.name for t in library} - produced)


# ---------------------------------------------------------------- picks measure each element once


def test_picks_measure_each_element_once_and_pick_as_the_measure_says():
    from collections import Counter

    from solver.search.ops import select

    measured: Counter = Counter()

    def cells(v: Img) -> int:
        measured[id(v)] += 1
        return int(np.count_nonzero(v.a))

    sizes = (1, 4, 2, 4, 9)  # cells of each element; the largest is unique, the smallest too
    elements = tuple(Img(np.pad(np.ones((1, n), dtype=np.uint8), ((0, 0), (0, 1)))) for n in sizes)
    ctx = np.zeros((3, 12), dtype=np.uint8)
    largest, smallest = select._pick(cells, 1), select._pick(cells, -1)
    assert largest(elements, ctx) is elements[4] and smallest(elements, ctx) is elements[0]
    assert largest(elements[:4], ctx) is None  # two elements tie for the largest
    assert select._drop(cells, 1)(elements, ctx) == elements[:4]
    assert set(measured.values()) == {1} and len(measured) == len(elements)  # once per element, for every pick
    # Each measure has its own memo: another measure of the same element is computed anew.
    assert elements[4].memo(lambda v: v.a.shape[1]) == 10 and elements[4].memo(cells) == 9


def test_having_colour_and_unique_colour_read_the_elements_colours():
    from solver.search.ops import select

    a = Img(np.array([[1, 0], [0, 2]], dtype=np.uint8))
    b = Img(np.array([[1, 1]], dtype=np.uint8))
    c = Img(np.array([[0, 1]], dtype=np.uint8))
    ctx = np.zeros((4, 4), dtype=np.uint8)
    assert select._pick_having_colour(2)((a, b, c), ctx) is a
    assert select._pick_having_colour(1)((a, b, c), ctx) is None  # all three hold it
    assert select._pick_having_colour(0)((a, b, c), ctx) is None  # a and c hold the background
    assert select._pick_having_colour(0)((a, b), ctx) is a  # the background counts as a colour held
    assert select.pick_unique_colour((a, b, c), ctx) is a  # {1, 2} against {1} twice
