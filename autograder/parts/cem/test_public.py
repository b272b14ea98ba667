"""Public tests for part "cem" (run them with: python -m autograder check cem)."""
from __future__ import annotations

from autograder.graders import continuous
from autograder.graders.support import load_fixture, points
from autograder.parts.cem import checks

CASES = load_fixture("public", "cem")
WHAT = "cem_argmax(...)"


@points(1)
def test_shapes_dtypes_and_bounds(student):
    """cem_argmax returns float32 actions [B, A] and values [B]; every sample evaluated is inside [low, high]"""
    case = CASES["quadratic_2d"]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    continuous.check_evaluated_inside(result, case, WHAT)
    continuous.check_returned_evaluated(result, WHAT)


@points(1)
def test_one_batched_call_per_iteration(student):
    """each iteration evaluates all B*M samples in one q_function call, M per observation, without autograd"""
    case = CASES["quadratic_2d"]
    result = continuous.run(student, case)
    continuous.check_calls(result, case, WHAT, expected_calls=case["args"]["settings"]["iterations"])


@points(1)
def test_returns_best_sample_seen(student):
    """each observation gets the best sample evaluated for it in any iteration, and the value returned is Q there"""
    case = CASES["best_seen_2d"]
    result = continuous.run(student, case)
    continuous.check_layout(result, case, WHAT)
    continuous.check_best_sample(result, case, WHAT, rounds="in some iteration")


@points(2)
def test_iterations_refit_to_elites(student):
    """the first iteration samples around the box's centre; each later one around the previous elites (statistical, false alarm below 1e-6)"""
    case = CASES["iterations_2d"]
    result = continuous.run(student, case)
    continuous.check_calls(result, case, WHAT, expected_calls=case["args"]["settings"]["iterations"])
    continuous.check_evaluated_inside(result, case, WHAT)
    continuous.check_independent_across_observations(result, case, WHAT)
    checks.check_cem_iterations(result, case, WHAT)


@points(2)
def test_near_true_max_2d(student):
    """in 2-D, over 40 seeds, the gap to the true maximum is as small as a correct CEM's (false alarm below 1e-6)"""
    checks.check_cem_near_max(student, CASES["near_max_2d"], WHAT)


@points(1)
def test_beats_random_shooting_4d(student):
    """in 4-D, CEM finds better actions than random shooting with the same number of Q-evaluations"""
    checks.check_cem_beats_random_shooting(student, CASES["beats_random_shooting_4d"], WHAT)


@points(1)
def test_depends_only_on_rng(student):
    """the same rng seed gives the same result, whatever the global seeds; another seed gives another"""
    continuous.check_replays(student, CASES["replays"], WHAT)
