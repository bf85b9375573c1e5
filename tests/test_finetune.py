import numpy as np
import pytest
import torch

from solver.arc.augment import draw_augmentations
from solver.arc.tasks import load_source, parse_tasks
from solver.clock import Deadline
from solver.config import SolveConfig
from solver.faults import FAULT_ENV
from solver.seeding import task_rng
from solver.trm.codec import encode, encode_label, task_canvas_side
from solver.trm.finetune import TrainingPairs, finetune
from solver.trm.objectives import exact_answers, lr_factor, sign_sgd_rows

CPU = torch.device("cpu")


@pytest.fixture
def flip_task(rng):
    grids = [rng.integers(0, 10, (4, 4)).tolist() for _ in range(4)]
    raw = {
        "train": [{"input": g, "output": [row[::-1] for row in g]} for g in grids[:3]],
        "test": [{"input": grids[3]}],
    }
    return parse_tasks({"flip": raw})[0]


def run(model, task, steps, **overrides):
    cfg = SolveConfig(finetune_batch=8, finetune_lr=3e-3, **overrides)
    augs = draw_augmentations(task.id, 0, 4)
    return finetune(model, task, augs, task_canvas_side(task), steps, 8, cfg, Deadline(None), CPU), augs


def test_fine_tuning_lowers_the_loss_from_a_restored_start(tiny_model, flip_task):
    base = {k: v.clone() for k, v in tiny_model.state_dict().items()}  # before any step
    first, _ = run(tiny_model, flip_task, 1)
    assert any(not torch.equal(v, base[k]) for k, v in tiny_model.state_dict().items())  # it did move
    tiny_model.load_state_dict(base)
    again, _ = run(tiny_model, flip_task, 1)
    assert again.last_loss == first.last_loss  # restored: the same start gives the same first step
    tiny_model.load_state_dict(base)
    longer, _ = run(tiny_model, flip_task, 60)
    assert longer.steps == 60
    assert longer.last_loss < first.last_loss * 0.8


def test_each_sample_trains_its_own_augmentations_embedding_row(tiny_model, flip_task, monkeypatch):
    """Every sample reaches the model with the row of the augmentation its grids were drawn
    under, and only the rows used move."""
    n_aug, side = 16, task_canvas_side(flip_task)
    augs = draw_augmentations(flip_task.id, 0, n_aug)
    # Row a starts at the value a everywhere, so a row can be recognised by its values.
    start = (
        torch.arange(n_aug, dtype=torch.float32)[:, None, None]
        .expand(n_aug, tiny_model.cfg.prefix_len, tiny_model.cfg.hidden_size)
        .clone()
    )
    monkeypatch.setattr(tiny_model, "new_task_embeddings", lambda count: start[:count].clone())
    # Augmentation of each possible input grid, by its tokens (no translation: one placement).
    which = {
        encode(aug.apply(pair.input), side).astype(np.uint8).tobytes(): a
        for a, aug in enumerate(augs)
        for pair in flip_task.train
    }
    assert len(which) == n_aug * len(flip_task.train)
    seen: list[tuple[int, int]] = []  # (augmentation of the grids, embedding row) per sample
    forward = tiny_model.forward

    def spy(tokens, task_embedding, carry=None):
        for sample_tokens, rows in zip(tokens, task_embedding):
            grids = which[sample_tokens.numpy().astype(np.uint8).tobytes()]
            seen.append((grids, round(float(rows.detach().mean()))))
        return forward(tokens, task_embedding, carry)

    monkeypatch.setattr(tiny_model, "forward", spy)
    cfg = SolveConfig(finetune_batch=4, translate=False, tune="embeddings")
    result = finetune(tiny_model, flip_task, augs, side, 2, 4, cfg, Deadline(None), CPU)
    assert seen and all(aug == row for aug, row in seen), seen
    used = {aug for aug, _ in seen}
    moved = {a for a in range(n_aug) if not torch.equal(result.embeddings[a], start[a])}
    assert moved == used and len(used) < n_aug


def test_embeddings_get_one_row_per_augmentation_starting_at_the_mean(tiny_model, flip_task):
    with torch.no_grad():
        tiny_model.task_embedding_mean.fill_(0.25)
    result, augs = run(tiny_model, flip_task, 0)
    assert result.embeddings.shape == (len(augs), tiny_model.cfg.prefix_len, tiny_model.cfg.hidden_size)
    assert torch.all(result.embeddings == 0.25)


def test_mean_plus_noise_starts_each_row_at_mean_plus_std_times_the_tasks_noise(tiny_model, flip_task):
    with torch.no_grad():
        tiny_model.task_embedding_mean.fill_(0.25)
        tiny_model.task_embedding_std.zero_()
        tiny_model.task_embedding_std[0, :4] = 2.0  # spread only where the pretrained table had values
    result, augs = run(tiny_model, flip_task, 0, embedding_init="mean+noise")
    shape = (len(augs), tiny_model.cfg.prefix_len, tiny_model.cfg.hidden_size)
    noise = torch.from_numpy(task_rng(flip_task.id, 0, "embedding-init").standard_normal(shape, dtype=np.float32))
    assert torch.equal(result.embeddings, 0.25 + tiny_model.task_embedding_std * noise)
    assert result.embeddings[:, 0, :4].ne(0.25).all() and result.embeddings[:, 0, 4:].eq(0.25).all()
    assert torch.equal(run(tiny_model, flip_task, 0, embedding_init="mean+noise")[0].embeddings, result.embeddings)


@pytest.mark.parametrize("share,moves", [(0.99, False), (0.5, True)])
def test_the_trunk_stays_frozen_for_the_first_share_of_the_steps(tiny_model, flip_task, share, moves):
    before = tiny_model.block.layers[0].mlp.down.weight.clone()
    result, _ = run(tiny_model, flip_task, 3, frozen_trunk_share=share)  # 0.99: all 3 steps frozen
    assert result.steps == 3 and not torch.all(result.embeddings == 0)  # the embeddings moved either way
    assert (not torch.equal(before, tiny_model.block.layers[0].mlp.down.weight)) == moves


@pytest.mark.parametrize("tune,moves", [("all", True), ("embeddings", False)])
def test_tune_selects_what_moves(tiny_model, flip_task, tune, moves):
    before = tiny_model.block.layers[0].mlp.down.weight.clone()
    result, _ = run(tiny_model, flip_task, 3, tune=tune)
    changed = not torch.equal(before, tiny_model.block.layers[0].mlp.down.weight)
    assert changed == moves
    assert not torch.all(result.embeddings == 0)  # the embeddings always move (which rows: the test above)
    assert all(not p.requires_grad for p in tiny_model.parameters())


def test_deadline_stops_fine_tuning(tiny_model, flip_task):
    cfg = SolveConfig(finetune_batch=4)
    augs = draw_augmentations(flip_task.id, 0, 2)
    result = finetune(tiny_model, flip_task, augs, 8, 1000, 4, cfg, Deadline.in_seconds(-1), CPU)
    assert result.steps == 0


def test_out_of_memory_halves_the_batch(tiny_model, flip_task, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "oom:flip:2")
    result, _ = run(tiny_model, flip_task, 3)
    assert result.steps == 3 and result.batch == 2  # 8 -> 4 -> 2


def test_out_of_memory_at_the_minimum_batch_gives_up(tiny_model, flip_task, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "oom:flip:100")
    with pytest.raises(torch.cuda.OutOfMemoryError):
        run(tiny_model, flip_task, 3)


def test_sign_sgd_touches_only_given_rows():
    table = torch.ones(4, 2, 3)
    grad = torch.full((2, 2, 3), 5.0)
    sign_sgd_rows(table, torch.tensor([1, 1]), grad, lr=0.1, weight_decay=0.0)
    assert torch.allclose(table[1], torch.full((2, 3), 0.9))
    assert torch.equal(table[0], torch.ones(2, 3)) and torch.equal(table[3], torch.ones(2, 3))


def test_training_batches_are_augmented_pairs(flip_task, rng):
    augs = draw_augmentations(flip_task.id, 0, 3)
    data = TrainingPairs(flip_task, augs, side=8, translate=True)
    aug_ids, tokens, labels = data.batch(rng, 16)
    assert tokens.shape == labels.shape == (16, 64)
    assert set(aug_ids.tolist()) <= {0, 1, 2}
    # Input and output of a pair are translated together: their colour cells share the same bounding box.
    first_in = np.argwhere(tokens[0].reshape(8, 8).numpy() >= 2).min(0)
    first_out = np.argwhere(labels[0].reshape(8, 8).numpy() >= 2).min(0)
    assert (first_in == first_out).all()


def test_learning_rate_schedule_warms_up_then_decays():
    values = [lr_factor(s, 100) for s in range(100)]
    assert values[0] < values[9] <= 1.0
    assert values[-1] < values[20]
    assert min(values) > 0


def test_the_halting_head_learns_when_the_answer_is_right(tiny_model):
    """Fine-tuned to fit one simple real task, "halting logit > 0" predicts "answer exactly right".

    25ff71a9 (arc1/train, 3x3 grids: move the shape down one row). Judged on every demonstration
    under every augmentation at every supervision step; the halting head starts at "not done"
    (bias -5), so beating the always-"not done" guess means it learned.
    """
    task = next(t for t in load_source("arc1/train").tasks if t.id == "25ff71a9")
    side = task_canvas_side(task)
    augs = draw_augmentations(task.id, 0, 2)
    cfg = SolveConfig(finetune_batch=16, finetune_lr=3e-3, embedding_lr=9e-3, translate=False)
    result = finetune(tiny_model, task, augs, side, 300, 16, cfg, Deadline(None), CPU)
    tokens, labels, rows = [], [], []
    for a, aug in enumerate(augs):
        for pair in task.train:
            tokens.append(encode(aug.apply(pair.input), side))
            labels.append(encode_label(aug.apply(pair.output), side))
            rows.append(a)
    tokens, labels = torch.from_numpy(np.stack(tokens)), torch.from_numpy(np.stack(labels))
    right, said_done, carry = [], [], None
    with torch.no_grad():
        for _ in range(tiny_model.cfg.halt_max_steps):
            carry, logits, halt = tiny_model(tokens, result.embeddings[rows], carry)
            right.append(exact_answers(logits, labels))
            said_done.append(halt > 0)
    right, said_done = torch.cat(right), torch.cat(said_done)
    halting_accuracy, never_done_accuracy = float((said_done == right).float().mean()), float((~right).float().mean())
    print(
        f"\nexact {float(right.float().mean()):.2f}, halting accuracy {halting_accuracy:.2f}"
        f" vs always-not-done {never_done_accuracy:.2f}"
    )
    assert float(right[-len(rows) :].float().mean()) >= 0.75  # fitted: the final answers are (mostly) right
    assert halting_accuracy > never_done_accuracy + 0.25
