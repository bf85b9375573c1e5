"""The invariant behind two shortcuts (the last step's pruning, and `readings` skipping the
resized readings): an image that `Examples.readable_first` rejects in the first
demonstration's place leaves its state with no reading at all."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.search.image import Img
from solver.search.readings import Examples, readings, resized_readings

sides = st.integers(1, 12)


def _examples(target_shapes, canvas: bool) -> Examples:
    rng = np.random.default_rng(0)
    targets = [rng.integers(0, 3, size=s).astype(np.uint8) for s in target_shapes]
    inputs = [np.zeros((3, 3), dtype=np.uint8) for _ in range(len(targets) + 1)]
    canvas_shapes = [t.shape for t in targets] + [(4, 4)] if canvas else None
    return Examples(inputs, targets, canvas_shapes, np.concatenate([t.ravel() for t in targets]))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(sides, sides), min_size=4, max_size=4),
    st.tuples(sides, sides),
    st.booleans(),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_rejected_first_image_has_no_reading(shapes, target0, canvas, y, x):
    ex = _examples([target0, (6, 6)], canvas)
    rng = np.random.default_rng(1)
    values = tuple(Img(rng.integers(0, 3, size=s).astype(np.uint8), y, x) for s in shapes[:3])
    if not ex.readable_first(values[0]):
        assert resized_readings(values, "p", ex) == []  # what `readings` skips for such a state
        assert readings(values, "p", ex) == []


def test_readable_first_hand_cases():
    ex = _examples([(6, 4)], canvas=False)
    assert ex.readable_first(Img(np.ones((6, 4), dtype=np.uint8)))  # the output's shape
    assert ex.readable_first(Img(np.ones((3, 2), dtype=np.uint8)))  # 2 x 2 blocks
    assert not ex.readable_first(Img(np.ones((5, 4), dtype=np.uint8)))
    assert not ex.readable_first(Img(np.ones((6, 8), dtype=np.uint8)))
    with_canvas = _examples([(6, 4)], canvas=True)
    assert with_canvas.readable_first(Img(np.ones((5, 4), dtype=np.uint8)))  # laid on the canvas
    assert not with_canvas.readable_first(Img(np.ones((7, 4), dtype=np.uint8)))
