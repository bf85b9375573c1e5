"""The persistent supervision carry (solver.trm.carry): halting, exploration, replacement, determinism."""

import numpy as np
import pytest
import torch

from solver.trm.carry import SupervisionCarry
from solver.trm.model import Carry

CPU = torch.device("cpu")
LENGTH = 9  # tokens per sample in these tests


def fresh(ids):
    """rows (n,), tokens and labels (n, LENGTH) whose every entry is the sample's id."""
    ids = torch.as_tensor(ids, dtype=torch.int64)
    grid = ids[:, None].expand(-1, LENGTH).clone()
    return ids, grid, grid.clone()


def state_for(tiny_model, size, fill):
    shape = (size, tiny_model.cfg.prefix_len + LENGTH, tiny_model.cfg.hidden_size)
    return Carry(torch.full(shape, fill), torch.full(shape, -fill))


def test_a_new_carry_asks_for_every_row(tiny_model):
    flight = SupervisionCarry(4, 3, CPU)
    assert flight.needed().tolist() == [0, 1, 2, 3] and flight.state is None
    flight.refill(tiny_model, *fresh([10, 11, 12, 13]), np.random.default_rng(0))
    assert flight.rows.tolist() == [10, 11, 12, 13] and flight.needed().tolist() == []
    with pytest.raises(ValueError, match="halted"):
        flight.refill(tiny_model, *fresh([1]), np.random.default_rng(0))  # nothing halted: no room


def test_a_positive_halting_logit_replaces_only_that_row(tiny_model):
    flight = SupervisionCarry(4, 5, CPU, exploration_prob=0.0)
    flight.refill(tiny_model, *fresh([10, 11, 12, 13]), np.random.default_rng(0))
    flight.advance(state_for(tiny_model, 4, 7.0), torch.tensor([-1.0, 2.0, -3.0, -0.5]))
    assert flight.needed().tolist() == [1]
    flight.refill(tiny_model, *fresh([20]), np.random.default_rng(1))
    assert flight.rows.tolist() == [10, 20, 12, 13]
    assert flight.tokens[1].tolist() == [20] * LENGTH and flight.labels[0].tolist() == [10] * LENGTH
    assert flight.steps.tolist() == [1, 0, 1, 1]
    # The new sample starts from the model's initial state; the others keep theirs.
    assert torch.equal(flight.state.y[1], tiny_model.y_init.expand_as(flight.state.y[1]))
    assert torch.equal(flight.state.z[1], tiny_model.z_init.expand_as(flight.state.z[1]))
    assert torch.all(flight.state.y[[0, 2, 3]] == 7.0) and torch.all(flight.state.z[[0, 2, 3]] == -7.0)


def test_max_steps_forces_replacement(tiny_model):
    flight = SupervisionCarry(3, 2, CPU, exploration_prob=0.0)
    flight.refill(tiny_model, *fresh([1, 2, 3]), np.random.default_rng(0))
    never_done = torch.full((3,), -10.0)
    flight.advance(state_for(tiny_model, 3, 1.0), never_done)
    assert flight.needed().tolist() == []
    flight.refill(tiny_model, *fresh([]), np.random.default_rng(0))  # nothing to replace is fine
    flight.advance(state_for(tiny_model, 3, 1.0), never_done)
    assert flight.needed().tolist() == [0, 1, 2] and flight.steps.tolist() == [2, 2, 2]


def test_exploration_minimum_is_respected(tiny_model):
    depth = 8
    flight = SupervisionCarry(64, depth, CPU, exploration_prob=1.0)  # every sample explores
    flight.refill(tiny_model, *fresh(range(64)), np.random.default_rng(3))
    minimum = flight.min_steps.clone()
    assert int(minimum.min()) >= 2 and int(minimum.max()) <= depth and len(set(minimum.tolist())) > 3
    halted_at = torch.zeros(64, dtype=torch.int64)
    for step in range(1, depth + 1):
        flight.advance(state_for(tiny_model, 64, 0.0), torch.full((64,), 5.0))  # always "done"
        newly = flight.halted & (halted_at == 0)
        halted_at[newly] = step
    assert torch.equal(halted_at, minimum)  # halts exactly when its minimum allows, never before


def test_without_exploration_a_done_sample_halts_after_one_step(tiny_model):
    flight = SupervisionCarry(16, 8, CPU, exploration_prob=0.0)
    flight.refill(tiny_model, *fresh(range(16)), np.random.default_rng(0))
    assert torch.all(flight.min_steps == 0)
    flight.advance(state_for(tiny_model, 16, 0.0), torch.full((16,), 5.0))
    assert flight.halted.all()


def test_same_draws_give_the_same_carry(tiny_model):
    def run(seed):
        flight = SupervisionCarry(32, 6, CPU)
        trace = []
        for step in range(10):
            n = len(flight.needed())
            flight.refill(tiny_model, *fresh(range(100 * step, 100 * step + n)), np.random.default_rng([seed, step]))
            halt = torch.from_numpy(np.random.default_rng([seed, step, 1]).normal(size=32)).float()
            flight.advance(state_for(tiny_model, 32, float(step)), halt)
            trace.append((flight.rows.clone(), flight.steps.clone(), flight.min_steps.clone(), flight.halted.clone()))
        return trace

    first, again, other = run(0), run(0), run(1)
    assert all(torch.equal(a, b) for x, y in zip(first, again) for a, b in zip(x, y))
    assert not all(torch.equal(a, b) for x, y in zip(first, other) for a, b in zip(x, y))


def test_saved_tensors_restore_the_carry(tiny_model):
    flight = SupervisionCarry(4, 5, CPU)
    assert flight.tensors() == {}
    flight.refill(tiny_model, *fresh([1, 2, 3, 4]), np.random.default_rng(0))
    flight.advance(state_for(tiny_model, 4, 2.0), torch.tensor([1.0, -1.0, -1.0, -1.0]))
    copy = SupervisionCarry(4, 5, CPU)
    copy.load_tensors(flight.tensors())
    assert all(torch.equal(v, copy.tensors()[k]) for k, v in flight.tensors().items())
    assert copy.needed().tolist() == flight.needed().tolist()
