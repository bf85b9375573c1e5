import dataclasses
import time

from solver.clock import Deadline
from solver.config import SolveConfig
from solver.run.budget import (
    BudgetTracker,
    Throughput,
    full_plan,
    plan_task,
    sample_work,
    split_search_time,
    task_weight,
)
from solver.trm.config import model_preset

CFG = SolveConfig(
    finetune_steps=100,
    finetune_batch=10,
    n_augmentations=1000,
    inference_sup_steps=16,
    finetune_share=0.5,
    min_augmentations=8,
)
RATES = Throughput(train_units_per_s=1000.0, infer_units_per_s=3000.0)


def test_generous_budget_keeps_the_configured_work():
    plan = plan_task(CFG, seconds=1e9, work=100, n_test=1, rates=RATES, inference_depth=16)
    work = (plan.finetune_steps, plan.finetune_batch, plan.n_augmentations, plan.inference_sup_steps)
    assert work == (100, 10, 1000, 16)


def test_tight_budget_scales_work_down_to_fit():
    seconds = 60.0
    plan = plan_task(CFG, seconds, work=100, n_test=2, rates=RATES, inference_depth=16)
    train_cost = plan.finetune_steps * plan.finetune_batch * 1 * 100 / 1000.0
    infer_cost = 2 * plan.n_augmentations * plan.inference_sup_steps * 100 / 3000.0
    assert train_cost <= seconds * CFG.finetune_share + 1e-9
    assert train_cost + infer_cost <= seconds + 1e-9
    assert plan.finetune_steps == 30 and 8 <= plan.n_augmentations < 1000 and plan.inference_sup_steps == 16


def test_small_budget_shrinks_the_fine_tuning_batch_before_skipping_it():
    plan = plan_task(CFG, seconds=12.0, work=100, n_test=1, rates=RATES, inference_depth=16)
    assert plan.finetune_batch < 10 and plan.finetune_steps >= 8
    assert plan.finetune_steps * plan.finetune_batch * 0.1 <= 12.0 * CFG.finetune_share
    assert plan.finetune_seconds == 12.0 * CFG.finetune_share


def test_very_tight_budget_cuts_supervision_steps_before_augmentations():
    plan = plan_task(CFG, seconds=0.5, work=100, n_test=1, rates=RATES, inference_depth=16)
    assert plan.finetune_steps == 0
    assert plan.n_augmentations == 8
    assert 1 <= plan.inference_sup_steps < 16
    zero = plan_task(CFG, seconds=0.0, work=100, n_test=1, rates=RATES, inference_depth=16)
    assert (zero.finetune_steps, zero.n_augmentations, zero.inference_sup_steps) == (0, 8, 1)


def test_inference_steps_are_the_runs_or_else_the_models_inference_depth():
    # An explicit count runs as given, even past the depth trained (a fork's halt_max_steps_eval may).
    assert full_plan(CFG, inference_depth=3).inference_sup_steps == CFG.inference_sup_steps == 16
    default = dataclasses.replace(CFG, inference_sup_steps=None)
    assert full_plan(default, inference_depth=3).inference_sup_steps == 3


def test_tracker_splits_by_weight_and_rolls_time_over():
    weights = {"small": task_weight(10, 3, 1), "big": task_weight(30, 3, 1)}
    tracker = BudgetTracker(1000.0, weights, workers=1)
    small = tracker.start("small")
    assert 40 < small < 120  # ~950 s * 100 / 1000
    big = tracker.start("big")  # everything left goes to the last task
    assert 800 < big < 950


def test_tracker_scales_with_workers():
    weights = {f"t{i}": 1.0 for i in range(8)}
    one = BudgetTracker(1000.0, weights, workers=1).share("t0")
    four = BudgetTracker(1000.0, weights, workers=4).share("t0")
    assert abs(four / one - 4) < 0.01


def test_deadline():
    assert not Deadline(None).expired()
    assert Deadline.in_seconds(-1).expired()
    soon = Deadline(time.monotonic() + 5)
    assert soon.earliest(Deadline(None)).at == soon.at
    assert Deadline(None).earliest(Deadline(None)).at is None


def test_work_grows_faster_than_the_canvas_area():
    cfg = model_preset("trm-7m")
    small, large = sample_work(10, cfg), sample_work(30, cfg)
    area_ratio = (16 + 900) / (16 + 100)
    assert area_ratio < large / small < area_ratio * 1.5


def test_no_share_exceeds_the_wall_clock_left():
    tracker = BudgetTracker(1000.0, {f"t{i}": 1.0 for i in range(8)}, workers=4)
    for i in range(7):
        tracker.start(f"t{i}")
    left = tracker.deadline.remaining()
    assert tracker.start("t7") <= left


def test_a_restarted_task_gets_its_first_share_again():
    tracker = BudgetTracker(1000.0, {"a": 1.0, "b": 1.0})
    first = tracker.start("a")
    assert abs(tracker.start("a") - first) < 1.0


def test_search_time_is_capped_and_shares_the_task_with_the_trm():
    both = SolveConfig(search_seconds=10.0, search_share=0.25)
    assert split_search_time(both, 100.0) == (10.0, 90.0)  # the cap
    assert split_search_time(both, 20.0) == (5.0, 15.0)  # a quarter of a small share
    alone = dataclasses.replace(both, experts=("search",))
    assert split_search_time(alone, 4.0) == (4.0, 0.0) and split_search_time(alone, 60.0) == (10.0, 0.0)
    assert split_search_time(dataclasses.replace(both, experts=("trm",)), 60.0) == (0.0, 60.0)
