"""Hidden tests for part "target_network"."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.target_network import checks

CASES = load_fixture("hidden", "target_network")


def run(student, name: str) -> dict:
    return checks.run(student, CASES[name])


@points(1)
def test_polyak_deeper_network(student):
    """polyak_update with tau=0.25 on a deeper network with two BatchNorm layers"""
    report = run(student, "polyak_deeper_tau_0.25")
    checks.expect_target_values(report, CASES["polyak_deeper_tau_0.25"], "polyak_update(tau=0.25)")


@points(1)
def test_polyak_repeated(student):
    """five polyak_update calls compound: the gap to the online net shrinks by (1 - tau)^5"""
    report = run(student, "polyak_repeated")
    checks.expect_target_values(report, CASES["polyak_repeated"], "5 x polyak_update(tau=0.2)")


@points(2)
def test_polyak_no_graph_online_untouched(student):
    """polyak_update records no autograd graph and leaves the online network as it was"""
    report = run(student, "polyak_deeper_tau_0.25")
    checks.expect_online_unchanged(report, CASES["polyak_deeper_tau_0.25"], "polyak_update")
    checks.expect_no_graph(report, CASES["polyak_deeper_tau_0.25"], "polyak_update")


@points(1)
def test_updates_in_place(student):
    """both updates keep the target's tensor objects (in-place updates)"""
    for name, action in (("hard_update_frozen_target", "hard_update"), ("polyak_repeated", "polyak_update")):
        checks.expect_in_place(run(student, name), CASES[name], action)


@points(1)
def test_frozen_target(student):
    """both updates work on a target whose parameters have requires_grad=False"""
    for name, action in (("polyak_frozen_target", "polyak_update(tau=0.5)"),
                         ("hard_update_frozen_target", "hard_update")):
        report = run(student, name)
        checks.expect_target_values(report, CASES[name], action)
        checks.expect_no_graph(report, CASES[name], action)


@points(1)
def test_polyak_keeps_own_storage(student):
    """after polyak_update the target does not share memory with the online network"""
    name = "polyak_deeper_tau_0.25"
    checks.expect_own_storage(run(student, name), CASES[name], "polyak_update(tau=0.25)")


@points(1)
def test_network_without_buffers(student):
    """polyak_update(tau=0.7) on a network with no buffers"""
    report = run(student, "polyak_no_batchnorm")
    checks.expect_target_values(report, CASES["polyak_no_batchnorm"], "polyak_update(tau=0.7)")
