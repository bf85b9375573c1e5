"""Pieces overlaid until they explain the outputs (solver/search/pieces.py)."""

import numpy as np

from solver.search.compiled import CompiledFit, CompiledPiece
from solver.search.compiled.level import PAINTED_RIGHT, PAINTED_WRONG
from solver.search.image import Img
from solver.search.pieces import Pieces
from solver.search.readings import Examples, Reading, screen


def g(rows):
    return np.array(rows, dtype=np.uint8)


def never_late():
    pass


def pieces_for(targets, offered):
    flat = np.concatenate([t.ravel() for t in targets])
    p = Pieces(flat)
    ex = Examples(list(targets), list(targets), None, flat)
    for results, tests, program in offered:
        p.offer(Reading(results, tests, program), 1, screen(results, ex))
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


class FakeLevels:
    """A compiled last level's pieces, and what the library's ops rebuild them to."""

    def __init__(self, pieces, built):
        self._pieces, self._built = pieces, built

    def pieces(self):
        return self._pieces

    def rebuild_piece(self, piece):
        return self._built[piece.row]


def compiled_piece(row, painted, wrong=None):
    """A kernel's piece: its mask marks each output cell unpainted, painted right or painted wrong."""
    mask = np.array(painted, dtype=np.uint8) * PAINTED_RIGHT
    if wrong is not None:
        mask[np.array(wrong, dtype=bool)] = PAINTED_WRONG
    return CompiledPiece(mask, parent=0, row=row, depth=3)


def test_compiled_pieces_cover_only_what_the_others_cannot():
    targets = [g([[1, 0, 2]]), g([[1, 2, 0]])]
    p = pieces_for(targets, [([g([[1, 0, 0]]), g([[1, 0, 0]])], [g([[1, 0, 0]])], "ones")])
    assert p.cover(never_late) is None  # nothing paints the 2s
    twos = CompiledFit("keep_colour[2](x)", (Img(g([[0, 0, 2]])), Img(g([[0, 2, 0]])), Img(g([[2, 0, 0]]))), 3)
    p.offer_compiled(FakeLevels([compiled_piece(0, [0, 0, 1, 0, 1, 0])], [twos]), [(1, 3), (1, 3)])
    fit = p.cover(never_late)
    assert fit is not None and fit.program == "overlay(ones, keep_colour[2](x))"
    assert fit.test_grids[0].tolist() == [[1, 0, 0]] and fit.depth == 4


def test_a_compiled_piece_its_rebuild_disagrees_with_is_not_used():
    targets = [g([[1, 3, 2]])]
    p = pieces_for(targets, [([g([[1, 0, 0]])], [g([[1, 0, 0]])], "ones")])
    # The rebuild paints the 3 too (right, but not a cell the kernel said it paints).
    rebuilt = CompiledFit("odd(x)", (Img(g([[0, 3, 2]])), Img(g([[2, 0, 0]]))), 3)
    p.offer_compiled(FakeLevels([compiled_piece(0, [0, 0, 1])], [rebuilt]), [(1, 3)])
    assert p.cover(never_late) is None
    agreeing = CompiledFit("twos(x)", (Img(g([[0, 3, 2]])), Img(g([[2, 0, 0]]))), 3)
    p.offer_compiled(FakeLevels([compiled_piece(0, [0, 1, 1])], [agreeing]), [(1, 3)])
    assert p.cover(never_late).program == "overlay(twos(x), ones)"


def test_compiled_pieces_are_not_tried_when_the_kept_ones_make_a_cover():
    targets = [g([[1, 0, 2]])]
    p = pieces_for(
        targets, [([g([[1, 0, 0]])], [g([[1, 0, 0]])], "ones"), ([g([[0, 0, 2]])], [g([[0, 0, 2]])], "twos")]
    )
    both = CompiledFit("both(x)", (Img(g([[1, 0, 2]])), Img(g([[0, 0, 0]]))), 3)
    p.offer_compiled(FakeLevels([compiled_piece(0, [1, 0, 1])], [both]), [(1, 3)])
    assert p.cover(never_late).program == "overlay(ones, twos)"


def test_a_compiled_piece_wrong_under_a_layer_above_it_makes_the_lower_layer():
    targets = [g([[1, 8, 8]]), g([[8, 1, 8]])]
    p = pieces_for(targets, [([g([[1, 0, 0]]), g([[0, 1, 0]])], [g([[0, 0, 1]])], "ones")])
    eights = CompiledFit("eights(x)", (Img(g([[8, 8, 8]])), Img(g([[8, 8, 8]])), Img(g([[8, 8, 8]]))), 3)
    wrong = [1, 0, 0, 0, 1, 0]
    p.offer_compiled(FakeLevels([compiled_piece(0, [1] * 6, wrong)], [eights]), [(1, 3), (1, 3)])
    fit = p.cover(never_late)
    assert fit is not None and fit.program == "overlay(ones, eights(x))"
    assert fit.test_grids[0].tolist() == [[8, 8, 1]]
    # The kernel's wrong cells must be the rebuild's: a rebuild wrong at one more cell is refused.
    odd = CompiledFit("odd(x)", (Img(g([[8, 8, 8]])), Img(g([[3, 8, 8]])), Img(g([[8, 8, 8]]))), 3)
    p.offer_compiled(FakeLevels([compiled_piece(0, [1] * 6, wrong)], [odd]), [(1, 3), (1, 3)])
    assert p.cover(never_late) is None
