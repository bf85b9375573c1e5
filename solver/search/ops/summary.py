"""Summaries: an answer that is a colour or a count, as one cell, a row or a column
("which colour is commonest", "how many objects", "the shapes' colours by size")."""

from __future__ import annotations

import numpy as np

from .. import kernels as K
from ..image import Img
from .base import IMAGE, LIST, TaskParams, Transform, cell_count, fg_colours_by_count


def majority_cell(v: Img, ctx) -> Img | None:
    """1x1 grid of the most frequent non-zero colour."""
    cols = fg_colours_by_count(v.a)
    if not cols:
        return None
    return Img(np.array([[cols[0]]], dtype=np.uint8))


def minority_cell(v: Img, ctx) -> Img | None:
    """1x1 grid of the least frequent non-zero colour."""
    cols = fg_colours_by_count(v.a)
    if not cols:
        return None
    return Img(np.array([[cols[-1]]], dtype=np.uint8))


def colour_count_row(v: Img, ctx) -> Img | None:
    """1 x N row of the most frequent non-zero colour, N = number of its components."""
    cols = fg_colours_by_count(v.a)
    if not cols:
        return None
    labels, n = K.label_components(v.a, 0, True, True)
    if n == 0 or n > 30:
        return None
    return Img(np.full((1, n), cols[0], dtype=np.uint8))


def cells_row(v: Img, ctx) -> Img | None:
    """1 x N row of the most frequent non-zero colour, N = number of non-zero cells."""
    cols = fg_colours_by_count(v.a)
    n = int(np.count_nonzero(v.a))
    if not cols or n > 30:
        return None
    return Img(np.full((1, n), cols[0], dtype=np.uint8))


def _count_line(axis: int):
    """A line with one cell per element (1 x N, or N x 1 for axis 0), in the elements'
    commonest colour: "how many objects" answers."""

    def f(vs: tuple, ctx) -> Img | None:
        if not vs or len(vs) > 30:
            return None
        counts = sum(K.colour_counts(v.a) for v in vs)
        counts[0] = 0
        shape = (len(vs), 1) if axis == 0 else (1, len(vs))
        return Img(np.full(shape, int(np.argmax(counts)), dtype=np.uint8))

    return f


def _colours_by_size(axis: int):
    """One cell per element, in the element's commonest colour, largest element first (a
    legend: "list the shapes' colours by size"); N x 1 for axis 0, else 1 x N."""

    def f(vs: tuple, ctx) -> Img | None:
        if not vs or len(vs) > 30:
            return None
        sizes = [cell_count(v) for v in vs]
        if len(set(sizes)) != len(sizes) or 0 in sizes:
            return None  # ties would make the order arbitrary; an empty element has no colour
        colours = [int(np.argmax(K.colour_counts(v.a)[1:])) + 1 for v in vs]
        line = np.array([colours[i] for i in np.argsort(sizes)[::-1]], dtype=np.uint8)
        return Img(line.reshape((-1, 1) if axis == 0 else (1, -1)))

    return f


def extreme_cell_ops(task: TaskParams) -> list[Transform]:
    return [
        Transform("majority_cell", IMAGE, IMAGE, majority_cell),
        Transform("minority_cell", IMAGE, IMAGE, minority_cell),
    ]


def colour_count_ops(task: TaskParams) -> list[Transform]:
    return [Transform("colour_count_row", IMAGE, IMAGE, colour_count_row)]


def cells_row_ops(task: TaskParams) -> list[Transform]:
    return [Transform("cells_row", IMAGE, IMAGE, cells_row)]


def count_ops(task: TaskParams) -> list[Transform]:
    """Lists summarised: one cell per element."""
    return [
        Transform("count_column", LIST, IMAGE, _count_line(0)),
        Transform("count_row", LIST, IMAGE, _count_line(1)),
        Transform("colours_by_size_column", LIST, IMAGE, _colours_by_size(0)),
        Transform("colours_by_size_row", LIST, IMAGE, _colours_by_size(1)),
    ]
