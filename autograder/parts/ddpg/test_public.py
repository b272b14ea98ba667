"""Public tests for part "ddpg" (run them with: python -m autograder check ddpg)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.ddpg import checks

CASES = load_fixture("public", "ddpg")


@points(2)
def test_targets(student):
    """ddpg_targets is r + gamma * (1 - terminated) * Q_targ(s', mu_targ(s')), shape [B], no gradient"""
    checks.check_targets(student, CASES["targets"])


@points(1)
def test_critic_loss(student):
    """critic_loss is the mean of (Q(s, a) - y)**2 at the taken actions, with its gradient"""
    checks.check_critic_loss(student, CASES["critic_loss"])


@points(2)
def test_actor_loss(student):
    """actor_loss is -mean Q(s, mu(s)), and its gradient reaches the actor through the critic"""
    checks.check_actor_loss(student, CASES["actor_loss"])


@points(2)
def test_exploration_noise_is_gaussian(student):
    """exploration_actions adds N(0, noise_std^2) noise to mu(s), fresh per row and dimension (statistical)"""
    checks.check_noise(student, CASES["noise"])


@points(1)
def test_exploration_clipped_to_bounds(student):
    """exploration_actions clips onto [low, high]: inside the box, and clipped as often as expected"""
    checks.check_clipping(student, CASES["clipping"])


@points(1)
def test_exploration_depends_only_on_rng(student):
    """exploration_actions draws its noise from the rng argument only"""
    checks.check_replays(student, CASES["replays"])


@points(2)
def test_update_critic_then_actor(student):
    """ddpg_update takes one critic step, then one actor step; each leaves the other network unchanged"""
    checks.check_update_steps(student, CASES["update"])


@points(1)
def test_update_polyak_both_targets(student):
    """ddpg_update moves both target networks by tau towards their online networks"""
    checks.check_update_targets(student, CASES["update"])
