"""The reference DDPG on tiny networks with hand-computed answers, and its input checks.

The networks are one-parameter-per-input linear stand-ins, so every number below can be
checked on paper: the critic Q(s, a) = w_s * s + w_a * a and the actor mu(s) = c * s, with
one-dimensional observations and actions.
"""
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
sys.path.insert(0, str(REPO / "solutions"))  # ddpg imports replay_buffer and target_network by bare name
try:
    ddpg = load("ddpg")
finally:
    sys.path.remove(str(REPO / "solutions"))


class LinearCritic(nn.Module):
    """Q(s, a) = s @ obs_weight + a @ action_weight: float32 [B] for s [B, 1], a [B, 1]."""

    def __init__(self, obs_weight: float, action_weight: float):
        super().__init__()
        self.obs_weight = nn.Parameter(torch.tensor([obs_weight]))
        self.action_weight = nn.Parameter(torch.tensor([action_weight]))

    def forward(self, observations, actions):
        return observations @ self.obs_weight + actions @ self.action_weight


class ScaleActor(nn.Module):
    """mu(s) = scale * s: float32 [B, 1] for s [B, 1]."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(scale))

    def forward(self, observations):
        return self.scale * observations


def column(*values: float) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32).unsqueeze(1)


OBSERVATIONS = column(1.0, 2.0)
ACTIONS = column(0.5, -1.0)


# -- targets ----------------------------------------------------------------------------------
def test_targets_by_hand():
    # mu'(s') = 0.5 s' = [0.5, 1.5]; Q'(s', mu') = s' + mu' = [1.5, 4.5]; the second row is terminal.
    target_actor, target_critic = ScaleActor(0.5), LinearCritic(1.0, 1.0)
    targets = ddpg.ddpg_targets(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 1.0]), column(1.0, 3.0),
                                target_actor, target_critic, gamma=0.9)
    torch.testing.assert_close(targets, torch.tensor([1.0 + 0.9 * 1.5, 2.0]))
    assert targets.dtype == torch.float32 and not targets.requires_grad
    assert target_actor.scale.grad is None and target_critic.obs_weight.grad is None


# -- losses -----------------------------------------------------------------------------------
def test_critic_loss_and_gradient_by_hand():
    # Q = s + 2a = [2, 0]; targets [1, 1]; errors [1, -1]: loss 1. dL/dw_s = mean(2 e s) = -1,
    # dL/dw_a = mean(2 e a) = 1.5.
    critic = LinearCritic(1.0, 2.0)
    loss = ddpg.critic_loss(critic, OBSERVATIONS, ACTIONS, torch.tensor([1.0, 1.0]))
    assert loss.shape == () and loss.item() == pytest.approx(1.0)
    loss.backward()
    assert critic.obs_weight.grad.item() == pytest.approx(-1.0)
    assert critic.action_weight.grad.item() == pytest.approx(1.5)


def test_actor_loss_and_gradient_by_hand():
    # mu = 0.5 s = [0.5, 1]; Q(s, mu) = s + 2 mu = [2, 4]: loss -3. dL/dc = -mean(2 s) = -3.
    actor, critic = ScaleActor(0.5), LinearCritic(1.0, 2.0)
    loss = ddpg.actor_loss(actor, critic, OBSERVATIONS)
    assert loss.item() == pytest.approx(-3.0)
    loss.backward()
    assert actor.scale.grad.item() == pytest.approx(-3.0)


# -- exploration ------------------------------------------------------------------------------
def test_exploration_is_mu_plus_scaled_normal_from_rng():
    observations = column(0.0, 0.25, 0.5)
    actions = ddpg.exploration_actions(ScaleActor(1.0), observations, 0.1, [-1.0], [1.0], np.random.default_rng(3))
    noise = np.random.default_rng(3).standard_normal((3, 1))
    expected = np.clip(observations.numpy() + 0.1 * noise, -1.0, 1.0)
    np.testing.assert_allclose(actions.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert actions.dtype == torch.float32 and actions.shape == (3, 1) and not actions.requires_grad


def test_exploration_clips_onto_the_bounds():
    actions = ddpg.exploration_actions(ScaleActor(1.0), column(*[0.0] * 200), 10.0, [-0.5], [0.25],
                                       np.random.default_rng(4))
    assert actions.min().item() == -0.5 and actions.max().item() == 0.25
    # With noise std 10 almost every action lands beyond a bound: P(|z| < 0.05) is about 4%.
    assert ((actions == -0.5) | (actions == 0.25)).float().mean().item() > 0.9


# -- one update -------------------------------------------------------------------------------
def test_update_by_hand():
    # Target networks output 0, so the targets are the rewards [1, 1]. The critic step is the
    # loss above: w_s = 1 - 0.1 * (-1) = 1.1, w_a = 2 - 0.1 * 1.5 = 1.85. Then the actor, with
    # the updated critic: dL/dc = -mean(1.85 s) = -2.775, so c = 0.5 + 0.2775 = 0.7775.
    # Polyak with tau = 0.5 from zero targets halves the new online values.
    actor, critic = ScaleActor(0.5), LinearCritic(1.0, 2.0)
    target_actor, target_critic = ScaleActor(0.0), LinearCritic(0.0, 0.0)
    batch = Batch(OBSERVATIONS, ACTIONS, torch.tensor([1.0, 1.0]), column(5.0, 6.0), torch.tensor([0.0, 0.0]),
                  torch.tensor([0.0, 0.0]))
    stats = ddpg.ddpg_update(actor, critic, target_actor, target_critic,
                             torch.optim.SGD(actor.parameters(), lr=0.1), torch.optim.SGD(critic.parameters(), lr=0.1),
                             batch, gamma=0.9, tau=0.5)
    assert critic.obs_weight.item() == pytest.approx(1.1) and critic.action_weight.item() == pytest.approx(1.85)
    assert actor.scale.item() == pytest.approx(0.7775)
    assert target_critic.obs_weight.item() == pytest.approx(0.55)
    assert target_critic.action_weight.item() == pytest.approx(0.925)
    assert target_actor.scale.item() == pytest.approx(0.38875)
    # Losses before their steps: the critic's is 1; the actor's is -mean((1.1 + 1.85 * 0.5) s) = -3.0375.
    assert stats == pytest.approx({"losses/critic_loss": 1.0, "losses/actor_loss": -3.0375, "losses/q_values": 1.0})


# -- input validation -------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, match", [
    (lambda: ddpg.ddpg_targets(torch.zeros(2), torch.zeros(2), column(1.0, 2.0), ScaleActor(1.0),
                               LinearCritic(1.0, 1.0), gamma=1.5), ValueError, r"gamma must be a discount in \[0, 1\]"),
    (lambda: ddpg.ddpg_targets(torch.zeros(2, 1), torch.zeros(2), column(1.0, 2.0), ScaleActor(1.0),
                               LinearCritic(1.0, 1.0), gamma=0.9), ValueError, r"rewards must have shape \[B\]"),
    (lambda: ddpg.critic_loss(LinearCritic(1.0, 1.0), OBSERVATIONS, torch.zeros(2), torch.zeros(2)),
     ValueError, r"actions must have shape \[B, action_dim\]"),
    (lambda: ddpg.critic_loss(LinearCritic(1.0, 1.0), OBSERVATIONS, ACTIONS, torch.zeros(2, 1)),
     ValueError, r"targets must have shape \[B\]"),
    (lambda: ddpg.actor_loss(ScaleActor(1.0), LinearCritic(1.0, 1.0), torch.zeros(2)),
     ValueError, r"observations must have shape \[B, obs_dim\]"),
    (lambda: ddpg.exploration_actions(ScaleActor(1.0), OBSERVATIONS, 0.0, [-1.0], [1.0], np.random.default_rng(0)),
     ValueError, r"noise_std must be a positive number"),
    (lambda: ddpg.exploration_actions(ScaleActor(1.0), OBSERVATIONS, 0.1, [1.0], [-1.0], np.random.default_rng(0)),
     ValueError, r"need low < high"),
    (lambda: ddpg.exploration_actions(ScaleActor(1.0), OBSERVATIONS, 0.1, [-1.0], [1.0], 0),
     TypeError, r"rng must be a numpy Generator"),
], ids=["gamma", "rewards_column", "actions_flat", "targets_column", "observations_flat", "noise_std_zero",
        "bounds_reversed", "rng_not_generator"])
def test_input_validation(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_update_rejects_tau_outside_unit_interval():
    batch = Batch(OBSERVATIONS, ACTIONS, torch.zeros(2), OBSERVATIONS, torch.zeros(2), torch.zeros(2))
    actor, critic = ScaleActor(0.5), LinearCritic(1.0, 2.0)
    with pytest.raises(ValueError, match=r"tau must be in \[0, 1\].*0\.999 is 1 - tau"):
        ddpg.ddpg_update(actor, critic, ScaleActor(0.5), LinearCritic(1.0, 2.0),
                         torch.optim.SGD(actor.parameters(), lr=0.1), torch.optim.SGD(critic.parameters(), lr=0.1),
                         batch, gamma=0.9, tau=0.999 + 1)


# -- the provided run -------------------------------------------------------------------------
def test_course_config_is_the_reference_default():
    from autograder.parts.ddpg.secret.cases import COURSE_CONFIG

    defaults = dataclasses.asdict(ddpg.DDPGConfig())
    defaults["hidden_sizes"] = list(defaults["hidden_sizes"])
    for field in ("seed", "log_path", "progress"):
        defaults.pop(field)
    assert COURSE_CONFIG == defaults


@pytest.mark.slow
def test_train_runs_and_evaluates():
    """A short run on Pendulum-v1: it reaches the gradient steps and the evaluations."""
    config = ddpg.DDPGConfig(total_steps=1_200, learning_starts=1_000, eval_every=100, eval_episodes=1,
                             solved_return=None, log_every=100, progress=False)
    result = ddpg.train(config)
    assert result.env_steps == 1_200 and result.gradient_steps == 201
    assert [step for step, _ in result.evaluations] == [1_000, 1_100, 1_200]
    assert any({"losses/critic_loss", "losses/actor_loss", "losses/q_values"} <= set(row) for row in result.logger.rows)
