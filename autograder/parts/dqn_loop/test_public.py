"""Public tests for part "dqn_loop" (run them with: python -m autograder check dqn_loop).

These run your ``train`` on a small counting environment with recording stand-ins for the
functions it imports (no learning happens), and check what the loop did.
"""
from __future__ import annotations

import pytest

from autograder.graders.support import load_fixture, points
from autograder.parts.dqn_loop import checks

CASES = load_fixture("public", "dqn_loop")


@pytest.fixture(scope="module")
def hard_run(student):
    return student.call("dqn_loop.schedule", CASES["hard"]["args"], timeout=30)


@points(2)
def test_stores_what_the_environment_did(student, hard_run):
    """every env step is stored once, with its obs, action, reward, next_obs and both flags"""
    checks.check_transitions(hard_run, CASES["hard"]["args"]["config"]["total_steps"])


@points(2)
def test_obs_advances_and_episodes_reset(student, hard_run):
    """obs = next_obs within an episode; a reset after termination and after truncation"""
    checks.check_episode_chaining(hard_run)


@points(2)
def test_gradient_step_schedule(student, hard_run):
    """gradient_steps steps every train_every env steps from learning_starts on, each on one batch"""
    checks.check_gradient_schedule(hard_run, CASES["hard"]["args"]["config"])


@points(1)
def test_hard_target_updates(student, hard_run):
    """hard_update every target_update_every env steps"""
    checks.check_target_schedule(hard_run, CASES["hard"]["args"]["config"])


@points(1)
def test_settings_reach_targets_and_update(student, hard_run):
    """the targets get config.double_q and gamma; update_q_network gets config.loss, huber_delta, max_grad_norm"""
    checks.check_settings(hard_run, CASES["hard"]["args"]["config"])
    config = CASES["settings"]["args"]["config"]
    checks.check_settings(student.call("dqn_loop.schedule", CASES["settings"]["args"], timeout=30), config)


@points(1)
def test_epsilon_greedy_acting(student, hard_run):
    """each action comes from epsilon_greedy with the current epsilon and is the one executed"""
    checks.check_epsilon_and_actions(hard_run, CASES["hard"]["args"]["config"]["total_steps"])
