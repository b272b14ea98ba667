"""Hidden tests for part "dqn_loop"."""
from __future__ import annotations

from autograder.graders.learning import check_solves
from autograder.graders.support import load_fixture, points
from autograder.parts.dqn_loop import checks

CASES = load_fixture("hidden", "dqn_loop")


def run(student, name: str):
    return student.call("dqn_loop.schedule", CASES[name]["args"], timeout=30)


@points(2)
def test_polyak_after_every_gradient_step(student):
    """with target_update='polyak': polyak_update(tau) after every gradient step, no hard copies"""
    config = CASES["polyak"]["args"]["config"]
    report = run(student, "polyak")
    checks.check_gradient_schedule(report, config)
    checks.check_target_schedule(report, config)


@points(1)
def test_online_q_learning_setting(student):
    """online Q-learning as a setting: capacity 1, one gradient step and one copy per env step"""
    config = CASES["online"]["args"]["config"]
    report = run(student, "online")
    checks.check_transitions(report, config["total_steps"])
    checks.check_gradient_schedule(report, config)
    checks.check_target_schedule(report, config)


@points(3)
def test_learns_cartpole(student):
    """learning: your whole DQN with the course's config solves CartPole-v1 (greedy return >= 475)"""
    check_solves(student, CASES["cartpole"], "DQNConfig", "DQN", checks.CARTPOLE_ADVICE)
