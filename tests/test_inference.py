import numpy as np
import pytest
import torch

from solver.arc.augment import draw_augmentations
from solver.arc.voting import Candidate, rank
from solver.clock import Deadline
from solver.config import SolveConfig
from solver.run.budget import TaskPlan
from solver.solve_task import solve_task, vote_sequence
from solver.trm.codec import decode, encode
from solver.trm.inference import predict, predict_batch

CPU = torch.device("cpu")
NEVER = Deadline(None)


def distinct_rows(model, count):
    """Task embeddings with a different random row per augmentation (the mean is the same for all)."""
    generator = torch.Generator().manual_seed(7)
    return torch.randn(count, model.cfg.prefix_len, model.cfg.hidden_size, generator=generator)


def test_every_augmentation_gives_a_de_augmented_candidate_from_its_own_embedding(tiny_model, rng):
    grid = rng.integers(0, 10, (3, 5)).astype(np.uint8)
    augs = draw_augmentations("t", 0, 10)
    emb = distinct_rows(tiny_model, 10)
    with torch.no_grad():  # initialised to zero, the halting head would give every row the same confidence
        tiny_model.halt_head.weight.normal_(generator=torch.Generator().manual_seed(3))
    candidates = predict(
        tiny_model, grid, augs, emb, side=8, sup_steps=2, batch=4, soft_deadline=NEVER, hard_deadline=NEVER, device=CPU
    )
    assert len(candidates) == 10 and all(c.sup_steps == 2 for c in candidates)
    # Candidate i is augmentation i's input through the model with embedding row i, mapped back
    # through augmentation i's inverse (batches of 4: rows inside a batch and across batches).
    confidences = []
    for i, aug in enumerate(augs):
        raw, conf, _ = predict_batch(
            tiny_model, torch.from_numpy(encode(aug.apply(grid), 8))[None], emb[i : i + 1], 2, CPU
        )
        assert np.array_equal(candidates[i].grid, aug.invert(decode(raw[0], 8))), i
        assert abs(candidates[i].confidence - conf[0]) < 1e-6, i
        confidences.append(float(conf[0]))
    # The rows do matter: any other row would have given another confidence.
    assert len({round(c, 6) for c in confidences}) == len(confidences)


def test_deadlines_limit_batches(tiny_model, rng):
    grid = rng.integers(0, 10, (3, 3)).astype(np.uint8)
    augs = draw_augmentations("t", 0, 12)
    emb = tiny_model.new_task_embeddings(12)
    late = predict(tiny_model, grid, augs, emb, 4, 3, 4, Deadline.in_seconds(-1), NEVER, CPU)
    assert len(late) == 4  # past the soft deadline only the first batch runs...
    assert all(c.sup_steps == 1 for c in late)  # ...cut short after one supervision step
    too_late = predict(tiny_model, grid, augs, emb, 4, 1, 4, NEVER, Deadline.in_seconds(-1), CPU)
    assert too_late == []


def test_solve_task_restores_base_weights_and_answers_each_test(tiny_model, arc1_eval):
    task = next(t for t in arc1_eval.tasks if len(t.test) == 2)
    base = {k: v.clone() for k, v in tiny_model.state_dict().items()}
    cfg = SolveConfig(finetune_batch=4)
    plan = TaskPlan(finetune_steps=2, finetune_batch=4, n_augmentations=8, inference_sup_steps=2)
    first = solve_task(tiny_model, base, task, plan, cfg, NEVER, NEVER, CPU)
    second = solve_task(tiny_model, base, task, plan, cfg, NEVER, NEVER, CPU)
    assert first.entries == second.entries  # same start, same seed: same answers
    assert len(first.entries) == 2 and set(first.entries[0]) == {"attempt_1", "attempt_2"}
    assert first.report.trm.finetune_steps == 2 and first.report.tests[0].candidates == 8
    assert sum(c.votes for c in first.report.tests[0].top) <= 8
    work = first.trm_work  # what the budget planner learns from: the report's own figures
    assert (work.finetune_steps, work.finetune_batch, work.finetune_seconds, work.inference_seconds) == (
        first.report.trm.finetune_steps,
        first.report.trm.finetune_batch,
        first.report.trm.finetune_seconds,
        first.report.trm.inference_seconds,
    )
    assert work.sup_steps_run == sum(t.sup_steps_run for t in first.report.tests) > 0


def test_the_report_replays_the_vote_and_the_fine_tuning_losses(tiny_model, arc1_eval):
    task = next(t for t in arc1_eval.tasks if len(t.test) == 2)
    base = {k: v.clone() for k, v in tiny_model.state_dict().items()}
    cfg = SolveConfig(finetune_batch=4)
    plan = TaskPlan(finetune_steps=3, finetune_batch=4, n_augmentations=8, inference_sup_steps=1)
    report = solve_task(tiny_model, base, task, plan, cfg, NEVER, NEVER, CPU).report
    assert len(report.trm.finetune_losses) == 3
    assert report.trm.finetune_losses[-1] == pytest.approx(report.trm.finetune_last_loss, rel=1e-3)
    for test in report.tests:
        sequence = test.vote_sequence
        assert len(sequence) == test.candidates and set(sequence) <= set(range(-1, len(test.top)))
        # Each listed grid was proposed exactly as often as its votes say.
        assert [sequence.count(i) for i in range(len(test.top))] == [c.votes for c in test.top]


def test_vote_sequence_maps_each_candidate_to_its_listed_grid():
    a, b, c = (np.full((2, 2), v, np.uint8) for v in (1, 2, 3))
    candidates = [Candidate(g, 0.5) for g in (b, a, c, b)]
    assert vote_sequence(candidates, rank(candidates)[:1]) == [0, -1, -1, 0]


def test_early_stop_stops_a_done_sample_whose_answer_stopped_changing(tiny_model, rng):
    grid = rng.integers(0, 10, (3, 3)).astype(np.uint8)
    tokens = torch.from_numpy(np.stack([encode(grid, 4)] * 6))
    emb = tiny_model.new_task_embeddings(6)
    depth = tiny_model.cfg.halt_max_steps
    with torch.no_grad():
        tiny_model.lm_head.weight.zero_()  # every answer is all zeros: it never changes
        tiny_model.halt_head.bias.fill_(10.0)  # and the model always says "done"
    _, _, steps = predict_batch(tiny_model, tokens, emb, depth, CPU, early_stop=True)
    assert steps.tolist() == [2] * 6  # step 1 has nothing to compare with; step 2 repeats it
    _, _, steps = predict_batch(tiny_model, tokens, emb, depth, CPU)
    assert steps.tolist() == [depth] * 6  # off by default
    with torch.no_grad():
        tiny_model.halt_head.bias.fill_(-10.0)  # never "done": early stop changes nothing
    _, _, steps = predict_batch(tiny_model, tokens, emb, depth, CPU, early_stop=True)
    assert steps.tolist() == [depth] * 6


def test_early_stopped_samples_keep_the_answer_of_their_last_step(tiny_model, rng):
    tokens = torch.from_numpy(np.stack([encode(rng.integers(0, 10, (3, 3)).astype(np.uint8), 4) for _ in range(16)]))
    emb = tiny_model.new_task_embeddings(16) + torch.randn(16, tiny_model.cfg.prefix_len, tiny_model.cfg.hidden_size)
    with torch.no_grad():  # answers that never change, a halting head that says "done" for some samples only
        tiny_model.lm_head.weight.zero_()
        tiny_model.halt_head.weight.normal_(std=3.0)
        tiny_model.halt_head.bias.zero_()
    depth = tiny_model.cfg.halt_max_steps
    predicted, confidence, steps = predict_batch(tiny_model, tokens, emb, depth, CPU, early_stop=True)
    assert set(steps.tolist()) == {2, depth}  # some stop early, the others run on in a smaller batch
    by_depth = {k: predict_batch(tiny_model, tokens, emb, k, CPU) for k in range(1, depth + 1)}
    for i, k in enumerate(steps.tolist()):
        assert np.array_equal(predicted[i], by_depth[k][0][i])
        assert abs(confidence[i] - by_depth[k][1][i]) < 1e-5


def test_inference_runs_the_models_depth_by_default(tiny_model):
    from solver.run.budget import full_plan

    assert SolveConfig().inference_sup_steps is None
    assert full_plan(SolveConfig(), tiny_model.cfg.halt_max_steps).inference_sup_steps == tiny_model.cfg.halt_max_steps
    assert full_plan(SolveConfig(inference_sup_steps=2), 16).inference_sup_steps == 2
