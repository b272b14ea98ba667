"""Public tests for part "sampled_q" (run them with: python -m autograder check sampled_q)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.sampled_q import checks

CASES = load_fixture("public", "sampled_q")


@points(2)
def test_targets_mask_gamma_and_target_critic(student):
    """sampled_targets maximizes the target critic at s' through maximize, masks with terminated, discounts, carries no gradient"""
    checks.check_targets(student, CASES["targets"])


@points(1)
def test_targets_near_true_max(student):
    """with your cem_argmax, each target is within a guaranteed tolerance of r + gamma * max_a' Q(s', a') (false alarm below 1e-6)"""
    checks.check_targets_near_max(student, CASES["targets_near_max_cem_1d"])


@points(1)
def test_greedy_action_near_argmax(student):
    """choose_actions with exploration_std=0 returns an action inside the box whose Q is near the critic's max"""
    checks.check_greedy_near_max(student, CASES["greedy_near_max_cem_1d"])


@points(2)
def test_exploration_noise_and_bounds(student):
    """exploring actions: the online critic's maximizer action plus N(0, (exploration_std * half-width)^2), clipped to the box (statistical, false alarm below 1e-6)"""
    checks.check_exploration(student, CASES["exploration"])


@points(2)
def test_update_step(student):
    """one update_critic step: targets from the target critic at s', MSE on Q(s, a), the reference's weights and stats, polyak_update(target, online, tau) after the step"""
    checks.check_update(student, CASES["update"])


@points(1)
def test_depends_only_on_rng(student):
    """choose_actions and sampled_targets give the same result for the same rng seed, whatever the global seeds, and update_critic hands its rng to the maximizer"""
    checks.check_replays(student, CASES["replays"])
    checks.check_update_replays(student, CASES["update_replays"])
