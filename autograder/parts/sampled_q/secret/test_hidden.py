"""Hidden tests for part "sampled_q"."""
from __future__ import annotations

from autograder.graders.learning import check_solves
from autograder.graders.support import load_fixture, points
from autograder.parts.sampled_q import checks

CASES = load_fixture("hidden", "sampled_q")


@points(1)
def test_targets_random_shooting_2d(student):
    """with maximizer method random_shooting, gamma=0.5 and a 2-D box: exact targets from the target critic"""
    checks.check_targets(student, CASES["targets_random_shooting_2d"])


@points(1)
def test_targets_near_true_max_random_shooting_2d(student):
    """with your random_shooting in 2-D, each target is within what 256 uniform samples guarantee of the true max target"""
    checks.check_targets_near_max(student, CASES["targets_near_max_random_shooting_2d"])


@points(1)
def test_greedy_action_near_argmax_2d(student):
    """with your random_shooting in 2-D, the greedy action's Q is within what 256 uniform samples guarantee of the max"""
    checks.check_greedy_near_max(student, CASES["greedy_near_max_random_shooting_2d"])


@points(1)
def test_exploration_asymmetric_box(student):
    """exploration noise scaled per dimension by the half-width of an asymmetric 2-D box, clipped at its edges"""
    checks.check_exploration(student, CASES["exploration_2d"])


@points(1)
def test_update_step_clipped_2d(student):
    """one update_critic step with gradient clipping active, tau=0.3, random_shooting and 2-D actions"""
    checks.check_update(student, CASES["update_clipped_2d"])


@points(3)
def test_learns_pendulum(student):
    """learning: your whole sampled Q-learning with the course's config solves Pendulum-v1 (greedy return >= -200)"""
    case = CASES["pendulum"]
    check_solves(student, case, "SampledQConfig", "sampled Q-learning", checks.pendulum_advice(case))
