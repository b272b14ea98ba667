"""Public tests for part "n_step" (run them with: python -m autograder check n_step)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.n_step import checks

CASES = load_fixture("public", "n_step")


@points(3)
def test_mixed_endings(student):
    """n_step_targets stops at termination (no bootstrap) and at truncation (bootstrap kept)"""
    checks.check_n_step_targets(student, CASES["mixed_endings"])


@points(1)
def test_window_of_one(student):
    """with N=1 n_step_targets is the one-step target"""
    checks.check_n_step_targets(student, CASES["window_of_one"])


@points(2)
def test_n_step_propagates_faster(student):
    """learning: on a sparse-reward chain, 3-step targets reach the start state in fewer iterations than 1-step"""
    checks.check_chain_propagation(student, CASES["chain_n3"], CASES["chain_n1"])
