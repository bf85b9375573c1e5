import numpy as np
import pytest

from solver.arc.tasks import Pair, Task
from solver.train.data import EVAL_SOURCES, VAL_TASKS, build_split, pair_key, solved_tasks, split_tasks, task_pair_keys


@pytest.fixture(scope="module")
def split():
    return build_split()


@pytest.fixture(scope="module")
def evaluation():
    return [task for name in EVAL_SOURCES for task in solved_tasks(name)]


def test_no_evaluation_pair_or_id_is_in_the_pretraining_set(split, evaluation):
    eval_pairs = set().union(*(task_pair_keys(t) for t in evaluation))
    used_pairs = set().union(*(task_pair_keys(t) for t in split.tasks))
    assert not used_pairs & eval_pairs
    assert not {t.id for t in split.tasks} & {t.id for t in evaluation}
    # Inputs alone may recur across sets, but never with the same output.
    assert len(used_pairs) > 2000


def test_the_exclusions_are_the_known_overlap(split):
    arc2_train_ids = {t.id for t in solved_tasks("arc2/train")}
    arc1_eval_inside = arc2_train_ids & {t.id for t in solved_tasks("arc1/eval")}
    assert len(arc1_eval_inside) == 376  # shared/arc-facts.md
    assert arc1_eval_inside <= set(split.excluded)
    assert len(split.train) + len(split.val) + len(split.excluded) == len(arc2_train_ids) == 1000


def test_a_renamed_copy_of_an_evaluation_pair_is_excluded_by_content(rng):
    grid = rng.integers(0, 10, (3, 4)).astype(np.uint8)
    other = rng.integers(0, 10, (5, 2)).astype(np.uint8)
    evaluation = [Task("eval1", (Pair(grid, grid.T.copy()),), (Pair(other, other),))]
    renamed = Task("fresh", (Pair(other.copy(), other.copy()),), (Pair(grid, grid),))  # shares the eval *test* pair
    clean = [Task(f"clean{i}", (Pair(grid, np.full((2, 2), i, np.uint8)),), ()) for i in range(4)]
    result = split_tasks([renamed, *clean], evaluation, val_tasks=1)
    assert result.excluded == ("fresh",)
    assert len(result.train) == 3 and len(result.val) == 1


def test_pair_key_tells_shapes_apart():
    flat = np.zeros((1, 4), np.uint8)
    assert pair_key(flat, flat) != pair_key(flat.reshape(2, 2), flat.reshape(2, 2))


def test_validation_tasks_are_fixed_and_held_out(split):
    assert len(split.val) == VAL_TASKS
    assert not {t.id for t in split.val} & {t.id for t in split.train}
    shuffled = split_tasks(list(reversed(split.tasks)), [])
    assert [t.id for t in shuffled.val] == [t.id for t in split.val]
    # Validation tasks train on their demonstrations only: their test pairs stay unseen.
    first_val = len(split.train)
    assert split.training_pairs(first_val) == split.val[0].train
    assert split.training_pairs(0) == split.train[0].train + split.train[0].test


def test_provenance_names_the_data(split):
    record = split.provenance()
    assert record["train_task_ids"] == [t.id for t in split.train]
    assert record["val_task_ids"] == [t.id for t in split.val]
    assert record["data_sha256"] == split.digest and len(split.digest) == 64
    assert "by grid content" in record["data_rule"]
    smaller = split_tasks(list(split.tasks[1:]), [])
    assert smaller.digest != split.digest
