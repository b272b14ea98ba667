"""The reference dueling head on tiny inputs with hand-computed answers, its input checks,
and the grader's own dueling network against the reference's class.

The worked example of note 9: two actions, raw advantages (3, 5) have mean 4, so the
centred advantages are (-1, 1); with V = 4, Q = (3, 5), and so do (V, A) = (4, (103, 105)).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.parts.dueling import checks
from autograder.shared.networks import GraderDuelingQ
from autograder.shared.policies import evaluation_seed, greedy_policy
from dqkit.checks import check_dueling_inputs
from dqkit.networks import feature_trunk
from tests.reference import load

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "solutions"))
try:
    dueling = load("dueling")
finally:
    sys.path.remove(str(REPO / "solutions"))


@pytest.mark.parametrize("values, advantages, expected", [
    ([4.0], [[3.0, 5.0]], [[3.0, 5.0]]),
    ([4.0], [[103.0, 105.0]], [[3.0, 5.0]]),  # a constant on every advantage changes nothing
    ([0.0], [[3.0, 5.0]], [[-1.0, 1.0]]),
    ([2.0, -1.0], [[0.0, 3.0, 6.0], [1.0, 1.0, 1.0]], [[-1.0, 2.0, 5.0], [-1.0, -1.0, -1.0]]),
    ([7.0], [[-2.0]], [[7.0]]),  # one action: Q = V
], ids=["note-9", "shifted-advantages", "zero-value", "two-states", "one-action"])
def test_dueling_q_values_worked_examples(values, advantages, expected):
    q = dueling.dueling_q_values(torch.tensor(values), torch.tensor(advantages))
    assert q.dtype == torch.float32
    torch.testing.assert_close(q, torch.tensor(expected))


def test_square_batch_keeps_states_and_actions_apart():
    """B = A, where a [B] tensor broadcast along the actions axis raises nothing."""
    values = torch.tensor([10.0, 20.0])
    advantages = torch.tensor([[1.0, 3.0], [0.0, 0.0]])
    expected = torch.tensor([[9.0, 11.0], [20.0, 20.0]])
    torch.testing.assert_close(dueling.dueling_q_values(values, advantages), expected)


def test_gradients_by_hand():
    """d Q(s, a) / d V(s) = 1; d Q(s, a) / d A(s, a') = 1[a = a'] - 1/A."""
    values = torch.tensor([1.0], requires_grad=True)
    advantages = torch.tensor([[0.5, -0.5, 2.0]], requires_grad=True)
    dueling.dueling_q_values(values, advantages)[0, 1].backward()
    torch.testing.assert_close(values.grad, torch.tensor([1.0]))
    torch.testing.assert_close(advantages.grad, torch.tensor([[-1 / 3, 2 / 3, -1 / 3]]))


def test_arguments_are_left_unchanged():
    values, advantages = torch.tensor([1.0, 2.0]), torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    dueling.dueling_q_values(values, advantages)
    torch.testing.assert_close(advantages, torch.tensor([[1.0, 2.0], [3.0, 5.0]]))
    torch.testing.assert_close(values, torch.tensor([1.0, 2.0]))


@pytest.mark.parametrize("values, advantages, message", [
    (torch.zeros(3, 1), torch.zeros(3, 2), r"values must have shape \[B\].*squeeze\(1\)"),
    (torch.zeros(()), torch.zeros(1, 2), r"values must have shape \[B\].*bare \.squeeze\(\)"),
    (torch.zeros(3), torch.zeros(3), r"advantages must have shape \[B, A\]"),
    (torch.zeros(3), torch.zeros(2, 4), r"advantages has batch size 2, but values has 3"),
    (torch.zeros(3, dtype=torch.int64), torch.zeros(3, 2), r"values must be a float tensor"),
], ids=["value-column", "scalar-value", "flat-advantages", "batch-mismatch", "integer-values"])
def test_input_checks(values, advantages, message):
    with pytest.raises((ValueError, TypeError), match=message):
        check_dueling_inputs(values, advantages)


def test_streams_shapes_for_a_batch_and_for_one_observation():
    torch.manual_seed(0)
    network = dueling.DuelingQNetwork(4, 3, (8, 8))
    for batch in (5, 1):
        values, advantages = network.streams(torch.randn(batch, 4))
        assert values.shape == (batch,) and advantages.shape == (batch, 3)
        assert network(torch.randn(batch, 4)).shape == (batch, 3)


def test_feature_trunk_is_the_hidden_layers_of_an_mlp():
    trunk = feature_trunk(4, (8, 6))
    assert [type(layer).__name__ for layer in trunk] == ["Linear", "ReLU", "Linear", "ReLU"]
    assert trunk(torch.randn(2, 4)).shape == (2, 6)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        feature_trunk(4, ())


def test_the_graders_network_computes_the_references_q_values():
    """The learning check loads trained parameters into the grader's own network: it must be
    the reference's class, parameter for parameter and Q-value for Q-value."""
    torch.manual_seed(3)
    network = dueling.DuelingQNetwork(4, 2, (16, 16))
    grader = GraderDuelingQ(4, 2, (16, 16))
    grader.load_state_dict(network.state_dict(), strict=True)
    observations = torch.randn(32, 4)
    with torch.no_grad():
        torch.testing.assert_close(grader(observations), network(observations))


def test_the_graders_greedy_policy_of_a_dueling_network_is_the_argmax_of_its_advantages():
    torch.manual_seed(4)
    network = dueling.DuelingQNetwork(4, 2, (16, 16))
    state = {name: tensor.numpy().copy() for name, tensor in network.state_dict().items()}
    policy = greedy_policy("dueling", {"env_id": "CartPole-v1", "hidden_sizes": [16, 16]}, state)
    observations = np.random.default_rng(0).normal(0, 1, (64, 4)).astype(np.float32)
    with torch.no_grad():
        _, advantages = network.streams(torch.as_tensor(observations))
    assert np.array_equal(policy(observations), advantages.argmax(dim=1).numpy())
    assert evaluation_seed("dueling", 7) == evaluation_seed("dqn_loop", 7)  # both run the DQN loop


def test_the_graders_streams_and_gradients_match_torch():
    """checks.kit_streams and checks.kit_gradients (numpy) against autograd on the reference."""
    torch.manual_seed(5)
    network = dueling.DuelingQNetwork(3, 2, (5, 4))
    rng = np.random.default_rng(1)
    observations = rng.normal(0, 1, (6, 3))
    value_weights, advantage_weights = rng.normal(0, 1, 6), rng.normal(0, 1, (6, 2))
    values, advantages = network.streams(torch.as_tensor(observations, dtype=torch.float32))
    ((values * torch.as_tensor(value_weights, dtype=torch.float32)).sum()
     + (advantages * torch.as_tensor(advantage_weights, dtype=torch.float32)).sum()).backward()
    weights = {name: tensor.detach().double().numpy() for name, tensor in network.state_dict().items()}
    forward = checks.kit_streams(weights, observations)
    np.testing.assert_allclose(forward["values"], values.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(forward["advantages"], advantages.detach().numpy(), atol=1e-5)
    expected = checks.kit_gradients(weights, forward, value_weights, advantage_weights)
    for name, parameter in network.named_parameters():
        np.testing.assert_allclose(expected[name], parameter.grad.double().numpy(), atol=1e-5, err_msg=name)
