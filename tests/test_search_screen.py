"""One pass over a reading's cells (`readings.screen`) says what the slower checks would find:
which final steps could fit, the wrong cells, and whether it is a piece."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.search import kernels as K
from solver.search.fitters import fit_colour_map
from solver.search.ops.base import fg_colours_by_count
from solver.search.readings import Examples, Reading, final_step_fits, screen


def _pairs_fit(results, inputs, targets) -> bool:
    table = np.full(100, -1, dtype=np.int64)
    return all(K.pair_table(i, r, t, table) for r, i, t in zip(results, inputs, targets))


@st.composite
def tasks(draw):
    """Demonstrations of 1-3 pairs, results of the outputs' shapes, few colours (so that maps
    often fit): outputs that are the results recoloured (by one map, or by each input's
    commonest colour), or a table on (input, result) colour pairs, or unrelated; sometimes an
    input of another shape (no pair map then)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 3))
    colours = draw(st.integers(2, 5))
    shapes = [(int(rng.integers(1, 5)), int(rng.integers(1, 5))) for _ in range(n)]
    inputs = [rng.integers(0, colours, s).astype(np.uint8) for s in shapes]
    results = [rng.integers(0, colours, s).astype(np.uint8) for s in shapes]
    for r in results:
        r.ravel()[rng.random(r.size) < draw(st.sampled_from([0.0, 0.1, 0.5]))] = 0
    how = draw(st.sampled_from(["recoloured", "by_rank", "paired", "unrelated"]))
    if how == "by_rank":  # painted in the input's commonest colour, which differs by demonstration
        tops = [fg_colours_by_count(i)[:1] or [0] for i in inputs]
        targets = [np.where(r != 0, top[0], 0).astype(np.uint8) for r, top in zip(results, tops)]
    elif how == "recoloured":
        table = rng.permutation(10).astype(np.uint8)
        targets = [table[r] for r in results]
    elif how == "paired":
        table = rng.integers(0, colours, 100).astype(np.uint8)
        targets = [table[10 * i.astype(np.int64) + r] for i, r in zip(inputs, results)]
    else:
        targets = [rng.integers(0, colours, s).astype(np.uint8) for s in shapes]
    if draw(st.booleans()):
        inputs[-1] = np.zeros((shapes[-1][0] + 1, 1), dtype=np.uint8)
    return results, inputs, targets


@settings(max_examples=300, deadline=None)
@given(tasks())
def test_the_screen_agrees_with_the_slower_checks(task):
    results, inputs, targets = task
    flat_targets = np.concatenate([t.ravel() for t in targets])
    ex = Examples([*inputs, inputs[0]], targets, None, flat_targets)
    s = screen(results, ex)

    assert s.wrong == [int((r != t).sum()) for r, t in zip(results, targets)]
    assert s.exact == all(np.array_equal(r, t) for r, t in zip(results, targets))
    assert s.could(K.COULD_COLOUR_MAP) == (fit_colour_map(results, targets) is not None)
    each = all(fit_colour_map([r], [t]) is not None for r, t in zip(results, targets))
    assert s.could(K.COULD_MAP_EACH) == each
    same_shapes = all(i.shape == t.shape for i, t in zip(inputs, targets))
    assert s.could(K.COULD_PAIR_MAP) == (same_shapes and _pairs_fit(results, inputs, targets))
    painted = s.flat != 0
    right = painted & (s.flat == flat_targets)
    stencil = not (~painted & (flat_targets != 0)).any() and (~painted & (flat_targets == 0)).any()
    assert s.could(K.COULD_BE_PIECE) == bool(right.any() or stencil)


@settings(max_examples=150, deadline=None)
@given(tasks(), st.integers(0, 2))
def test_the_screen_skips_only_final_steps_that_would_not_fit(task, depth):
    results, inputs, targets = task
    ex = Examples([*inputs, inputs[0]], targets, None, np.concatenate([t.ravel() for t in targets]))
    reading = Reading(results, [results[0]], "p")  # the test: the first demonstration again
    screened = screen(results, ex)
    everything = K.COULD_COLOUR_MAP | K.COULD_MAP_EACH | K.COULD_PAIR_MAP | K.COULD_BE_PIECE
    unscreened = screened._replace(flags=everything)  # every final step tried
    assert repr(final_step_fits(reading, depth, ex, screened)) == repr(final_step_fits(reading, depth, ex, unscreened))


def test_a_recoloured_output_could_take_a_colour_map_and_a_blank_one_is_a_stencil():
    targets = [np.array([[1, 1], [0, 2]], dtype=np.uint8)]
    ex = Examples(targets * 2, targets, None, targets[0].ravel())
    recoloured = screen([np.array([[3, 3], [5, 4]], dtype=np.uint8)], ex)  # nothing right, no blank
    assert recoloured.could(K.COULD_COLOUR_MAP) and not recoloured.could(K.COULD_BE_PIECE)
    assert recoloured.wrong == [4]
    blank = screen([np.zeros((2, 2), dtype=np.uint8)], ex)  # hides the colours: not a stencil
    assert not blank.could(K.COULD_BE_PIECE) and not blank.could(K.COULD_MAP_EACH)
    stencil = screen([np.array([[3, 3], [0, 4]], dtype=np.uint8)], ex)  # blank only over the blank
    assert stencil.could(K.COULD_BE_PIECE)
    half = screen([np.array([[1, 5], [5, 2]], dtype=np.uint8)], ex)  # right where it paints 1 and 2
    assert half.could(K.COULD_BE_PIECE) and not half.could(K.COULD_COLOUR_MAP)
