"""Public tests for part "random_shooting" (run them with: python -m autograder check random_shooting)."""
from __future__ import annotations

from autograder.graders import continuous
from autograder.graders.support import load_fixture, points
from autograder.parts.random_shooting import checks

CASES = load_fixture("public", "random_shooting")
WHAT = "random_shooting(...)"


@points(1)
def test_shapes_dtypes_and_bounds(student):
    """random_shooting returns float32 actions [B, A] inside [low, high] and float32 values [B]"""
    case = CASES["quadratic_2d"]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    continuous.check_evaluated_inside(result, case, WHAT)
    continuous.check_returned_evaluated(result, WHAT)


@points(1)
def test_one_batched_call(student):
    """random_shooting evaluates all B*M samples in one q_function call, M per observation, without autograd"""
    case = CASES["quadratic_2d"]
    continuous.check_calls(continuous.run(student, case), case, WHAT, expected_calls=1)


@points(1)
def test_returns_best_sample_and_its_value(student):
    """each observation gets the best of its own samples, and the value returned is Q there"""
    case = CASES["quadratic_2d"]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    continuous.check_best_sample(result, case, WHAT)


@points(1)
def test_samples_uniform_and_independent(student):
    """the samples are uniform in the box (statistical, false alarm below 1e-6) and each observation has its own"""
    case = CASES["uniform_3d"]
    result = continuous.run(student, case)
    continuous.check_calls(result, case, WHAT, expected_calls=1)
    continuous.check_independent_across_observations(result, case, WHAT)
    checks.check_uniform(result, case, WHAT)


@points(1)
def test_near_true_max_2d(student):
    """with 1000 samples in 2-D, every observation's result is as close to the maximum as the budget allows"""
    case = CASES["near_max_2d"]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    checks.check_near_max(result, case, WHAT)


@points(1)
def test_depends_only_on_rng(student):
    """the same rng seed gives the same result, whatever the global seeds; another seed gives another"""
    continuous.check_replays(student, CASES["replays"], WHAT)
