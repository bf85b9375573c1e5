"""Our tokens and inverse augmentations against each fork's own data builder (tests/fixtures/make_fork_fixtures.py).

Their dataset/build_arc_dataset.py ran on a two-task file (seed 42, 4 augmentations per
task). Every puzzle it wrote is named `task|||t<dihedral>|||<colour map>`; applying that
augmentation with our `Augmentation` and encoding with our codec must give their tokens
exactly (at the translation they drew, for the training split), and our inverse must undo
what their inverse undoes. NVARC's builder is the reference's.
"""

from pathlib import Path

import numpy as np
import pytest

from solver.arc.augment import IDENTITY, Augmentation, dihedral
from solver.arc.tasks import load_source
from solver.trm.codec import MAX_SIDE, PAD, encode

FORKS = Path(__file__).resolve().parent / "fixtures" / "trm_forks"
BUILDERS = ["reference_builder.npz", "trelis_builder.npz"]


@pytest.fixture(scope="module")
def arc1_train():
    """Task id -> {"train": [(input, output)], "test": [(input, output)]}, test outputs included."""
    source = load_source("arc1/train")
    return {
        t.id: {
            "train": [(p.input, p.output) for p in t.train],
            "test": [(p.input, np.asarray(out)) for p, out in zip(t.test, source.solutions[t.id])],
        }
        for t in source.tasks
    }


def augmentation(name: str, separator: str) -> tuple[str, Augmentation]:
    """(task id, our augmentation) of one of their puzzle names."""
    if separator not in name:
        return name, IDENTITY
    task_id, transform, colours = name.split(separator)
    return task_id, Augmentation(int(transform.removeprefix("t")), tuple(int(c) for c in colours))


def offset(tokens: np.ndarray) -> tuple[int, int]:
    """Where their encoder placed a grid: the first row and column that are not PAD."""
    canvas = tokens.reshape(MAX_SIDE, MAX_SIDE)
    rows, cols = np.nonzero(canvas != PAD)
    return int(rows.min()), int(cols.min())


@pytest.mark.parametrize("builder", BUILDERS)
def test_their_tokens_are_our_augmentation_and_encoding(builder, arc1_train):
    data = np.load(FORKS / builder)
    names, separator = list(data["identifiers"]), str(data["separator"])
    checked, translated = 0, 0
    for split in ("train", "test"):
        starts = data[f"{split}_puzzle_indices"]
        for puzzle, identifier in enumerate(data[f"{split}_puzzle_identifiers"]):
            task_id, aug = augmentation(names[identifier], separator)
            pairs = arc1_train[task_id][split]
            examples = range(starts[puzzle], starts[puzzle + 1])
            assert len(examples) == len(pairs)
            for (grid_in, grid_out), example in zip(pairs, examples):
                inputs, labels = data[f"{split}_inputs"][example], data[f"{split}_labels"][example]
                at = offset(inputs)
                if split == "test":
                    assert at == (0, 0)  # their test split is never translated: our inference encoding
                assert np.array_equal(encode(aug.apply(grid_in), MAX_SIDE, at), inputs)
                assert np.array_equal(encode(aug.apply(grid_out), MAX_SIDE, at), labels)
                checked, translated = checked + 1, translated + (at != (0, 0))
    assert translated > 0  # their training split moves grids on the canvas: placements were checked too
    assert checked == (1 + 4) * sum(  # the original and 4 augmentations of each task
        len(arc1_train[t]["train"]) + len(arc1_train[t]["test"]) for t in data["tasks"]
    )


@pytest.mark.parametrize("builder", BUILDERS)
def test_our_inverse_undoes_what_theirs_does(builder):
    data = np.load(FORKS / builder)
    separator, probe = str(data["separator"]), data["probe"]
    for name, flat, shape in zip(data["identifiers"], data["inverse_probe"], data["inverse_shapes"]):
        _, aug = augmentation(str(name), separator)
        assert np.array_equal(aug.invert(probe), flat.reshape(shape)), name
    for transform, (flat, shape) in enumerate(zip(data["dihedral_probe"], data["dihedral_shapes"])):
        assert np.array_equal(dihedral(probe, transform), flat.reshape(shape)), transform
