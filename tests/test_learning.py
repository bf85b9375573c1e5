"""The whole neural path learns: a tiny TRM fine-tuned from scratch answers a real task.

Every other test would pass on a solver that learns nothing. Here the real pieces run in
order, through their public functions: per-augmentation fine-tuning (finetune), augmented
inference mapped back through each augmentation's inverse (predict), and voting (rank,
top_attempts).

The test trains until a criterion is met, not for a step count tuned on one machine:
under every augmentation the model answers every demonstration and the test input
right, read in that augmentation's own frame (the augmented grids go in, the augmented
true outputs are expected out), so the criterion uses neither the inverses nor the vote.
Floating-point details (another CPU, BLAS, package versions) change the trajectory the
way another seed does, so a run that misses the criterion is retried with the next seed;
a bug that stops learning fails under every seed. Once the criterion holds, the answer is
read through the code under test: every augmentation's candidate from predict(), mapped
back through its own inverse, must be the true output, and the vote must count all of
them and rank the answer first. That part is exact: nothing in it depends on rounding.

Each guarded bug was injected into a copy of the tree and turns this test red (2026-11-30,
2-core CPU machine, the test as it stands: 400 steps, seeds 0-2):
- rot90 and rot270 inverses swapped (solver.arc.dihedral._INVERSE with ROT90 and ROT270
  exchanged): the criterion holds at the first seed, then 6 of 8 candidates are right;
- inference reading other rows' embeddings (predict() slicing embeddings.flip(0)): 0 of 8;
- fine-tuning training other rows' embeddings (embeddings[flight.rows.flip(0)]): no seed
  meets the criterion (0 of 8 augmentations, seeds 0, 1 and 2);
- a vote miscounted (rank() counting each group once too few): the vote's count is wrong
  (6 == 8 fails).
"""

import dataclasses

import numpy as np
import pytest
import torch

from solver.arc.augment import NUM_DIHEDRAL, Augmentation
from solver.arc.voting import rank, top_attempts
from solver.clock import Deadline
from solver.config import SOLVE_PRESETS
from solver.trm.codec import decode, encode, task_canvas_side
from solver.trm.config import model_preset
from solver.trm.finetune import finetune
from solver.trm.inference import predict, predict_batch
from solver.trm.weights import build_model

CPU = torch.device("cpu")
NEVER = Deadline(None)
# arc1/train b1948b0a: 3 demonstrations, grids up to 6x6; every 6 becomes 2, 7 stays.
TASK_ID = "b1948b0a"
# Measured on the 2-core machine (2026-11-30, seeds 0-3): after 200 steps 1 or 2 of the 8
# augmentations still miss some pair for seeds 2 and 3; after 300 all 8 answer every pair
# for all four seeds, and after 400 too, with the loss halved again. 400 is that margin.
# The old test's rate, 1e-2 (with drawn colour maps), was erratic on this task (6 of 8 right at 300 steps, 8 at
# 500, 5 at 800; seed 1: 4 of 8 at 300): too large a rate makes the outcome hinge on rounding.
STEPS = 400
LEARNING_RATE = 3e-3  # the tiny model starts from scratch, not from pretrained weights
SEEDS = (0, 1, 2)  # a bug fails under all of them; one machine's rounding does not
BATCH = 16
AUGMENTATIONS = NUM_DIHEDRAL  # the identity and one per other dihedral transform, each with a colour map
SUPERVISION_STEPS = 1  # at inference: the step every fine-tuning scheme trains


@pytest.fixture(scope="module")
def task_and_truth():
    from solver.arc.tasks import load_source

    source = load_source("arc1/train")
    task = next(t for t in source.tasks if t.id == TASK_ID)
    return task, np.array(source.solutions[TASK_ID][0], dtype=np.uint8)


def same(a, b):
    return a.shape == b.shape and bool((a == b).all())


def fine_tuned(task, steps, seed):
    """(model, augmentations, embeddings, side) after `steps` fine-tuning steps from scratch."""
    torch.manual_seed(0)
    model = build_model(model_preset("tiny"))  # deterministic init (fixed seed in the preset)
    cfg = dataclasses.replace(SOLVE_PRESETS["cpu-smoke"], finetune_lr=LEARNING_RATE, seed=seed)
    augmentations = augmentations_only_the_embedding_tells_apart()
    side = task_canvas_side(task)
    tuned = finetune(model, task, augmentations, side, steps, BATCH, cfg, NEVER, CPU)
    assert tuned.steps == steps
    return model, augmentations, tuned.embeddings, side


def augmentations_only_the_embedding_tells_apart() -> list[Augmentation]:
    """The identity, then one augmentation per other dihedral transform.

    The task's inputs hold colours 6 and 7, its outputs 2 and 7. Each colour map keeps 6
    and 7 among themselves (swapped under odd transforms) and sends 2 to 2, 3, 4 or 5, so
    no two augmentations share both which input colour changes and what it becomes, and
    an augmented input does not reveal its augmentation (a recolouring looks the same in
    every orientation): only the augmentation's own task embedding tells the model which
    colour to write. With randomly drawn colour maps the input colours identified the
    augmentation, and embeddings read from the wrong rows still gave 7 of 8 right answers.
    """
    augmentations = []
    for transform, two_becomes in zip(range(NUM_DIHEDRAL), (2, 2, 3, 3, 4, 4, 5, 5)):
        colours = list(range(10))
        if transform % 2:
            colours[6], colours[7] = 7, 6
        colours[2], colours[two_becomes] = colours[two_becomes], colours[2]
        augmentations.append(Augmentation(transform, tuple(colours)))
    return augmentations


def answered_in_frame(model, pairs, augmentations: list[Augmentation], embeddings, side) -> list[bool]:
    """Per augmentation: does the model map every augmented input of `pairs` to its augmented output?"""
    answered = []
    for row, aug in enumerate(augmentations):
        inputs = torch.from_numpy(np.stack([encode(aug.apply(grid_in), side) for grid_in, _ in pairs]))
        rows = embeddings[row : row + 1].expand(len(pairs), -1, -1)
        predicted, _, _ = predict_batch(model, inputs, rows, SUPERVISION_STEPS, CPU)
        answered.append(all(same(decode(p, side), aug.apply(out)) for p, (_, out) in zip(predicted, pairs)))
    return answered


def pairs(task, truth):
    """The demonstrations and the test input, each with its true output."""
    return [(pair.input, pair.output) for pair in task.train] + [(task.test[0].input, truth)]


def candidates_for_test(model, task, augmentations, embeddings, side):
    return predict(
        model,
        task.test[0].input,
        augmentations,
        embeddings,
        side,
        SUPERVISION_STEPS,
        AUGMENTATIONS,
        NEVER,
        NEVER,
        CPU,
    )


def test_untrained_the_answer_is_wrong(task_and_truth):
    """The test measures learning, not luck: before fine-tuning the vote is wrong."""
    task, truth = task_and_truth
    assert not same(task.test[0].input, truth)  # copying the input is not an answer
    model, augmentations, embeddings, side = fine_tuned(task, 0, SEEDS[0])
    assert not any(answered_in_frame(model, pairs(task, truth), augmentations, embeddings, side))
    candidates = candidates_for_test(model, task, augmentations, embeddings, side)
    ranked = rank(candidates)
    assert len(candidates) == AUGMENTATIONS
    assert not same(ranked[0].grid, truth)
    assert [r.votes for r in ranked] == sorted((r.votes for r in ranked), reverse=True)
    assert sum(r.votes for r in ranked) == len(candidates)


def test_a_tiny_trm_fine_tuned_from_scratch_answers_a_recolouring(task_and_truth):
    task, truth = task_and_truth
    tries = []
    for seed in SEEDS:
        model, augmentations, embeddings, side = fine_tuned(task, STEPS, seed)
        answered = answered_in_frame(model, pairs(task, truth), augmentations, embeddings, side)
        tries.append(f"seed {seed}: {sum(answered)} of {len(answered)} augmentations answer every pair")
        if all(answered):
            break
    else:
        pytest.fail("fine-tuning never taught every augmentation the task: " + "; ".join(tries))

    candidates = candidates_for_test(model, task, augmentations, embeddings, side)
    right = [same(c.grid, truth) for c in candidates]
    # Every augmentation answered right in its own frame, so each candidate, mapped back
    # through its own inverse, is the true output: an inverse wrong for even one
    # transform, or embeddings read from other rows, turns this red...
    assert all(right), f"{sum(right)} of {len(right)} candidates are right ({tries[-1]}): {right}"
    # ...and the vote counts them all and puts the answer first, as the first attempt.
    ranked = rank(candidates)
    assert same(ranked[0].grid, truth) and ranked[0].votes == len(candidates)
    assert same(top_attempts(ranked, fallback=task.test[0].input)[0], truth)
