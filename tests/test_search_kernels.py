"""The search's numba kernels and a few transforms against hand-made cases and properties."""

from collections import deque

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solver.search import kernels as K
from solver.search.image import Img
from solver.search.kernels.objects import NEIGHBOUR_DX, NEIGHBOUR_DY
from solver.search.ops import build_library

small_grids = arrays(np.uint8, st.tuples(st.integers(1, 8), st.integers(1, 8)), elements=st.integers(0, 3))


def reference_components(g, diagonal, multicolour):
    """Plain-Python labelling: sets of cells, for comparison."""
    h, w = g.shape
    seen, comps = set(), []
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)] + ([(-1, -1), (-1, 1), (1, -1), (1, 1)] if diagonal else [])
    for y in range(h):
        for x in range(w):
            if g[y, x] == 0 or (y, x) in seen:
                continue
            comp, q = set(), deque([(y, x)])
            seen.add((y, x))
            while q:
                cy, cx = q.popleft()
                comp.add((cy, cx))
                for dy, dx in steps:
                    ny, nx = cy + dy, cx + dx
                    if (
                        0 <= ny < h
                        and 0 <= nx < w
                        and (ny, nx) not in seen
                        and g[ny, nx] != 0
                        and (multicolour or g[ny, nx] == g[cy, cx])
                    ):
                        seen.add((ny, nx))
                        q.append((ny, nx))
            comps.append(frozenset(comp))
    return set(comps)


def test_components_hand_case():
    g = np.array([[1, 1, 0, 2], [0, 1, 0, 2], [3, 0, 0, 0], [0, 3, 0, 1]], dtype=np.uint8)
    labels, n = K.label_components(g, 0, False, False)
    assert n == 5  # the two 3s touch only diagonally
    labels, n = K.label_components(g, 0, True, False)
    assert n == 4
    boxes = K.component_boxes(labels, n)
    assert boxes[0].tolist() == [0, 0, 2, 2, 3]  # first component: the 1s at top-left


@settings(max_examples=60, deadline=None)
@given(small_grids, st.booleans(), st.booleans())
def test_components_match_reference(g, diagonal, multicolour):
    labels, n = K.label_components(g, 0, diagonal, multicolour)
    got = {frozenset(zip(*np.nonzero(labels == k))) for k in range(n)}
    got = {frozenset((int(y), int(x)) for y, x in c) for c in got}
    assert got == reference_components(g, diagonal, multicolour)
    assert ((labels >= 0) == (g != 0)).all()


def test_outside_mask_finds_enclosed_cells():
    g = np.array([[0, 0, 0, 0, 0], [0, 1, 1, 1, 0], [0, 1, 0, 1, 0], [0, 1, 1, 1, 0]], dtype=np.uint8)
    outside = K.outside_mask(g, 0, False)
    assert not outside[2, 2]
    assert outside[0, 0] and outside[3, 4]
    assert ((g == 0) & ~outside).sum() == 1


@settings(max_examples=60, deadline=None)
@given(small_grids)
def test_a_component_encloses_exactly_when_removing_it_frees_a_walled_in_cell(g):
    labels, n = K.label_components(g, 0, True, False)
    encloses = K.components_enclosing(labels, n)
    for k in range(n):
        walls = (labels == k).astype(np.uint8)  # the component alone, as the only non-zero cells
        walled_in = (walls == 0) & ~K.outside_mask(walls, 0, False)
        assert bool(encloses[k]) == bool(walled_in.any())


@settings(max_examples=60, deadline=None)
@given(small_grids)
def test_gravity_keeps_column_contents(g):
    out = K.gravity_down(g, 0)
    for x in range(g.shape[1]):
        col = g[:, x][g[:, x] != 0]
        n = len(col)
        assert (out[g.shape[0] - n :, x] == col).all()
        assert (out[: g.shape[0] - n, x] == 0).all()


def test_rays_and_connect():
    g = np.array([[0, 0, 0], [0, 2, 0], [0, 0, 0]], dtype=np.uint8)
    assert K.rays(g, 0, 2, True).tolist() == [[0, 0, 0], [0, 2, 0], [0, 2, 0]]  # down
    assert K.rays(g, 0, 15, True).tolist() == [[0, 2, 0], [2, 2, 2], [0, 2, 0]]  # cross
    h = np.array([[3, 0, 0, 3], [4, 0, 0, 0]], dtype=np.uint8)
    assert K.connect_pairs(h, 0, True, False, False).tolist() == [[3, 3, 3, 3], [4, 0, 0, 0]]


@settings(max_examples=40, deadline=None)
@given(small_grids)
def test_colour_counts(g):
    assert K.colour_counts(g).tolist() == np.bincount(g.ravel(), minlength=10).tolist()


def _lib():
    return {t.name: t for t in build_library(list(range(10)))}


def test_transform_hand_cases():
    lib = _lib()
    g = np.array([[0, 0, 0, 0], [0, 5, 5, 0], [0, 5, 0, 0], [0, 0, 0, 7]], dtype=np.uint8)
    v = Img(g)
    c = lib["crop"].fn(v, g)
    assert c.a.tolist() == [[5, 5, 0], [5, 0, 0], [0, 0, 7]] and (c.y, c.x) == (1, 1)
    objs = lib["objects4"].fn(v, g)
    assert [o.a.tolist() for o in objs] == [[[5, 5], [5, 0]], [[7]]]
    assert lib["largest[cells]"].fn(objs, g).a.tolist() == [[5, 5], [5, 0]]
    assert lib["place_on_blank"].fn(objs[1], g).a.tolist() == [[0] * 4, [0] * 4, [0] * 4, [0, 0, 0, 7]]
    assert lib["gravity[down]"].fn(v, g).a.tolist() == [[0] * 4, [0] * 4, [0, 5, 0, 0], [0, 5, 5, 7]]
    assert lib["scale_up[2]"].fn(Img(np.array([[1, 2]], np.uint8)), g).a.tolist() == [[1, 1, 2, 2], [1, 1, 2, 2]]
    assert lib["mirror_tile[1x2]"].fn(Img(np.array([[1, 2]], np.uint8)), g).a.tolist() == [[1, 2, 2, 1]]
    sep = np.array([[1, 5, 2], [5, 5, 5], [3, 5, 4]], dtype=np.uint8)
    assert [p.a.tolist() for p in lib["split_grid"].fn(Img(sep), sep)] == [[[1]], [[2]], [[3]], [[4]]]


@settings(max_examples=30, deadline=None)
@given(small_grids)
def test_rigid_transforms_invert(g):
    lib = _lib()
    v = Img(g)
    for a, b in (
        ("rot90", "rot270"),
        ("rot180", "rot180"),
        ("flip_h", "flip_h"),
        ("transpose", "transpose"),
        ("antitranspose", "antitranspose"),
    ):
        assert np.array_equal(lib[b].fn(lib[a].fn(v, g), g).a, g)


def _symmetric_pattern(seed: int) -> np.ndarray:
    """A 10 x 12 pattern symmetric under both mirrors (so also under rot180)."""
    q = np.random.default_rng(seed).integers(1, 5, (5, 6)).astype(np.uint8)
    return np.block([[q, q[:, ::-1]], [q[::-1], q[::-1, ::-1]]])


def test_symmetry_fill_restores_a_hidden_patch():
    full = _symmetric_pattern(0)
    hidden = full.copy()
    hidden[1:4, 2:8] = 7  # a patch of a colour the pattern never uses
    out, complete = K.symmetry_fill(hidden, 7, 0.5)
    assert complete and np.array_equal(out, full)
    # A patch over the whole pattern hides everything: nothing to mirror from.
    out, complete = K.symmetry_fill(np.full((4, 4), 7, np.uint8), 7, 0.5)
    assert not complete
    # No symmetry at all: refused, not guessed.
    noise = np.random.default_rng(1).integers(1, 5, (9, 9)).astype(np.uint8)
    noise[0, 0] = 7
    assert not K.symmetry_fill(noise, 7, 0.5)[1]


@given(st.integers(0, 10_000), st.integers(0, 9), st.integers(0, 11))
@settings(max_examples=40, deadline=None)
def test_symmetry_fill_is_exact_on_single_hidden_cells(seed, y, x):
    full = _symmetric_pattern(seed)
    hidden = full.copy()
    hidden[y, x] = 0
    out, complete = K.symmetry_fill(hidden, 0, 0.5)
    assert complete and np.array_equal(out, full)  # a known cell never changes; the hidden one is recovered


def test_symmetry_transforms():
    lib = {t.name: t for t in build_library([0, 1, 2, 3, 4, 7])}
    full = _symmetric_pattern(2)
    hidden = full.copy()
    hidden[6:9, 1:4] = 7
    filled = lib["complete_symmetry[7]"].fn(Img(hidden), hidden)
    assert filled is not None and np.array_equal(filled.a, full)
    patch = lib["symmetry_patch[7]"].fn(Img(hidden), hidden)
    assert patch is not None and np.array_equal(patch.a, full[6:9, 1:4]) and (patch.y, patch.x) == (6, 1)
    assert lib["complete_symmetry[3]"].fn(Img(full), full) is None  # no cell of that colour to fill


def test_an_edit_with_nothing_to_do_keeps_the_image():
    # A demonstration may need no edit while the others do: the program must still apply.
    lib = {t.name: t for t in build_library([0, 1, 2])}
    g = np.array([[1, 0, 2], [0, 0, 0]], np.uint8)  # no same-colour pair, no hole, no gap
    for name in ("connect[h]", "fill_enclosed[1]", "fill_holes_own", "symmetrize[h]", "rays[up]", "overlay_on_input"):
        out = lib[name].fn(Img(g), g)
        assert out is not None and np.array_equal(out.a, g), name


def test_pick_the_one_that_stands_out_and_count():
    lib = {t.name: t for t in build_library([0, 1, 2])}
    sym = Img(np.array([[1, 2, 1], [0, 2, 0]], np.uint8))
    sym2 = Img(np.array([[2, 2, 2], [2, 0, 2]], np.uint8))
    odd = Img(np.array([[1, 1, 2], [0, 0, 2]], np.uint8), 4, 0)
    picked = lib["unique[symmetry]"].fn((sym, odd, sym2), None)
    assert picked is odd  # the only asymmetric element, position kept
    assert lib["unique[symmetry]"].fn((sym, sym2), None) is None  # nothing stands out
    assert lib["count_row"].fn((sym, odd, sym2), None).a.tolist() == [[2, 2, 2]]  # 3 elements, commonest colour 2
    assert lib["count_column"].fn((sym2,), None).a.tolist() == [[2]]


@given(st.integers(0, 10_000), st.sampled_from([(1, 0), (-1, 0), (0, 1), (0, -1)]))
@settings(max_examples=200, deadline=None)
def test_sliding_never_overlaps_objects(seed, direction):
    rng = np.random.default_rng(seed)
    g = ((rng.random((8, 8)) < 0.35) * rng.integers(1, 4, (8, 8))).astype(np.uint8)
    labels, n = K.label_components(g, 0, True, True)
    out = K.slide_objects(g, labels, n, *direction, -1)
    assert np.array_equal(np.bincount(out.ravel(), minlength=10), np.bincount(g.ravel(), minlength=10))


def test_objects_slide_until_they_meet_something():
    g = np.array([[1, 1, 0, 0], [0, 0, 0, 2], [0, 3, 0, 2], [0, 0, 0, 0], [5, 5, 5, 5]], np.uint8)
    labels, n = K.label_components(g, 0, True, True)
    down = K.slide_objects(g, labels, n, 1, 0, -1)
    assert down.tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 0, 2], [0, 3, 0, 2], [5, 5, 5, 5]]
    assert np.array_equal(np.sort(down.ravel()), np.sort(g.ravel()))  # nothing lost or made
    lib = {t.name: t for t in build_library([0, 1, 2, 8])}
    h = np.array([[2, 2, 0, 0, 8], [0, 0, 0, 0, 8], [0, 1, 0, 0, 0]], np.uint8)
    moved = lib["slide_to_colour[8]"].fn(Img(h), h).a
    assert moved.tolist() == [[0, 0, 2, 2, 8], [0, 0, 0, 0, 8], [0, 1, 0, 0, 0]]  # the 1 is not in line: stays
    w = np.array([[0, 0, 0], [8, 8, 8], [0, 0, 0], [0, 2, 0]], np.uint8)
    onto = lib["slide_onto_largest[up]"].fn(Img(w), w).a
    assert onto.tolist() == [[0, 0, 0], [8, 8, 8], [0, 2, 0], [0, 0, 0]]  # the largest object is a wall


def test_scale_up_by_the_number_of_colours():
    lib = {t.name: t for t in build_library([0, 1, 2])}
    g = np.array([[1, 0], [0, 2]], np.uint8)
    big = lib["scale_up_by_colours"].fn(Img(g), g).a
    assert big.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]]
    assert lib["scale_up_by_colours"].fn(Img(g * 0 + 1), g) is None  # one colour: nothing to scale by


def test_inside_the_largest_frame():
    rng = np.random.default_rng(3)
    g = rng.integers(0, 2, (9, 10)).astype(np.uint8)  # noise of colour 1
    g[1, 2:9] = g[6, 2:9] = 2  # a 6 x 7 frame of colour 2 ...
    g[1:7, 2] = g[1:7, 8] = 2
    g[7, 3] = 2  # ... touching a stray cell of its colour
    assert K.largest_frame(g) == (42, 1, 7, 2, 9)
    lib = {t.name: t for t in build_library([0, 1, 2])}
    inside = lib["inside_frame"].fn(Img(g), g)
    assert np.array_equal(inside.a, g[2:6, 3:8]) and (inside.y, inside.x) == (2, 3)
    assert lib["trim_frame"].fn(Img(g), g).a.shape == (7, 8)
    assert K.largest_frame(np.zeros((5, 5), np.uint8))[0] == 0  # background is no frame


def test_region_under_a_picked_element():
    lib = {t.name: t for t in build_library([0, 1, 2, 3])}
    g = np.array([[3, 3, 0, 0], [3, 1, 2, 0], [3, 3, 0, 0], [0, 0, 0, 0]], np.uint8)
    objects = lib["objects4"].fn(Img(g), g)
    region = lib["region[largest[cells]]"].fn(objects, g)  # the 3-shape's box, with what lies under it
    assert region.a.tolist() == [[3, 3], [3, 1], [3, 3]] and (region.y, region.x) == (0, 0)


def test_colours_listed_by_size():
    lib = {t.name: t for t in build_library([0, 1, 2, 3])}
    small, big, mid = (Img(np.full(shape, c, np.uint8)) for shape, c in (((1, 1), 3), ((2, 3), 1), ((2, 1), 2)))
    assert lib["colours_by_size_column"].fn((small, big, mid), None).a.tolist() == [[1], [2], [3]]
    assert lib["colours_by_size_row"].fn((small, big), None).a.tolist() == [[1, 3]]
    assert lib["colours_by_size_row"].fn((small, small), None) is None  # a tie: no order
    assert lib["colours_by_size_row"].fn((big, Img(np.zeros((2, 2), np.uint8))), None) is None  # empty: no colour


def test_grid_cells_shrink_and_paste_back():
    lib = {t.name: t for t in build_library([0, 1, 2, 5])}
    g = np.array([[1, 1, 5, 0, 0], [1, 0, 5, 0, 2], [5, 5, 5, 5, 5], [0, 0, 5, 2, 2], [0, 0, 5, 0, 0]], np.uint8)
    cells = lib["split_grid"].fn(Img(g), g)
    assert lib["grid_of_cells"].fn(cells, g).a.tolist() == [[1, 2], [0, 2]]
    assert lib["grid_of_cells"].fn(cells[:3] + cells[:1], g) is None  # two elements in one place
    filled = lib["map[fill_bbox[1]]"].fn(cells, g)
    pasted = lib["paste_on_input"].fn(filled, g).a
    assert pasted[:2, :2].tolist() == [[1, 1], [1, 1]] and (pasted[2] == 5).all()  # the grid lines stay


def test_pick_the_element_holding_a_colour():
    lib = {t.name: t for t in build_library([0, 1, 2, 3])}
    plain, marked = Img(np.array([[1, 1]], np.uint8)), Img(np.array([[1, 3]], np.uint8), 2, 2)
    assert lib["having_colour[3]"].fn((plain, marked), None) is marked
    assert lib["having_colour[3]"].fn((marked, marked), None) is None  # two hold it: ambiguous
    assert lib["region[having_colour[3]]"].fn((plain, marked), np.zeros((5, 5), np.uint8)).a.shape == (1, 2)


def test_first_hits_sees_the_nearest_colour_each_way():
    g = np.array([[0, 3, 0], [0, 0, 0], [5, 0, 4]], np.uint8)
    hits = K.first_hits(g, 0, 10)  # (8, H, W), directions as NEIGHBOUR_DY/DX: up, down, left, right, ...
    assert hits[0, 2, 1] == 3 and hits[1, 0, 0] == 5 and hits[3, 2, 0] == 4 and hits[2, 2, 2] == 5
    assert hits[0, 0, 0] == 10 and hits[7, 1, 1] == 4  # off the grid; down-right diagonal


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.int64, (3, 40), elements=st.integers(0, 3)),
    arrays(np.int64, 40, elements=st.integers(0, 2)),
    arrays(np.int64, 40, elements=st.integers(0, 2)),
)
def test_rule_table_sizes_matches_a_dictionary(columns, colour, vals):
    sets = np.array([[0, -1], [1, 2], [0, 2]], np.int64)
    got = K.rule_table_sizes(columns, colour, vals, sets, 4)
    for s, size in zip(sets, got):
        table: dict[tuple, set] = {}
        for i in range(40):
            key = (colour[i], *(columns[f, i] for f in s if f >= 0))
            table.setdefault(key, set()).add(vals[i])
        consistent = all(len(v) == 1 for v in table.values())
        assert size == (len(table) if consistent else -1)


def reference_rays(grid: np.ndarray, bg: int, dirs_mask: int, stop_at_obstacle: bool) -> np.ndarray:
    """`kernels.rays` as first written: every ray walked cell by cell, in row-major order of its cell."""
    h, w = grid.shape
    out = grid.copy()
    for y in range(h):
        for x in range(w):
            if grid[y, x] == bg:
                continue
            for d in range(8):
                if not (dirs_mask >> d) & 1:
                    continue
                dy, dx = int(NEIGHBOUR_DY[d]), int(NEIGHBOUR_DX[d])
                ny, nx = y + dy, x + dx
                while 0 <= ny < h and 0 <= nx < w:
                    if grid[ny, nx] != bg:
                        if stop_at_obstacle:
                            break
                    elif out[ny, nx] == bg:
                        out[ny, nx] = grid[y, x]
                    ny, nx = ny + dy, nx + dx
    return out


@settings(max_examples=300, deadline=None)
@given(
    arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9)), elements=st.sampled_from([0, 0, 0, 1, 2, 3])),
    st.integers(0, 3),
    st.integers(1, 255),
    st.booleans(),
)
def test_rays_match_walking_every_ray(grid, bg, dirs_mask, stop_at_obstacle):
    want = reference_rays(grid, bg, dirs_mask, stop_at_obstacle)
    np.testing.assert_array_equal(K.rays(grid, bg, dirs_mask, stop_at_obstacle), want)


@settings(max_examples=300, deadline=None)
@given(small_grids, st.sampled_from(["none", "h", "v", "both", "transpose"]))
def test_mirror_symmetries_match_numpy(grid, make):
    if make in ("h", "both"):
        grid = np.maximum(grid, grid[:, ::-1])
    if make in ("v", "both"):
        grid = np.maximum(grid, grid[::-1])
    if make == "transpose" and grid.shape[0] == grid.shape[1]:
        grid = np.maximum(grid, grid.T)
    grid = np.ascontiguousarray(grid)
    want = int(np.array_equal(grid, grid[:, ::-1])) | 2 * int(np.array_equal(grid, grid[::-1]))
    if grid.shape[0] == grid.shape[1] and np.array_equal(grid, grid.T):
        want |= 4
    assert K.mirror_symmetries(grid) == want
