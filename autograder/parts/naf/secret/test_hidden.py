"""Hidden tests for part "naf"."""
from __future__ import annotations

from autograder.graders.learning import check_solves
from autograder.graders.support import load_fixture, points
from autograder.parts.naf import checks

CASES = load_fixture("hidden", "naf")


@points(1)
def test_lower_triangular_three_and_one_dims(student):
    """lower_triangular with 3 action dimensions (6 entries) and with 1 (L = exp(entry))"""
    checks.check_lower(student, CASES["lower_3d"])
    checks.check_lower(student, CASES["lower_1d"])


@points(1)
def test_q_values_three_and_one_dims(student):
    """naf_q_values with 3 action dimensions and with 1"""
    checks.check_q_values(student, CASES["q_values_3d"])
    checks.check_q_values(student, CASES["q_values_1d"])


@points(1)
def test_q_is_maximal_at_mu_three_dims(student):
    """with 3 action dimensions, Q(mu) = V and the quadratic form read off Q is L L^T"""
    checks.check_landscape(student, CASES["landscape_3d"])


@points(1)
def test_gradients_three_dims(student):
    """gradients reach V, mu and the L entries with 3 action dimensions"""
    checks.check_q_gradients(student, CASES["q_gradients_3d"])


@points(1)
def test_targets_terminal_rows(student):
    """naf_targets ignores huge next-state values at terminal states"""
    checks.check_targets(student, CASES["targets_terminal_and_gamma"])


@points(1)
def test_exploration_one_dim(student):
    """noisy_actions in a one-dimensional box, mu near its upper end"""
    checks.check_exploration(student, CASES["exploration_one_dim"])


@points(2)
def test_update_tau_and_terminals(student):
    """update_naf with tau=0.5, gamma=0.6 and terminal rows, and with the gradient norm clipped"""
    checks.check_update(student, CASES["update_tau_0.5"])
    checks.check_update(student, CASES["update_clipped"])


@points(4)
def test_learns_pendulum(student):
    """learning: your NAF with the course's NAFConfig solves Pendulum-v1 (greedy mean >= -200) on one of 3 seeds"""
    check_solves(student, CASES["pendulum"], "NAFConfig", "NAF", checks.PENDULUM_ADVICE)
