"""Public tests for part "dueling" (run them with: python -m autograder check dueling)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.dueling import checks

CASES = load_fixture("public", "dueling")


@points(3)
def test_q_values(student):
    """dueling_q_values is V + A - mean_a A: shape [B, A], float32, differentiable, arguments unchanged"""
    checks.check_q_values(student, CASES["q_values"])


@points(2)
def test_mean_over_actions_is_the_value(student):
    """identifiability: Q's mean over each state's actions is V(s), and a constant added to a state's advantages changes nothing"""
    checks.check_identifiability(student, CASES["identifiability"])


@points(1)
def test_gradients_reach_both_streams(student):
    """the gradient of Q(s, a) reaches V(s) and, through the mean, every advantage of s"""
    checks.check_q_gradients(student, CASES["q_gradients"])


@points(2)
def test_streams(student):
    """DuelingQNetwork.streams gives V [B] and A [B, A] from the trunk's features (a batch of one too); gradients reach the trunk and both heads"""
    checks.check_streams(student, CASES["network"])
    checks.check_streams(student, CASES["network_one_state"])
