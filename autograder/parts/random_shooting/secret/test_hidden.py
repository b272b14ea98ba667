"""Hidden tests for part "random_shooting"."""
from __future__ import annotations

from autograder.graders import continuous
from autograder.graders.support import load_fixture, points
from autograder.parts.random_shooting import checks

CASES = load_fixture("hidden", "random_shooting")
WHAT = "random_shooting(...)"


def near_max(student, name: str) -> None:
    case = CASES[name]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    checks.check_near_max(result, case, WHAT)


@points(1)
def test_near_true_max_1d(student):
    """with 64 samples in 1-D, on an asymmetric box, the result is as close to the maximum as the budget allows"""
    near_max(student, "near_max_1d")


@points(1)
def test_near_true_max_6d(student):
    """with 4096 samples in 6-D, the result is as close to the maximum as the budget allows"""
    near_max(student, "near_max_6d")


@points(1)
def test_near_true_max_multimodal(student):
    """on sums of Gaussian bumps in 3-D (several local maxima), with 4000 samples, the result is as close to the maximum as the budget allows"""
    near_max(student, "bumps_3d")


@points(1)
def test_one_observation_one_sample(student):
    """with B=1 and M=1 the result is that one sample, from one call of one row"""
    case = CASES["one_observation_one_sample"]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    continuous.check_calls(result, case, WHAT, expected_calls=1)
    continuous.check_best_sample(result, case, WHAT)


@points(1)
def test_uniform_in_5d_box(student):
    """in a 5-D box with different ranges per dimension, the samples are uniform (false alarm below 1e-6)"""
    case = CASES["uniform_5d"]
    result = continuous.run(student, case)
    continuous.check_independent_across_observations(result, case, WHAT)
    checks.check_uniform(result, case, WHAT)
