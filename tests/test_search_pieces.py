"""Pieces overlaid until they explain the outputs (solver/search/pieces.py)."""

import numpy as np

from solver.search.pieces import Pieces
from solver.search.readings import Reading


def g(rows):
    return np.array(rows, dtype=np.uint8)


def never_late():
    pass


def pieces_for(targets, offered):
    p = Pieces(np.concatenate([t.ravel() for t in targets]))
    for results, tests, program in offered:
        p.offer(Reading(results, tests, program), depth=1)
    return p


def test_two_pieces_each_right_somewhere_are_overlaid():
    targets = [g([[1, 0, 2]]), g([[1, 2, 0]])]
    p = pieces_for(
        targets,
        [
            ([g([[1, 0, 0]]), g([[1, 0, 0]])], [g([[1, 0, 0]])], "ones"),
            ([g([[0, 0, 2]]), g([[0, 2, 0]])], [g([[2, 0, 0]])], "twos"),
        ],
    )
    fit = p.cover(never_late)
    assert fit is not None and fit.pieces == 2 and fit.verified
    assert fit.program == "overlay(ones, twos)"
    assert fit.test_grids[0].tolist() == [[1, 0, 0]]  # the top layer keeps the cell both paint


def test_a_stencil_blanks_what_the_layer_below_gets_wrong():
    # The output is the input with the cells beside the 5s blanked: "everything" is wrong there,
    # "marks" is zero exactly there, and nothing else explains the 3s.
    targets = [g([[3, 0, 5, 3]]), g([[5, 0, 3, 3]])]
    p = pieces_for(
        targets,
        [
            ([g([[0, 0, 5, 0]]), g([[5, 0, 0, 0]])], [g([[0, 5, 0, 0]])], "fives"),
            ([g([[3, 4, 5, 3]]), g([[5, 4, 3, 3]])], [g([[3, 5, 4, 4]])], "everything"),
            ([g([[1, 0, 1, 1]]), g([[1, 0, 1, 1]])], [g([[1, 1, 0, 1]])], "marks"),
        ],
    )
    fit = p.cover(never_late)
    assert fit is not None
    assert fit.program == "overlay(fives, stencil:marks, everything)"
    assert fit.test_grids[0].tolist() == [[3, 5, 0, 4]]


def test_no_cover_when_a_needed_cell_is_never_painted_right():
    targets = [g([[1, 2]])]
    p = pieces_for(targets, [([g([[1, 0]])], [g([[1, 0]])], "one"), ([g([[0, 3]])], [g([[0, 3]])], "three")])
    assert p.cover(never_late) is None
