"""Hidden tests for part "dqn"."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.dqn import checks

CASES = load_fixture("hidden", "dqn")


@points(1)
def test_epsilon_one_is_uniform(student):
    """epsilon_greedy with epsilon=1 picks every action equally often"""
    checks.check_epsilon_greedy(student, CASES["epsilon_1"])


@points(1)
def test_epsilon_two_actions(student):
    """epsilon_greedy with epsilon=0.1 over two actions"""
    checks.check_epsilon_greedy(student, CASES["epsilon_0.1_two_actions"])


@points(1)
def test_epsilon_ties(student):
    """epsilon_greedy with epsilon=0 returns one of the tied maxima"""
    checks.check_epsilon_greedy(student, CASES["epsilon_ties"])


@points(1)
def test_rising_schedule(student):
    """linear_schedule also works from low to high"""
    checks.check_schedule(student, CASES["schedule_rising"])


@points(2)
def test_targets_mask_and_negative_values(student):
    """dqn_targets ignores huge next-state values at terminal states and handles negative Q-values"""
    checks.check_dqn_targets(student, CASES["targets_negative_and_terminal"])


@points(1)
def test_targets_gamma_zero_and_single_row(student):
    """dqn_targets with gamma=0 is the reward; a batch of one stays shape [1]"""
    checks.check_dqn_targets(student, CASES["targets_gamma_0"])
    checks.check_dqn_targets(student, CASES["targets_single_row"])


@points(1)
def test_huber_delta(student):
    """td_loss honours huber_delta=2"""
    checks.check_loss(student, CASES["huber_delta_2"])


@points(1)
def test_update_with_clipping(student):
    """update_q_network reports the gradient norm before clipping and steps with the clipped gradient"""
    checks.check_update(student, CASES["update_step_clipped"])


@points(1)
def test_update_passes_loss_settings(student):
    """update_q_network computes its loss with the loss and huber_delta it is given (mse; huber_delta=2)"""
    checks.check_update(student, CASES["update_step_mse"])
    checks.check_update(student, CASES["update_step_huber_delta_2"])
