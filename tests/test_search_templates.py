"""Copies of a template: partial copies completed, markers stamped (`kernels.templates`), against
hand-made scenes and a plain reference on random ones."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.search import kernels as K
from solver.search.image import Img
from solver.search.kernels.templates import MAX_MARKS, MAX_OBJECTS, MAX_TEMPLATE_CELLS
from solver.search.ops import build_library
from tests.test_search_kernels import reference_components


def _grid(rows: str) -> np.ndarray:
    return np.array([[0 if c == "." else int(c) for c in row] for row in rows.split()], dtype=np.uint8)


def test_partial_copies_are_completed_from_their_template():
    grid = _grid(
        """
        484.......
        ..........
        ......8...
        ..........
        4.4.......
        """
    )
    out, done = K.complete_copies(grid)
    assert done
    assert (out == _grid("484....... .......... .....484.. .......... 484.......")).all()


def test_a_mark_two_templates_explain_differently_is_refused():
    grid = _grid("484.... ....... 383.... ....... ....8..")  # the lone 8: from 484 or from 383?
    assert not K.complete_copies(grid)[1]


def test_a_mark_no_template_explains_is_refused():
    grid = _grid("484.... ....... ....6..")
    assert not K.complete_copies(grid)[1]


def test_a_copy_may_not_paint_over_another_colour():
    grid = _grid("484.... ....... ...28..")  # the 8's copy would paint its 4 over the 2
    assert not K.complete_copies(grid)[1]


def test_a_copy_may_not_lie_on_the_template_itself():
    # Aligned with the template's right 4, the copy would lie on the template's own 4: not a mark.
    out, done = K.complete_copies(_grid("484.4.."))
    assert done and (out == _grid("484.484")).all()


def test_the_template_is_stamped_centred_on_each_marker():
    grid = _grid(
        """
        .121.....
        ..3......
        ..4......
        .........
        ......5..
        .........
        5........
        .........
        """
    )
    out, done = K.stamp_at_markers(grid)
    assert done
    # The second marker's copy is clipped at the left edge.
    assert (out == _grid(".121..... ..3...... ..4...... .....121. ......3.. 21....4.. 3........ 4........")).all()


def test_stamping_needs_one_largest_template_of_odd_sides_and_a_marker():
    assert not K.stamp_at_markers(_grid("12.... ...... ....5."))[1]  # even width
    assert not K.stamp_at_markers(_grid("121.343 ....... ....5.."))[1]  # two largest templates
    assert not K.stamp_at_markers(_grid("121.... ....... ....1.."))[1]  # the marker's colour is the template's
    assert not K.stamp_at_markers(_grid("121.... ......."))[1]  # no marker


def test_the_ops_keep_the_image_position_and_refuse_with_none():
    library = {t.name: t for t in build_library(list(range(10)))}
    grid = _grid("484.. ..... ...8.")
    out = library["complete_copies"].fn(Img(grid, 2, 3), grid)
    assert (out.y, out.x) == (2, 3) and (out.a == _grid("484.. ..... ..484")).all()
    assert library["stamp_at_markers"].fn(Img(grid), grid) is None


# ---------------------------------------------------------------- a plain reference, random scenes


def _objects(grid):
    """(cells, colours) per 8-connected object, in the kernel's label order (first cell row-major)."""
    comps = sorted(reference_components(grid, True, True), key=min)
    return [(sorted(c), {int(grid[y, x]) for y, x in c}) for c in comps]


def _conflict(a, b, grid, marks, covered):
    paint_a = {(y, x): c for y, x, c in a}
    shared = any(paint_a.get((y, x)) == c and (y, x) in marks and (y, x) not in covered for y, x, c in b)
    return shared and paint_a != {(y, x): c for y, x, c in b}


def reference_complete_copies(grid):
    """The spec, plainly: take the first placement explaining most uncovered marks, refuse when
    another as good explains one of those marks differently, until every mark is explained."""
    objs = _objects(grid)
    if not 2 <= len(objs) <= MAX_OBJECTS:
        return None
    templates = [[(y, x, int(grid[y, x])) for y, x in cells] for cells, cols in objs if len(cols) > 1]
    marks = {(y, x) for cells, cols in objs if len(cols) == 1 for y, x in cells}
    if not templates or not marks or len(marks) > MAX_MARKS or sum(map(len, templates)) > MAX_TEMPLATE_CELLS:
        return None
    h, w = grid.shape
    out, covered = grid.copy(), set()
    while len(covered) < len(marks):
        placements = []  # (count, placed cells), in the kernel's order
        for t in templates:
            for my, mx in sorted(marks - covered):
                for ty, tx, c in t:
                    if c != grid[my, mx]:
                        continue
                    placed = [(y + my - ty, x + mx - tx, c) for y, x, c in t]
                    if not all(
                        0 <= y < h and 0 <= x < w and (grid[y, x] == 0 or (grid[y, x] == c and (y, x) in marks))
                        for y, x, c in placed
                    ):
                        continue
                    placements.append((sum((y, x) in marks and (y, x) not in covered for y, x, _ in placed), placed))
        best = max((n for n, _ in placements), default=0)
        if best == 0:
            return None
        chosen = next(p for n, p in placements if n == best)
        if any(n == best and _conflict(chosen, p, grid, marks, covered) for n, p in placements):
            return None
        for y, x, c in chosen:
            covered |= {(y, x)} & marks
            out[y, x] = c
    return None if (out == grid).all() else out


@st.composite
def template_scenes(draw):
    """A grid with one or two small templates, copies of them cut down to some cells of one
    colour (the marks), and single cells of colours 5 and 6 (markers, or noise)."""
    h, w = draw(st.integers(4, 14)), draw(st.integers(4, 14))
    grid = np.zeros((h, w), dtype=np.uint8)
    for _ in range(draw(st.integers(1, 2))):
        th, tw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        t = np.array(draw(st.lists(st.integers(0, 4), min_size=th * tw, max_size=th * tw)), np.uint8).reshape(th, tw)
        for copy in range(draw(st.integers(1, 4))):
            y, x = draw(st.integers(0, h - th)), draw(st.integers(0, w - tw))
            keep = t
            if copy > 0:  # a partial copy: some cells of one of its colours
                chosen = t == draw(st.sampled_from(sorted(set(t.ravel().tolist()))))
                kept = np.array(draw(st.lists(st.booleans(), min_size=t.size, max_size=t.size))).reshape(t.shape)
                keep = np.where(chosen & kept, t, 0)
            np.copyto(grid[y : y + th, x : x + tw], keep, where=keep != 0)
    for _ in range(draw(st.integers(0, 3))):
        grid[draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))] = draw(st.integers(5, 6))
    return grid


@settings(max_examples=300, deadline=None)
@given(template_scenes())
def test_complete_copies_matches_the_plain_reference(grid):
    out, done = K.complete_copies(grid)
    expected = reference_complete_copies(grid)
    assert done == (expected is not None)
    assert (out == (expected if done else grid)).all()


def reference_stamp_at_markers(grid):
    objs = _objects(grid)
    if not 2 <= len(objs) <= MAX_OBJECTS:
        return None
    templates = [(cells, cols) for cells, cols in objs if len(cols) > 1]
    if not templates:
        return None
    size = max(len(c) for c, _ in templates)
    largest = [(c, cols) for c, cols in templates if len(c) == size]
    if len(largest) > 1:
        return None
    cells, cols = largest[0]
    ys, xs = [y for y, _ in cells], [x for _, x in cells]
    if (max(ys) - min(ys)) % 2 or (max(xs) - min(xs)) % 2:
        return None  # an even side has no centre cell
    cy, cx = (min(ys) + max(ys)) // 2, (min(xs) + max(xs)) // 2
    centre = grid[cy, cx] if (cy, cx) in cells else 0
    markers = [c[0] for c, col in objs if len(c) == 1 and not col & cols]
    if not markers:
        return None
    out = grid.copy()
    h, w = grid.shape
    for my, mx in markers:
        out[my, mx] = centre
        for y, x in cells:
            if 0 <= y + my - cy < h and 0 <= x + mx - cx < w:
                out[y + my - cy, x + mx - cx] = grid[y, x]
    return out


@settings(max_examples=300, deadline=None)
@given(template_scenes())
def test_stamp_at_markers_matches_the_plain_reference(grid):
    out, done = K.stamp_at_markers(grid)
    expected = reference_stamp_at_markers(grid)
    assert done == (expected is not None)
    assert (out == (expected if done else grid)).all()
