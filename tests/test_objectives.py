"""The training objective and optimizers (solver.trm.objectives), checked against hand computations."""

import math

import pytest
import torch
import torch.nn.functional as F

from solver.config import SolveConfig
from solver.train.config import PretrainConfig
from solver.trm.codec import IGNORE_LABEL
from solver.trm.objectives import AdamATan2, log_stablemax, supervision_loss, token_losses


def test_stablemax_log_probabilities_by_hand():
    logp = log_stablemax(torch.tensor([[1.0, -1.0, 0.0, -3.0]]))
    # s = (2, 1/2, 1, 1/4); sum = 3.75
    expected = [math.log(2 / 3.75), math.log(0.5 / 3.75), math.log(1 / 3.75), math.log(0.25 / 3.75)]
    assert logp.dtype == torch.float64
    assert torch.allclose(logp[0], torch.tensor(expected, dtype=torch.float64), rtol=0, atol=1e-15)


def test_stablemax_stays_finite_where_softmax_underflows():
    logits = torch.tensor([[[200.0, -200.0, 0.0]]])
    labels = torch.tensor([[1]])
    stable = token_losses(logits, labels, "stablemax")
    assert torch.isfinite(stable).all() and float(stable) == pytest.approx(-math.log((1 / 201) / (201 + 1 / 201 + 1)))
    assert float(token_losses(logits, labels, "softmax")) == pytest.approx(400.0)


def test_token_losses_ignore_pad_cells_and_softmax_matches_cross_entropy():
    logits = torch.randn(2, 5, 12, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([[2, 3, IGNORE_LABEL, 4, 5], [IGNORE_LABEL] * 4 + [7]])
    soft = token_losses(logits, labels, "softmax")
    reference = F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=IGNORE_LABEL, reduction="none")
    assert torch.allclose(soft, reference)
    assert token_losses(logits, labels, "stablemax")[labels == IGNORE_LABEL].eq(0).all()
    with pytest.raises(ValueError, match="loss"):
        token_losses(logits, labels, "hinge")


def test_halting_target_is_an_exactly_right_answer():
    labels = torch.tensor([[2, 3, IGNORE_LABEL], [2, 3, 4]])
    logits = F.one_hot(torch.tensor([[2, 3, 9], [2, 3, 5]]), 12).float() * 10  # row 0 right, row 1 one cell wrong
    halt = torch.tensor([0.3, -0.7])
    token_part = supervision_loss(logits, torch.full((2,), 100.0), labels) - 0.5 * F.binary_cross_entropy_with_logits(
        torch.full((2,), 100.0), torch.tensor([1.0, 0.0])
    )
    expected = token_part + 0.5 * F.binary_cross_entropy_with_logits(halt, torch.tensor([1.0, 0.0]))
    assert torch.allclose(supervision_loss(logits, halt, labels), expected)


def test_adam_atan2_two_steps_by_hand():
    lr, (b1, b2), wd = 0.1, (0.9, 0.95), 0.1
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    optimizer = AdamATan2([p], lr=lr, betas=(b1, b2), weight_decay=wd)
    grads = [[0.5, -1.0], [0.1, 0.3]]
    value, m, v = [1.0, -2.0], [0.0, 0.0], [0.0, 0.0]
    for t, g in enumerate(grads, start=1):
        p.grad = torch.tensor(g)
        optimizer.step()
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            m_hat, v_hat = m[i] / (1 - b1**t), v[i] / (1 - b2**t)
            value[i] = value[i] * (1 - lr * wd) - lr * math.atan2(m_hat, math.sqrt(v_hat))
    assert p.detach().tolist() == pytest.approx(value, abs=1e-6)
    # The first step is lr * atan2(g, |g|) = lr * pi / 4 against the gradient's sign (plus decay).
    assert value[0] != pytest.approx(1.0)


def test_adam_atan2_step_is_bounded_by_lr_pi_over_2():
    p = torch.nn.Parameter(torch.zeros(1000))
    optimizer = AdamATan2([p], lr=0.01, weight_decay=0.0)
    for scale in (1e-12, 1e6, 1.0):
        p.grad = torch.randn(1000) * scale
        before = p.detach().clone()
        optimizer.step()
        assert (p.detach() - before).abs().max() <= 0.01 * math.pi / 2 + 1e-7


def test_loss_choice_is_validated():
    assert SolveConfig().loss == PretrainConfig().loss == "stablemax"
    assert SolveConfig(loss="softmax").loss == "softmax"
    with pytest.raises(ValueError, match="loss"):
        SolveConfig(loss="stable")
    with pytest.raises(ValueError, match="loss"):
        PretrainConfig(loss="hinge")
