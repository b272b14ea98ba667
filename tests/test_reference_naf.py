"""The reference NAF on tiny inputs with hand-computed answers, and its input checks.

The worked example used below: with entries [0, 2, ln 3], L = [[1, 0], [2, 3]] (exp(0) = 1
and exp(ln 3) = 3 on the diagonal, 2 below it), so P = L L^T = [[1, 2], [2, 13]].
"""
from __future__ import annotations

import copy
import dataclasses
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dqkit.batch import Batch
from tests.reference import load

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "solutions"))  # naf imports replay_buffer and target_network by bare name
try:
    naf = load("naf")
finally:
    sys.path.remove(str(REPO / "solutions"))

WORKED_ENTRIES = torch.tensor([[0.0, 2.0, math.log(3.0)]])
WORKED_LOWER = torch.tensor([[[1.0, 0.0], [2.0, 3.0]]])


def test_lower_triangular_worked_example():
    torch.testing.assert_close(naf.lower_triangular(WORKED_ENTRIES, 2), WORKED_LOWER)


def test_lower_triangular_fills_row_by_row():
    # tril_indices(3, 3) order: (0,0) (1,0) (1,1) (2,0) (2,1) (2,2); raw diagonal 0 -> exp(0) = 1.
    entries = torch.tensor([[0.0, 4.0, 0.0, 5.0, 6.0, 0.0]])
    expected = torch.tensor([[[1.0, 0.0, 0.0], [4.0, 1.0, 0.0], [5.0, 6.0, 1.0]]])
    torch.testing.assert_close(naf.lower_triangular(entries, 3), expected)


def test_lower_triangular_one_dimension_is_exp():
    entries = torch.tensor([[-1.0], [2.0]])
    torch.testing.assert_close(naf.lower_triangular(entries, 1), torch.exp(entries).reshape(2, 1, 1))


@pytest.mark.parametrize(
    "action, expected",
    [([0.0, 0.0], 5.0),  # at mu the advantage vanishes: Q = V
     ([1.0, 0.0], 4.5),  # d = e_0: d^T P d = P[0,0] = 1
     ([0.0, 1.0], -1.5),  # d = e_1: P[1,1] = 13
     ([1.0, 1.0], -4.0),  # 1 + 2*2 + 13 = 18, Q = 5 - 9
     ([1.0, -1.0], 0.0)],  # 1 - 4 + 13 = 10, Q = 5 - 5
    ids=["at-mu", "e0", "e1", "e0+e1", "e0-e1"],
)
def test_q_values_worked_example(action, expected):
    q = naf.naf_q_values(torch.tensor([5.0]), torch.zeros(1, 2), WORKED_LOWER, torch.tensor([action]))
    assert q.shape == (1,) and q.dtype == torch.float32
    assert q.item() == pytest.approx(expected, abs=1e-5)


def test_q_is_maximal_at_mu_for_random_inputs():
    generator = torch.Generator().manual_seed(0)
    entries = torch.randn(8, 6, generator=generator)
    values, mu = torch.randn(8, generator=generator), torch.randn(8, 3, generator=generator)
    lower = naf.lower_triangular(entries, 3)
    torch.testing.assert_close(naf.naf_q_values(values, mu, lower, mu), values)
    for _ in range(5):
        actions = mu + torch.randn(8, 3, generator=generator)
        assert torch.all(naf.naf_q_values(values, mu, lower, actions) < values)


def test_gradients_reach_values_mu_and_entries():
    values = torch.tensor([5.0], requires_grad=True)
    mu = torch.zeros(1, 2, requires_grad=True)
    entries = WORKED_ENTRIES.clone().requires_grad_(True)
    q = naf.naf_q_values(values, mu, naf.lower_triangular(entries, 2), torch.tensor([[1.0, 0.0]]))
    q.sum().backward()
    assert values.grad.item() == pytest.approx(1.0)
    # dQ/dmu = P (a - mu) = [1, 2] for d = e_0.
    torch.testing.assert_close(mu.grad, torch.tensor([[1.0, 2.0]]))
    # Q = V - 1/2 L[0,0]^2 for d = e_0, L[0,0] = exp(x): dQ/dx = -exp(2x) = -1; the others do not matter.
    torch.testing.assert_close(entries.grad, torch.tensor([[-1.0, 0.0, 0.0]]))


def test_targets_mask_discount_and_detach():
    next_values = torch.tensor([10.0, 100.0], requires_grad=True)
    targets = naf.naf_targets(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 1.0]), next_values, 0.5)
    torch.testing.assert_close(targets, torch.tensor([6.0, 2.0]))
    assert not targets.requires_grad


def test_noisy_actions_in_box_and_reproducible():
    mu = torch.tensor([[0.0, 1.9], [-1.0, 0.0]])
    low, high = np.array([-2.0, -1.0], np.float32), np.array([2.0, 2.0], np.float32)
    first = naf.noisy_actions(mu, 0.5, low, high, np.random.default_rng(3))
    second = naf.noisy_actions(mu, 0.5, low, high, np.random.default_rng(3))
    assert first.dtype == torch.float32 and first.shape == (2, 2)
    torch.testing.assert_close(first, second)
    huge = naf.noisy_actions(mu.repeat(200, 1), 100.0, low, high, np.random.default_rng(4))
    assert torch.all(huge >= torch.as_tensor(low)) and torch.all(huge <= torch.as_tensor(high))
    # With std 100, about 98% of the draws land outside [-2, 2] and are clipped onto its ends.
    assert (huge[:, 0].abs() == 2.0).float().mean() > 0.9


def test_noisy_actions_spread_is_noise_std():
    mu = torch.zeros(20_000, 1)
    actions = naf.noisy_actions(mu, 0.1, [-1.0], [1.0], np.random.default_rng(5))
    # Clipping at 10 standard deviations changes nothing here.
    assert actions.std().item() == pytest.approx(0.1, rel=0.03)
    assert abs(actions.mean().item()) < 0.005


def tiny_setup(tau: float):
    torch.manual_seed(0)
    network = naf.NAFNetwork(2, [-1.0], [1.0], hidden_sizes=(4,))
    target_network = copy.deepcopy(network)
    with torch.no_grad():
        for parameter in target_network.parameters():
            parameter.add_(0.5)
    batch = Batch(torch.tensor([[0.1, 0.2], [0.3, -0.4]]), torch.tensor([[0.5], [-0.5]]),
                  torch.tensor([1.0, -1.0]), torch.tensor([[0.0, 0.1], [0.2, 0.3]]),
                  torch.tensor([0.0, 1.0]), torch.tensor([0.0, 0.0]))
    return network, target_network, batch


def test_update_targets_loss_and_polyak():
    network, target_network, batch = tiny_setup(tau=0.25)
    online_before = copy.deepcopy(network)
    target_before = copy.deepcopy(target_network)
    with torch.no_grad():
        # Row 0 bootstraps from the target network's V(s'); row 1 is terminal.
        targets = batch.rewards + 0.9 * torch.tensor([1.0, 0.0]) * target_network.value(batch.next_observations)
        q = network(batch.observations, batch.actions)
    optimizer = torch.optim.SGD(network.parameters(), lr=0.1)
    stats = naf.update_naf(network, target_network, optimizer, batch, gamma=0.9, tau=0.25)
    assert set(stats) == {"losses/q_loss", "losses/q_values", "losses/targets", "losses/grad_norm"}
    assert stats["losses/targets"] == pytest.approx(targets.mean().item(), abs=1e-6)
    assert stats["losses/q_values"] == pytest.approx(q.mean().item(), abs=1e-6)
    assert stats["losses/q_loss"] == pytest.approx(((q - targets) ** 2).mean().item(), abs=1e-5)
    online_after = dict(network.named_parameters())
    for name, parameter in target_network.named_parameters():
        # After the step: 0.25 * new online + 0.75 * old target.
        expected = 0.25 * online_after[name] + 0.75 * dict(target_before.named_parameters())[name]
        torch.testing.assert_close(parameter, expected)
        assert parameter.grad is None
    moved = any(not torch.equal(a, b) for a, b in zip(network.parameters(), online_before.parameters()))
    assert moved


def test_course_config_is_the_reference_default():
    from autograder.parts.naf.secret.cases import COURSE_CONFIG

    defaults = dataclasses.asdict(naf.NAFConfig())
    defaults["hidden_sizes"] = list(defaults["hidden_sizes"])
    for field in ("seed", "log_path", "progress"):
        defaults.pop(field)
    assert COURSE_CONFIG == defaults


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: naf.lower_triangular(torch.zeros(2, 4), 2), ValueError, r"\[B, A\(A\+1\)/2\] = \[B, 3\]"),
        (lambda: naf.lower_triangular(np.zeros((2, 3)), 2), TypeError, "entries must be a torch.Tensor"),
        (lambda: naf.lower_triangular(torch.zeros(2, 1), 0), ValueError, "action_dim must be a positive integer"),
        (lambda: naf.naf_q_values(torch.zeros(2, 1), torch.zeros(2, 2), torch.zeros(2, 2, 2), torch.zeros(2, 2)),
         ValueError, r"values must have shape \[B\]"),
        (lambda: naf.naf_q_values(torch.zeros(2), torch.zeros(2, 2), torch.zeros(2, 3, 3), torch.zeros(2, 2)),
         ValueError, "action size is 2"),
        (lambda: naf.naf_q_values(torch.zeros(2), torch.zeros(3, 2), torch.zeros(2, 2, 2), torch.zeros(2, 2)),
         ValueError, "batch size 3, expected 2"),
        (lambda: naf.naf_targets(torch.zeros(2), torch.zeros(2), torch.zeros(2), 1.5), ValueError, "gamma must be"),
        (lambda: naf.naf_targets(torch.zeros(2), torch.zeros(2), torch.zeros(2, 1), 0.9), ValueError,
         r"next_values must have shape \[B\]"),
        (lambda: naf.noisy_actions(torch.zeros(1, 1), 0.0, [-1.0], [1.0], np.random.default_rng(0)), ValueError,
         "noise_std must be a positive number"),
        (lambda: naf.noisy_actions(torch.zeros(1, 1), 0.1, [-1.0], [1.0], 7), TypeError, "numpy Generator"),
        (lambda: naf.noisy_actions(torch.zeros(1, 1), 0.1, [1.0], [-1.0], np.random.default_rng(0)), ValueError,
         "need low < high"),
        (lambda: naf.update_naf(*tiny_setup(0.1)[:2], None, tiny_setup(0.1)[2], 0.9, 2.0), ValueError,
         "tau must be in"),
    ],
    ids=["entries-count", "entries-type", "action-dim", "values-column", "lower-size", "batch-size", "gamma",
         "next-values-column", "noise-std", "rng-type", "box", "tau"],
)
def test_input_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.slow
def test_reference_solves_pendulum():
    config = naf.NAFConfig(seed=1, progress=False)
    torch.set_num_threads(1)
    result = naf.train(config)
    assert result.solved_at is not None and result.solved_at <= 10_000, result.evaluations
