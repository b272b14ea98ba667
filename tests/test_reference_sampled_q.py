"""The reference of part "sampled_q" on tiny inputs with hand-computed answers, and its input checks."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from dqkit.batch import Batch
from tests.reference import load

REPO = Path(__file__).resolve().parent.parent

# sampled_q imports the other parts by bare name (from cem import cem_argmax), as in the worker.
sys.path.insert(0, str(REPO / "solutions"))
try:
    sampled_q = load("sampled_q")
finally:
    sys.path.remove(str(REPO / "solutions"))

BOX = (np.array([-1.0], np.float32), np.array([1.0], np.float32))
SMALL = sampled_q.Maximizer("cem", num_samples=16, num_elites=3, iterations=2)


def first_feature(observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q(s, a) = s[0], whatever the action: every maximizer finds the max exactly."""
    return observations[:, 0] + 0.0 * actions[:, 0]


def slope(observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q(s, a) = s[0] * a[0]: on [-1, 1] the max is |s[0]|, at a = sign(s[0])."""
    return observations[:, 0] * actions[:, 0]


class LinearCritic(nn.Module):
    """Q(s, a) = w . [s, a] + b, for hand-computed gradients."""

    def __init__(self, weights: list[float], bias: float):
        super().__init__()
        self.layer = nn.Linear(len(weights), 1)
        with torch.no_grad():
            self.layer.weight.copy_(torch.tensor([weights]))
            self.layer.bias.fill_(bias)

    def forward(self, observations, actions):
        return self.layer(torch.cat([observations, actions], dim=1)).squeeze(1)


# -- sampled_targets ------------------------------------------------------------------------------
def test_targets_mask_discount_and_reward():
    rewards, terminated = torch.tensor([1.0, 2.0, -1.0]), torch.tensor([0.0, 1.0, 0.0])
    next_observations = torch.tensor([[0.5, 9.0], [3.0, 9.0], [-2.0, 9.0]])
    targets = sampled_q.sampled_targets(rewards, terminated, next_observations, first_feature, *BOX,
                                        np.random.default_rng(0), gamma=0.9, maximizer=SMALL)
    # 1 + 0.9 * 0.5; the terminal row keeps its reward alone; -1 + 0.9 * (-2).
    torch.testing.assert_close(targets, torch.tensor([1.45, 2.0, -2.8]))
    assert targets.dtype == torch.float32 and targets.shape == (3,)


@pytest.mark.parametrize("method", ["cem", "random_shooting"])
def test_targets_near_the_true_max(method):
    next_observations = torch.tensor([[2.0], [-1.0], [0.5]])
    maximizer = sampled_q.Maximizer(method, num_samples=64)
    targets = sampled_q.sampled_targets(torch.zeros(3), torch.zeros(3), next_observations, slope, *BOX,
                                        np.random.default_rng(1), gamma=0.5, maximizer=maximizer)
    # 0.5 * |s[0]|; 64 samples on [-1, 1] come within 0.1 of the edge except with probability 0.95^64 < 0.04
    # per row for random shooting (CEM's later rounds only improve on that); this seed is fixed.
    torch.testing.assert_close(targets, torch.tensor([1.0, 0.5, 0.25]), atol=0.05, rtol=0)
    assert bool(torch.all(targets <= torch.tensor([1.0, 0.5, 0.25]) + 1e-6))


def test_targets_carry_no_graph():
    critic = LinearCritic([1.0, 0.5], 0.0)
    targets = sampled_q.sampled_targets(torch.ones(2), torch.zeros(2), torch.tensor([[1.0], [2.0]]), critic, *BOX,
                                        np.random.default_rng(2), gamma=0.99, maximizer=SMALL)
    assert not targets.requires_grad


# -- choose_actions -------------------------------------------------------------------------------
def test_greedy_action_is_the_maximizers():
    observations = torch.tensor([[1.0], [-1.0]])
    actions = sampled_q.choose_actions(slope, observations, *BOX, np.random.default_rng(3), 0.0, SMALL)
    assert actions.dtype == torch.float32 and actions.shape == (2, 1)
    assert actions[0, 0].item() > 0.9 and actions[1, 0].item() < -0.9


def test_exploring_action_is_greedy_plus_scaled_noise_clipped():
    low, high = np.array([0.0], np.float32), np.array([4.0], np.float32)
    observations = torch.tensor([[1.0], [-1.0], [0.0]])
    actions = sampled_q.choose_actions(slope, observations, low, high, np.random.default_rng(4), 0.25, SMALL)
    # The same stream by hand: the maximizer's draws first, then one normal per coordinate,
    # scaled by 0.25 * (4 - 0) / 2 = 0.5 and clipped to [0, 4].
    rng = np.random.default_rng(4)
    greedy, _ = sampled_q.maximize(slope, observations, low, high, rng, SMALL)
    expected = np.clip(greedy.numpy() + 0.5 * rng.standard_normal((3, 1)).astype(np.float32), 0.0, 4.0)
    torch.testing.assert_close(actions, torch.as_tensor(expected))
    assert bool(torch.all((actions >= 0.0) & (actions <= 4.0)))


def test_same_seed_same_actions():
    observations = torch.tensor([[0.3], [-0.7]])
    first = sampled_q.choose_actions(slope, observations, *BOX, np.random.default_rng(5), 0.3, SMALL)
    np.random.seed(99)
    torch.manual_seed(99)
    again = sampled_q.choose_actions(slope, observations, *BOX, np.random.default_rng(5), 0.3, SMALL)
    torch.testing.assert_close(first, again)


# -- update_critic --------------------------------------------------------------------------------
def test_update_step_by_hand():
    # Online Q(s, a) = 1*s + 2*a + 0; target Q'(s, a) = 3*s + 0*a + 1, so max_a' Q'(s', a') = 3 s' + 1 exactly.
    critic, target_critic = LinearCritic([1.0, 2.0], 0.0), LinearCritic([3.0, 0.0], 1.0)
    batch = Batch(observations=torch.tensor([[1.0], [2.0]]), actions=torch.tensor([[0.5], [-1.0]]),
                  rewards=torch.tensor([1.0, 0.0]), next_observations=torch.tensor([[1.0], [0.0]]),
                  terminated=torch.tensor([0.0, 1.0]), truncated=torch.tensor([0.0, 0.0]))
    optimizer = torch.optim.SGD(critic.parameters(), lr=0.1)
    stats = sampled_q.update_critic(critic, target_critic, optimizer, batch, *BOX, np.random.default_rng(6),
                                    gamma=0.5, tau=0.25, maximizer=SMALL, max_grad_norm=100.0)
    # targets: 1 + 0.5 * (3 * 1 + 1) = 3 and (terminal) 0. Q(s, a) = 1 + 1 = 2 and 2 - 2 = 0.
    # loss = mean((2 - 3)^2, (0 - 0)^2) = 0.5; dloss/dQ = (2 * (-1) / 2, 0) = (-1, 0).
    # grad w = -1 * [s, a] of row 0 = (-1, -0.5), grad b = -1; norm sqrt(1 + 0.25 + 1) = 1.5.
    assert stats == pytest.approx({"losses/critic_loss": 0.5, "losses/q_values": 1.0, "losses/targets": 1.5,
                                   "losses/grad_norm": 1.5})
    # SGD: w = (1, 2) - 0.1 * (-1, -0.5) = (1.1, 2.05), b = 0.1.
    torch.testing.assert_close(critic.layer.weight, torch.tensor([[1.1, 2.05]]))
    torch.testing.assert_close(critic.layer.bias, torch.tensor([0.1]))
    # Polyak with tau = 0.25 on the online critic: 0.25 * (1.1, 2.05) + 0.75 * (3, 0) = (2.525, 0.5125),
    # bias 0.25 * 0.1 + 0.75 * 1 = 0.775.
    torch.testing.assert_close(target_critic.layer.weight, torch.tensor([[2.525, 0.5125]]))
    torch.testing.assert_close(target_critic.layer.bias, torch.tensor([0.775]))
    assert all(parameter.grad is None for parameter in target_critic.parameters())


def test_update_clips_the_gradient_norm():
    critic, target_critic = LinearCritic([1.0, 2.0], 0.0), LinearCritic([3.0, 0.0], 1.0)
    batch = Batch(torch.tensor([[1.0]]), torch.tensor([[0.5]]), torch.tensor([1.0]), torch.tensor([[1.0]]),
                  torch.tensor([0.0]), torch.tensor([0.0]))
    optimizer = torch.optim.SGD(critic.parameters(), lr=1.0)
    stats = sampled_q.update_critic(critic, target_critic, optimizer, batch, *BOX, np.random.default_rng(7),
                                    gamma=0.5, tau=0.0, maximizer=SMALL, max_grad_norm=0.3)
    # dloss/dQ = 2 * (2 - 3) = -2; gradient (-2, -1, -2), norm 3, clipped to 0.3: the step is 0.1 * (2, 1, 2).
    assert stats["losses/grad_norm"] == pytest.approx(3.0)
    torch.testing.assert_close(critic.layer.weight, torch.tensor([[1.2, 2.1]]))
    torch.testing.assert_close(critic.layer.bias, torch.tensor([0.2]))


# -- input checks --------------------------------------------------------------------------------
def targets_with(**overrides):
    args = {"rewards": torch.zeros(2), "terminated": torch.zeros(2), "next_observations": torch.zeros(2, 1),
            "target_critic": first_feature, "low": BOX[0], "high": BOX[1], "rng": np.random.default_rng(0),
            "gamma": 0.9, "maximizer": SMALL}
    return sampled_q.sampled_targets(**{**args, **overrides})


@pytest.mark.parametrize("overrides, message", [
    ({"gamma": 1.5}, r"gamma must be a discount in \[0, 1\]"),
    ({"rewards": torch.zeros(2, 1)}, r"rewards must have shape \[B\]"),
    ({"terminated": torch.zeros(3)}, r"terminated has batch size 3, expected 2"),
    ({"next_observations": torch.zeros(2, 1, dtype=torch.float64)}, r"observations must be float32"),
    ({"maximizer": sampled_q.Maximizer("adam")}, r"maximizer.method must be 'cem' or 'random_shooting'"),
    ({"low": np.array([1.0], np.float32)}, r"need low < high"),
    ({"rng": 0}, r"rng must be a numpy Generator"),
], ids=["gamma", "rewards_column", "batch_sizes", "float64_observations", "unknown_method", "empty_box", "rng"])
def test_targets_reject_bad_input(overrides, message):
    with pytest.raises((ValueError, TypeError), match=message):
        targets_with(**overrides)


@pytest.mark.parametrize("exploration_std, message", [
    (-0.1, r"exploration_std must be a number >= 0"),
    (True, r"exploration_std must be a number >= 0"),
])
def test_choose_actions_rejects_bad_std(exploration_std, message):
    with pytest.raises(ValueError, match=message):
        sampled_q.choose_actions(slope, torch.zeros(1, 1), *BOX, np.random.default_rng(0), exploration_std, SMALL)


def test_update_rejects_a_column_of_q_values():
    class ColumnCritic(LinearCritic):
        def forward(self, observations, actions):
            return super().forward(observations, actions).unsqueeze(1)

    critic, target_critic = ColumnCritic([1.0, 1.0], 0.0), LinearCritic([1.0, 0.0], 0.0)
    batch = Batch(torch.zeros(3, 1), torch.zeros(3, 1), torch.zeros(3), torch.zeros(3, 1), torch.zeros(3),
                  torch.zeros(3))
    with pytest.raises(ValueError, match=r"q_values must have shape \[B\] = \[3\], got \[3, 1\]"):
        sampled_q.update_critic(critic, target_critic, torch.optim.SGD(critic.parameters(), lr=0.1), batch, *BOX,
                                np.random.default_rng(0), gamma=0.9, tau=0.1, maximizer=SMALL)


# -- the run ---------------------------------------------------------------------------------------
def test_course_config_is_the_reference_default():
    from autograder.parts.sampled_q.secret.cases import COURSE_CONFIG

    defaults = dataclasses.asdict(sampled_q.SampledQConfig())
    defaults["hidden_sizes"] = list(defaults["hidden_sizes"])
    for field in ("seed", "log_every", "log_path", "progress"):
        defaults.pop(field)
    # The grader's budget is shorter than the default run; everything else is the same.
    assert {key: value for key, value in COURSE_CONFIG.items() if key != "total_steps"} == \
        {key: value for key, value in defaults.items() if key != "total_steps"}


def test_train_runs_and_evaluates():
    config = sampled_q.SampledQConfig(total_steps=1_100, learning_starts=1_000, eval_every=100, eval_episodes=1,
                                      solved_return=None, progress=False)
    result = sampled_q.train(config)
    assert result.gradient_steps == 101
    assert [step for step, _ in result.evaluations] == [1_000, 1_100]  # from learning_starts on
    assert result.solved_at is None
