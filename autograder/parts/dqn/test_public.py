"""Public tests for part "dqn" (run them with: python -m autograder check dqn)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.dqn import checks

CASES = load_fixture("public", "dqn")


@points(2)
def test_epsilon_greedy_frequencies(student):
    """epsilon_greedy explores with probability epsilon, uniformly over all actions, each row on its own coin"""
    checks.check_epsilon_greedy(student, CASES["epsilon_0.3"])


@points(1)
def test_epsilon_zero_is_greedy(student):
    """epsilon_greedy with epsilon=0 always returns the argmax of each row"""
    checks.check_epsilon_greedy(student, CASES["epsilon_0"])


@points(1)
def test_linear_schedule(student):
    """linear_schedule moves linearly from start to end over duration, then stays at end"""
    checks.check_schedule(student, CASES["schedule"])


@points(2)
def test_dqn_targets(student):
    """dqn_targets is r + gamma * (1 - terminated) * max_a' Q_target(s', a'), shape [B], no gradient"""
    checks.check_dqn_targets(student, CASES["targets"])


@points(1)
def test_huber_loss(student):
    """td_loss with loss='huber': mean Huber loss of Q(s, a) - y, and its gradient"""
    checks.check_loss(student, CASES["huber_loss"])


@points(1)
def test_mse_loss(student):
    """td_loss with loss='mse': mean of (Q(s, a) - y)**2, and its gradient"""
    checks.check_loss(student, CASES["mse_loss"])


@points(1)
def test_update_q_network(student):
    """update_q_network takes one gradient step on the TD loss and returns its stats"""
    checks.check_update(student, CASES["update_step"])


@points(2)
def test_fitted_q_iteration_converges_to_q_star(student):
    """learning: fitted Q-iteration with your dqn_targets and update_q_network reaches Q* on a chain"""
    checks.check_fitted_q_chain(student, CASES["fitted_q_chain"])
