"""Checks on target-network updates, shared by the public and hidden target_network tests.

The probe reports, for every parameter and buffer of the target network, its values and
how it relates to the online network's tensors; these functions compare that report with
the reference's (the golden case) and explain a difference in the student's terms.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.graders.support import expect, fail, show


def _is_buffer(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in ("running_mean", "running_var", "num_batches_tracked")


def expect_target_values(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    """The target's values after the update equal the reference's, tensor by tensor."""
    golden = case["golden"]["target"]
    args = case["args"]
    expect(not report["missing"],
           f"After {action}, the target network lost {report['missing']}: update the tensors "
           "in place instead of replacing or deleting them.")
    for name, expected in golden.items():
        got = report["target"][name]
        if got.shape != expected.shape:
            fail(f"After {action}, target {name} has shape {list(got.shape)} instead of {list(expected.shape)}.")
        if np.allclose(got, expected, atol=1e-5, rtol=1e-5):
            continue
        old = args["target_state"][name].astype(np.float64)
        online = args["online_state"][name].astype(np.float64)
        kind = "buffer" if _is_buffer(name) else "parameter"
        hint = ""
        if np.allclose(got, old):
            hint = (f"It was not changed at all. Make sure every {kind} is updated"
                    + (" (buffers too: iterate over state_dict() or buffers(), not only parameters())."
                       if kind == "buffer" else ", in place (copy_, mul_/add_, lerp_), on the target's own tensors."))
        elif np.allclose(got, online) and "polyak" in action:
            hint = ("It equals the online network's value: this update should only move part of the way.")
        else:
            taus = [call.get("tau") for call in args["calls"] if "tau" in call]
            if taus and len(args["calls"]) == 1:
                tau = taus[0]
                swapped = (1 - tau) * online + tau * old
                if np.allclose(got, swapped, atol=1e-5, rtol=1e-5):
                    hint = (f"It equals {1 - tau:g}*online + {tau:g}*target: tau is on the wrong side. "
                            "Here tau weighs the online network: target <- tau*online + (1-tau)*target.")
            if not hint and name.endswith("num_batches_tracked"):
                hint = "Integer buffers are copied from the online network, not averaged."
        fail(f"After {action}, target {name} should be {show(expected)} but is {show(got)}. {hint}".strip())


def expect_online_unchanged(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    for name, original in case["args"]["online_state"].items():
        if not np.allclose(report["online"][name], original.astype(np.float64)):
            fail(f"{action} changed the online network's {name} (from {show(original)} to "
                 f"{show(report['online'][name])}). Only the target network may be written to: "
                 "check the argument order, target_network first.")


def expect_own_storage(report: dict[str, Any], action: str) -> None:
    shared = sorted(name for name, flag in report["shares_memory"].items() if flag)
    moved = sorted(
        name for name in report["target"]
        if not np.array_equal(report["target"][name], report["target_after_online_moved"][name])
    )
    if shared or moved:
        names = shared or moved
        fail(f"After {action}, the target's {names[:4]} share memory with the online network, so "
             "training the online network moves the target too (there is then no target network "
             "at all). Copy values into the target's own tensors (load_state_dict, copy_) instead "
             "of assigning the online tensors to the target.")


def expect_in_place(report: dict[str, Any], action: str) -> None:
    replaced = sorted(name for name, same in report["same_object"].items() if not same)
    expect(not replaced,
           f"After {action}, the target's {replaced[:4]} are new tensor objects. Update the "
           "existing tensors in place (an optimizer or other code holding the old ones would not "
           "see the change).")


def expect_no_graph(report: dict[str, Any], action: str) -> None:
    with_graph = sorted(name for name, flag in report["has_graph"].items() if flag)
    expect(not with_graph,
           f"After {action}, the target's {with_graph[:4]} carry an autograd graph (grad_fn is set). "
           "Do the update under torch.no_grad(): gradients must never flow into the target network.")
    wrong = sorted(name for name, flag in report["requires_grad"].items()
                   if flag != report["expected_requires_grad"])
    expect(not wrong,
           f"After {action}, requires_grad of the target's {wrong[:4]} changed (it should stay "
           f"{report['expected_requires_grad']}). Update values only, not the tensors' flags.")
