"""Public tests for part "target_network" (run them with: python -m autograder check target_network)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.target_network import checks

CASES = load_fixture("public", "target_network")


def run(student, name: str) -> dict:
    return checks.run(student, CASES[name])


@points(2)
def test_hard_update_copies_everything(student):
    """hard_update copies every parameter and buffer of the online network"""
    report = run(student, "hard_update")
    checks.expect_target_values(report, CASES["hard_update"], "hard_update")
    checks.expect_online_unchanged(report, CASES["hard_update"], "hard_update")


@points(1)
def test_hard_update_does_not_share_storage(student):
    """after hard_update the target keeps its own memory: training the online net does not move it"""
    report = run(student, "hard_update")
    checks.expect_own_storage(report, CASES["hard_update"], "hard_update")


@points(2)
def test_polyak_tau_0_1(student):
    """polyak_update with tau=0.1 gives 0.1*online + 0.9*target for parameters and buffers"""
    report = run(student, "polyak_tau_0.1")
    checks.expect_target_values(report, CASES["polyak_tau_0.1"], "polyak_update(tau=0.1)")
    checks.expect_online_unchanged(report, CASES["polyak_tau_0.1"], "polyak_update(tau=0.1)")


@points(1)
def test_polyak_extremes(student):
    """polyak_update with tau=1 is a hard copy; with tau=0 it keeps the target's float values"""
    report = run(student, "polyak_tau_1")
    checks.expect_target_values(report, CASES["polyak_tau_1"], "polyak_update(tau=1)")
    checks.expect_own_storage(report, CASES["polyak_tau_1"], "polyak_update(tau=1)")
    report = run(student, "polyak_tau_0")
    checks.expect_target_values(report, CASES["polyak_tau_0"], "polyak_update(tau=0)")
