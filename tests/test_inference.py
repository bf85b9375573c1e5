import numpy as np
import torch

from solver.arc.augment import draw_augmentations
from solver.clock import Deadline
from solver.run.budget import TaskPlan
from solver.trm.codec import decode, encode
from solver.config import SolveConfig
from solver.trm.inference import predict, predict_batch
from solver.solve_task import solve_task

CPU = torch.device("cpu")
NEVER = Deadline(None)


def test_every_augmentation_gives_a_de_augmented_candidate(tiny_model, rng):
    grid = rng.integers(0, 10, (3, 5)).astype(np.uint8)
    augs = draw_augmentations("t", 0, 10)
    emb = tiny_model.new_task_embeddings(10)
    candidates = predict(tiny_model, grid, augs, emb, side=8, sup_steps=2, batch=4, soft_deadline=NEVER,
                         hard_deadline=NEVER, device=CPU)
    assert len(candidates) == 10 and all(c.sup_steps == 2 for c in candidates)
    # The identity candidate is exactly the decoded raw prediction.
    raw, conf, _ = predict_batch(tiny_model, torch.from_numpy(encode(grid, 8))[None], emb[:1], 2, CPU)
    assert np.array_equal(candidates[0].grid, decode(raw[0], 8))
    assert abs(candidates[0].confidence - conf[0]) < 1e-6
    # Each other candidate equals its augmentation's inverse applied to the raw prediction.
    aug = augs[3]
    raw3, _, _ = predict_batch(tiny_model, torch.from_numpy(encode(aug.apply(grid), 8))[None], emb[3:4], 2, CPU)
    assert np.array_equal(candidates[3].grid, aug.invert(decode(raw3[0], 8)))


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
    assert first.report["finetune_steps"] == 2 and first.report["tests"][0]["candidates"] == 8
    assert sum(t["votes"] for t in first.report["tests"][0]["top"]) <= 8


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
