"""Hidden tests for part "double_dqn"."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.double_dqn import checks

CASES = load_fixture("hidden", "double_dqn")


@points(2)
def test_random_batch(student):
    """double_dqn_targets on a random batch of 32 rows over 5 actions"""
    checks.check_double_dqn_targets(student, CASES["random_batch"])


@points(1)
def test_single_row_gamma_one(student):
    """double_dqn_targets on a batch of one with gamma=1"""
    checks.check_double_dqn_targets(student, CASES["single_row"])
