"""The studied / held-out split of the training tasks: stable, disjoint, covering, about half."""

import hashlib

from solver.arc.holdout import TRAINING_SETS, is_held_out, split_ids
from solver.arc.tasks import load_source


def test_the_split_is_frozen():
    """The rule may never change: these ids keep their parts (a change would leak held-out tasks)."""
    ids = ["007bbfb7", "00d62c1b", "017c7c7b", "025d127b", "045e512c", "0520fde7"]
    assert split_ids(ids) == (["00d62c1b", "045e512c", "0520fde7"], ["007bbfb7", "017c7c7b", "025d127b"])
    assert all(is_held_out(i) == (hashlib.sha256(i.encode()).digest()[0] % 2 == 1) for i in ids)


def test_the_parts_are_disjoint_cover_the_set_and_keep_its_order():
    ids = [f"{n:08x}" for n in range(0, 2_000_000, 997)]
    studied, held_out = split_ids(ids)
    assert not set(studied) & set(held_out)
    assert sorted(studied + held_out) == sorted(ids)
    assert studied == [i for i in ids if i in set(studied)]
    assert split_ids(reversed(ids)) == (studied[::-1], held_out[::-1])  # membership is per id, not per position


def test_each_training_set_splits_about_in_half():
    for name in TRAINING_SETS:
        ids = [t.id for t in load_source(name).tasks]
        studied, held_out = split_ids(ids)
        assert 0.4 < len(held_out) / len(ids) < 0.6, (name, len(studied), len(held_out))
