"""Checks on target-network updates, shared by the public and hidden target_network tests.

The probe reports, for every parameter and buffer of the target network, its values and
raw facts about the tensor (which object it is and which storage it uses, as labels; its
grad_fn and requires_grad); these functions judge them, compare the values with the
reference's (the golden case) and explain a difference in the student's terms. A property
of an update (its own memory, in place, no graph) counts only once the update gave the
expected values: a target that nothing touched has all of them.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograder.graders.support import call_with_hint, expect, fail, hint_from_table, show
from autograder.sandbox import StudentError

# (pattern, hint): an exception from the student's code whose message matches the pattern
# gets the hint.
ERROR_HINTS = (
    (r"leaf Variable that requires grad is being used in an in-place operation",
     "Do the update under torch.no_grad(): autograd does not allow changing a parameter that "
     "requires grad in place, and the target update must not be recorded anyway."),
    (r"output type Long|for 'Long'",
     "BatchNorm's num_batches_tracked is an integer buffer (int64) and cannot be averaged: "
     "average only floating-point tensors (tensor.is_floating_point()) and copy the integer "
     "buffers from the online network."),
)
# torch raises NotImplementedError for an operation it has no kernel for on a dtype; that is
# a bug in the student's code, not the stub's "not implemented yet".
TORCH_KERNEL_MISSING = re.compile(r"not implemented for '\w+'")


def run(student, case: dict[str, Any]) -> dict:
    """Run one fixture case on the student's update functions; a known error gets a hint."""
    try:
        return call_with_hint(student, case, hint_from_table(ERROR_HINTS))
    except StudentError as error:
        # torch raises NotImplementedError for kernels it lacks (lerp_ on an int64 tensor):
        # that is the student's code failing, not an untouched stub.
        if error.kind == "not_implemented" and TORCH_KERNEL_MISSING.search(error.info.get("message", "")):
            error.info = dict(error.info, kind="exception")
            hint = hint_from_table(ERROR_HINTS)(error.info.get("message", ""))
            if hint:
                error.info["message"] = f"{error.info['message'].rstrip('.')}. {hint}"
        raise


def _is_buffer(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in ("running_mean", "running_var", "num_batches_tracked")


def _polyak_taus(case: dict[str, Any]) -> list[float]:
    return [call["tau"] for call in case["args"]["calls"] if call["fn"] == "polyak_update"]


def _step_fraction(got: np.ndarray, old: np.ndarray, online: np.ndarray) -> float | None:
    """The f with got = old + f * (online - old) elementwise, if a single f explains them all."""
    gap = (online - old).reshape(-1)
    if not np.any(np.abs(gap) > 1e-3):
        return None
    fraction = float(np.dot((got - old).reshape(-1), gap) / np.dot(gap, gap))
    return fraction if np.allclose(got, old + fraction * (online - old), atol=1e-5, rtol=1e-5) else None


def _explain_tensor(name: str, got: np.ndarray, case: dict[str, Any], action: str,
                    report: dict[str, Any]) -> str:
    """The likely cause of one wrong tensor, in the student's terms ("" if unknown)."""
    args = case["args"]
    old = args["target_state"][name].astype(np.float64)
    online = args["online_state"][name].astype(np.float64)
    kind = "buffer" if _is_buffer(name) else "parameter"
    taus = _polyak_taus(case)
    floats_unchanged = all(np.allclose(report["target"][other], value) for other, value in args["target_state"].items()
                           if np.issubdtype(value.dtype, np.floating))
    if floats_unchanged and kind == "parameter" and taus and all(tau == 1 for tau in taus):
        return ("tau=1 must copy the online network, but this parameter did not move: it looks "
                "like tau is on the wrong side (no floating-point tensor moved). Here tau weighs the online "
                "network: target <- tau*online + (1-tau)*target.")
    if np.allclose(got, old) and name.endswith("num_batches_tracked") and taus and all(tau == 0 for tau in taus):
        return ("Integer buffers are copied from the online network at any tau, tau=0 included "
                "(tau=0 keeps only the floating-point values): an early return at tau=0 skips "
                "that copy.")
    if np.allclose(got, old):
        return (f"It was not changed at all. Make sure every {kind} is updated"
                + (" (buffers too: iterate over state_dict() or buffers(), not only parameters())."
                   if kind == "buffer" else ", in place (copy_, mul_/add_, lerp_), on the target's own tensors."))
    if np.allclose(got, online) and "polyak" in action:
        return "It equals the online network's value: this update should only move part of the way."
    if np.issubdtype(case["golden"]["target"][name].dtype, np.integer):
        return ("It is neither the target's old value nor the online network's: integer buffers are copied from "
                "the online network, not averaged.")
    fraction = _step_fraction(got, old, online)
    calls = args["calls"]
    if fraction is None:
        return ""
    if not taus:
        return (f"It moved {fraction:.3g} of the way from the target towards the online network; a "
                "hard update copies the online values exactly.")
    if len(taus) != len(calls) or len(set(taus)) != 1 or fraction >= 1:
        return ""
    tau = taus[0]
    # n calls that each move a fraction f leave a gap of (1 - f)^n.
    step = 1 - (1 - fraction) ** (1 / len(calls))
    each = " with each call" if len(calls) > 1 else ""
    if abs(step - (1 - tau)) < 1e-4:
        return (f"It moved {1 - tau:g} of the way towards the online network{each}, i.e. "
                f"{1 - tau:g}*online + {tau:g}*target: tau is on the wrong side. Here tau weighs "
                "the online network: target <- tau*online + (1-tau)*target.")
    return (f"It moved {step:.3g} of the way from the target towards the online network{each}, "
            f"instead of tau={tau:g}: use the tau argument as the weight on the online network, "
            "target <- tau*online + (1-tau)*target.")


def _missing(report: dict[str, Any]) -> list[str]:
    """The target's parameters and buffers that the update made disappear."""
    return sorted(set(report["names_before"]) - set(report["names_after"]))


def expect_target_values(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    """The target's values after the update equal the reference's, tensor by tensor."""
    golden = case["golden"]["target"]
    args = case["args"]
    missing = _missing(report)
    expect(not missing,
           f"After {action}, the target network lost {missing}: update the tensors "
           "in place instead of replacing or deleting them.")
    for name, expected in golden.items():
        got = report["target"][name]
        if got.shape != expected.shape:
            fail(f"After {action}, target {name} has shape {list(got.shape)} instead of {list(expected.shape)}.")
    wrong = [name for name, expected in golden.items()
             if not np.allclose(report["target"][name], expected, atol=1e-5, rtol=1e-5)]
    if not wrong:
        return
    # Causes that concern the whole network explain the failure better than any one tensor.
    expect_online_unchanged(report, case, action)
    unchanged = all(np.array_equal(report["target"][name], args["target_state"][name]) for name in golden)
    floats_should_move = any(
        not np.allclose(expected, args["target_state"][name]) for name, expected in golden.items()
        if np.issubdtype(expected.dtype, np.floating))
    if unchanged and floats_should_move:
        fail(f"{action} left the target network exactly as it was: no parameter or buffer changed. "
             "Assigning to a name inside the function only rebinds that name (target_network = "
             "copy.deepcopy(online_network), or param = ... on a loop variable), and updating a "
             "clone or a copy of the state dict never reaches the network. Write into the "
             "target's own tensors in place: copy_, lerp_ or mul_/add_ under torch.no_grad(), "
             "or load_state_dict.")
    name = wrong[0]
    got = report["target"][name]
    hint = _explain_tensor(name, got, case, action, report)
    fail(f"After {action}, target {name} should be {show(golden[name])} but is {show(got)}. {hint}".strip())


def expect_online_unchanged(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    for name, original in case["args"]["online_state"].items():
        if not np.allclose(report["online"][name], original.astype(np.float64)):
            fail(f"{action} changed the online network's {name} (from {show(original)} to "
                 f"{show(report['online'][name])}). Only the target network may be written to: "
                 "check the argument order (target_network first) and that nothing writes into "
                 "online_network's tensors.")


def expect_update_done(report: dict[str, Any], case: dict[str, Any], action: str, checked: str) -> None:
    """A property of an update (``checked``: "keeps its own memory", ...) earns its points only
    once the update took place: a target that nothing touched has every such property."""
    golden = case["golden"]["target"]
    start = case["args"]["target_state"]
    missing = sorted(set(golden) - set(report["target"])) or _missing(report)
    expect(not missing,
           f"After {action}, the target network lost {missing[:4]}, so this test cannot check that the "
           f"update {checked}.")
    unchanged = all(np.shape(report["target"][name]) == np.shape(start[name])
                    and np.array_equal(report["target"][name], start[name]) for name in golden)
    expect(not unchanged,
           f"After {action}, no parameter or buffer of the target network changed: the update did not "
           f"happen. This test checks that the update {checked}, which counts only once the update "
           "gives the expected values.")
    for name, expected in golden.items():
        got = report["target"][name]
        if np.shape(got) != np.shape(expected) or not np.allclose(got, expected, atol=1e-5, rtol=1e-5):
            fail(f"After {action}, target {name} should be {show(expected)} but is {show(got)}. This test "
                 f"checks that the update {checked}, which counts only once the update gives the "
                 "expected values.")


def expect_own_storage(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    expect_update_done(report, case, action, "leaves the target with its own memory")
    online_storages = set(report["storages_online"].values())
    shared = sorted(name for name, label in report["storages_target"].items()
                    if label in online_storages and np.size(report["target"][name]) > 0)
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


def expect_in_place(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    expect_update_done(report, case, action, "writes into the target's existing tensors")
    replaced = sorted(name for name, label in report["objects_before"].items()
                      if report["objects_after"].get(name) != label)
    expect(not replaced,
           f"After {action}, the target's {replaced[:4]} are new tensor objects. Update the "
           "existing tensors in place (an optimizer or other code holding the old ones would not "
           "see the change).")


def expect_no_graph(report: dict[str, Any], case: dict[str, Any], action: str) -> None:
    expect_update_done(report, case, action, "records no autograd graph")
    with_graph = sorted(name for name, grad_fn in report["grad_fn"].items() if grad_fn is not None)
    expect(not with_graph,
           f"After {action}, the target's {with_graph[:4]} carry an autograd graph (grad_fn is set). "
           "Do the update under torch.no_grad(): gradients must never flow into the target network.")
    # Parameters are built with requires_grad=True, unless the case froze the target first.
    expected = not case["args"]["freeze_target"]
    wrong = sorted(name for name, flag in report["requires_grad"].items()
                   if not _is_buffer(name) and flag != expected)
    expect(not wrong,
           f"After {action}, requires_grad of the target's {wrong[:4]} changed (it should stay "
           f"{expected}). Update values only, not the tensors' flags.")
