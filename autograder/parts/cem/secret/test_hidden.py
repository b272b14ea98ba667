"""Hidden tests for part "cem"."""
from __future__ import annotations

from autograder.graders import continuous
from autograder.graders.support import load_fixture, points
from autograder.parts.cem import checks

CASES = load_fixture("hidden", "cem")
WHAT = "cem_argmax(...)"


def iterations(student, name: str) -> None:
    case = CASES[name]
    result = continuous.run(student, case)
    continuous.check_calls(result, case, WHAT, expected_calls=case["args"]["settings"]["iterations"])
    continuous.check_evaluated_inside(result, case, WHAT)
    continuous.check_independent_across_observations(result, case, WHAT)
    checks.check_cem_iterations(result, case, WHAT)
    continuous.check_best_sample(result, case, WHAT, rounds="in some iteration")


@points(1)
def test_std_floored_at_min_std(student):
    """when the elites coincide (all clipped onto the best corner, or a single elite), the std stays at min_std instead of 0"""
    iterations(student, "std_floor")
    iterations(student, "single_elite")


@points(1)
def test_initial_std_and_other_settings(student):
    """a given initial_std, 48 samples, 8 elites and 4 iterations on an asymmetric 3-D box"""
    iterations(student, "initial_std_3d")


@points(1)
def test_near_true_max_1d(student):
    """in 1-D with 16 samples, 4 elites and 4 iterations, the gap is as small as a correct CEM's"""
    checks.check_cem_near_max(student, CASES["near_max_1d"], WHAT)


@points(1)
def test_near_true_max_6d(student):
    """in 6-D with 200 samples, 20 elites and 5 iterations, the gap is as small as a correct CEM's"""
    checks.check_cem_near_max(student, CASES["near_max_6d"], WHAT)


@points(1)
def test_near_true_max_multimodal(student):
    """on sums of Gaussian bumps in 2-D (several local maxima), the gap is as small as a correct CEM's"""
    checks.check_cem_near_max(student, CASES["bumps_2d"], WHAT)


@points(1)
def test_beats_random_shooting_6d(student):
    """in 6-D, CEM finds better actions than random shooting with the same number of Q-evaluations"""
    checks.check_cem_beats_random_shooting(student, CASES["beats_random_shooting_6d"], WHAT)
