import pytest
import torch

from solver.trm.config import ModelConfig, model_preset
from solver.trm.model import TRM, apply_rotary
from solver.trm.rope1d import rotate_half
from solver.trm.weights import build_model


def run_step(model: TRM, batch=3, side=5):
    tokens = torch.randint(0, 12, (batch, side * side))
    x = model.embed(tokens, model.new_task_embeddings(batch))
    return model(tokens, model.new_task_embeddings(batch)), x


def test_step_shapes(tiny_model):
    cfg = tiny_model.cfg
    (carry, logits, halt), x = run_step(tiny_model)
    assert x.shape == (3, cfg.prefix_len + 25, cfg.hidden_size)
    assert logits.shape == (3, 25, cfg.vocab_size) and logits.dtype == torch.float32
    assert halt.shape == (3,)
    assert carry.y.shape == x.shape and not carry.y.requires_grad


def test_halting_head_starts_at_not_done(tiny_model):
    (_, _, halt), _ = run_step(tiny_model)
    assert torch.allclose(halt, torch.full_like(halt, -5.0))


def test_only_the_last_cycle_carries_gradient():
    cfg = model_preset("tiny")
    model = build_model(cfg)
    calls = []
    original = model.block.forward

    def counting(h, injection, rotary):
        out = original(h, injection, rotary)
        calls.append(out.requires_grad)
        return out

    model.block.forward = counting
    (_, logits, halt), _ = run_step(model)
    per_cycle = cfg.l_cycles + 1
    assert len(calls) == cfg.h_cycles * per_cycle
    assert calls == [False] * (cfg.h_cycles - 1) * per_cycle + [True] * per_cycle
    (logits.sum() + halt.sum()).backward()
    assert model.block.layers[0].attn.qkv.weight.grad is not None


def test_supervision_steps_refine_the_carry(tiny_model):
    tokens = torch.randint(0, 12, (2, 16))
    embeddings = tiny_model.new_task_embeddings(2)
    carry1, _, _ = tiny_model(tokens, embeddings)
    carry2, _, _ = tiny_model(tokens, embeddings, carry1)
    assert not torch.allclose(carry1.y, carry2.y)


def test_task_embedding_changes_the_answer(tiny_model):
    tokens = torch.randint(0, 12, (1, 16))
    emb = tiny_model.new_task_embeddings(1)
    _, l1, _ = tiny_model(tokens, emb)
    _, l2, _ = tiny_model(tokens, emb + 1.0)
    assert not torch.allclose(l1, l2)


def test_rotary_distinguishes_rows_and_columns(tiny_model):
    cos, sin = tiny_model.rotary(4, torch.device("cpu"))
    P = tiny_model.cfg.prefix_len
    assert cos.shape == (P + 16, tiny_model.cfg.head_dim)
    # Cell (0, 1) and cell (1, 0) must get different rotations; prefix positions share one.
    assert not torch.allclose(cos[P + 1], cos[P + 4])
    assert torch.allclose(cos[0], cos[P - 1])
    # Rotation preserves norms.
    x = torch.randn(1, 1, P + 16, tiny_model.cfg.head_dim)
    assert torch.allclose(apply_rotary(x, cos, sin).norm(dim=-1), x.norm(dim=-1), atol=1e-5)


def test_model_runs_on_any_canvas_size(tiny_model):
    for side in (2, 12, 30):
        (_, logits, _), _ = run_step(tiny_model, batch=1, side=side)
        assert logits.shape[1] == side * side


def test_initialisation_is_deterministic():
    a, b = build_model(model_preset("tiny")), build_model(model_preset("tiny"))
    for (name, ta), (_, tb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(ta, tb), name


def test_forward_refuses_a_sequence_that_is_not_a_square_canvas(tiny_model):
    with pytest.raises(ValueError, match="square canvas"):
        tiny_model(torch.zeros((1, 15), dtype=torch.long), tiny_model.new_task_embeddings(1))


def test_rope1d_numbers_every_position_and_attends_by_offset():
    cfg = ModelConfig.from_dict({**model_preset("tiny").to_dict(), "positions": "rope1d", "canvas": "30"})
    model = build_model(cfg)
    cos, sin = model.rotary(3, torch.device("cpu"))
    P, half = cfg.prefix_len, cfg.head_dim // 2
    assert cos.shape == (P + 9, cfg.head_dim)
    # Position p rotates pair (i, i + half) by angle p * theta^(-2i/head_dim).
    last = P + 8
    i = torch.arange(half, dtype=torch.float32)
    angles = last * cfg.rope_theta ** (-2 * i / cfg.head_dim)
    assert torch.allclose(cos[last, :half], angles.cos()) and torch.allclose(sin[last, :half], angles.sin())
    assert torch.equal(cos[:, :half], cos[:, half:])
    # A query/key dot product depends only on the offset between positions.
    q, k = torch.randn(cfg.head_dim), torch.randn(cfg.head_dim)

    def dot(i, j):
        qi = apply_rotary(q.expand(1, 1, P + 9, -1), cos, sin, rotate_half)[0, 0, i]
        kj = apply_rotary(k.expand(1, 1, P + 9, -1), cos, sin, rotate_half)[0, 0, j]
        return float(qi @ kj)

    assert abs(dot(3, 1) - dot(7, 5)) < 1e-5
    (_, logits, _), _ = run_step(model, batch=1, side=30)
    assert logits.shape == (1, 900, cfg.vocab_size)


def test_new_task_embeddings_add_std_times_noise(tiny_model):
    with torch.no_grad():
        tiny_model.task_embedding_mean.fill_(1.0)
        tiny_model.task_embedding_std[0].fill_(0.5)
    noise = torch.randn(3, tiny_model.cfg.prefix_len, tiny_model.cfg.hidden_size)
    start = tiny_model.new_task_embeddings(3, noise)
    assert torch.equal(start[:, 0], 1.0 + 0.5 * noise[:, 0]) and torch.equal(
        start[:, 1:], torch.ones_like(start[:, 1:])
    )
    assert torch.equal(tiny_model.new_task_embeddings(3), torch.ones_like(start))
