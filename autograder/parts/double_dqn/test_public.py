"""Public tests for part "double_dqn" (run them with: python -m autograder check double_dqn)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.double_dqn import checks

CASES = load_fixture("public", "double_dqn")


@points(3)
def test_double_dqn_targets(student):
    """double_dqn_targets chooses a' with the online network and evaluates it with the target network"""
    checks.check_double_dqn_targets(student, CASES["targets"])


@points(1)
def test_double_dqn_terminal_rows(student):
    """double_dqn_targets drops the bootstrap at terminal states"""
    checks.check_double_dqn_targets(student, CASES["terminal_rows"])


@points(2)
def test_double_q_removes_maximization_bias(student):
    """learning: on the maximization-bias example the DQN target overestimates and yours does not"""
    checks.check_overestimation(student, CASES["overestimation"])
