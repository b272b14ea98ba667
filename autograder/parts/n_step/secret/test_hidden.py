"""Hidden tests for part "n_step"."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.n_step import checks

CASES = load_fixture("hidden", "n_step")


@points(2)
def test_random_windows(student):
    """n_step_targets on 40 random windows of length 4"""
    checks.check_n_step_targets(student, CASES["random_windows"])


@points(1)
def test_next_episode_is_ignored(student):
    """n_step_targets ignores the rewards and values of the next episode in the window"""
    checks.check_n_step_targets(student, CASES["episode_end_then_next_episode"])


@points(1)
def test_long_window(student):
    """n_step_targets with N=6 and gamma=0.99"""
    checks.check_n_step_targets(student, CASES["gamma_0.99_long_window"])
