"""Checks of Q-learning targets shared by parts dqn, double_dqn and n_step (and
:func:`first_match`, which names a mistake, by naf and ddpg)."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.graders.support import call_with_hint, expect, expect_tensor, fail, show

NO_GRAPH = re.compile(r"does not require grad and does not have a grad_fn")
SIZE_MISMATCH = re.compile(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)")
OUT_OF_BOUNDS = re.compile(r"index (\d+) is out of bounds for dimension 1 with size (\d+)")
BATCH_AXIS_HINT = ("One entry per action instead of one per transition: the max (or argmax) was taken "
                   "over the batch axis (dim=0); take it over actions (dim=1).")
# With a batch of one, a result with one entry per action also comes from taking no max at all.
ONE_ROW_AXIS_HINT = ("One entry per action instead of one per transition: the max (or argmax) was taken over "
                     "the batch axis (dim=0), or not taken at all; take it over actions (dim=1).")


def _batch_and_actions(args: dict[str, Any]) -> tuple[int, int] | None:
    """(B, A) of a targets case, read off its [B, A] next-state values."""
    for name in ("next_q_values", "next_q_values_online"):
        if name in args:
            return tuple(np.shape(args[name]))
    return None


def error_hint(message: str, case: dict[str, Any]) -> str:
    """A likely cause, in the student's terms, for a known exception from their code."""
    probe, shape = case["probe"], _batch_and_actions(case["args"])
    if probe == "dqn.fitted_q_chain":
        shape = (2 * case["args"]["states"], 2)  # every (state, action) pair once, two actions
    if NO_GRAPH.search(message):
        return ("The loss has no autograd graph, so backward() has nothing to differentiate. Possible causes: "
                "q_values were computed without a graph (under torch.no_grad(), or detached), or the loss was "
                "rebuilt from plain numbers (.item(), .numpy(), torch.tensor(...)). Compute q_values = "
                "q_network(observations) with autograd on and the loss from them; only the targets are detached.")
    if probe in ("dqn.dqn_targets", "dqn.fitted_q_chain") or probe.startswith("double_dqn."):
        sizes = SIZE_MISMATCH.search(message)
        if sizes and shape and shape[0] != shape[1] and {int(n) for n in sizes.groups()} == set(shape):
            return ("A tensor with one entry per action met one with one entry per transition: the max (or "
                    "argmax) was taken over the batch axis (dim=0), or not taken at all; take it over actions "
                    "(dim=1).")
        index = OUT_OF_BOUNDS.search(message)
        if index and shape:
            # An argmax over the batch axis gives indices up to B - 1, one over the flattened
            # tensor up to B * A - 1: name the one the index fits.
            value, (batch, actions) = int(index.group(1)), shape
            axis = ("over the batch axis (dim=0)" if value < batch else
                    "over the flattened tensor (no dim)" if value < batch * actions else "")
            if axis:
                return (f"An action index of {value}, at least the number of actions ({actions}), as an argmax "
                        f"{axis} can give: take the argmax over actions (dim=1).")
    if probe.startswith("n_step."):
        index = OUT_OF_BOUNDS.search(message)
        if index and index.group(1) == index.group(2):
            return ("An index equal to the window length N: positions run 0 .. N-1, so the last reward "
                    "summed (and its bootstrap) is at position m - 1, not m.")
    return ""


def run(student, case: dict[str, Any]) -> Any:
    """Run one fixture case on the student's code; a known error gets a hint."""
    return call_with_hint(student, case, lambda text: error_hint(text, case))


def first_match(values: np.ndarray, guesses: dict[str, Any]) -> str:
    """The message of the first guess (a plausible wrong answer) that ``values`` equals."""
    for message, guess in guesses.items():
        if guess is not None and np.shape(guess) == np.shape(values) and np.allclose(values, guess, atol=1e-4):
            return message
    return ""


def expect_targets(result: dict[str, Any], case: dict[str, Any], what: str,
                   diagnose: Callable[[np.ndarray], str]) -> None:
    """Shape, dtype and values against the golden case, then no autograd graph."""
    golden = case["golden"]["values"]
    shape = _batch_and_actions(case["args"])
    if shape and shape[0] != shape[1] and result["shape"] in ([shape[1]], [1, shape[1]]):
        hint = ONE_ROW_AXIS_HINT if shape[0] == 1 else BATCH_AXIS_HINT
        fail(f"{what} has shape {result['shape']}; expected {list(golden.shape)}. {hint}")
    if result["shape"] == list(golden.shape) and not np.allclose(result["values"], golden, atol=1e-4, rtol=1e-5):
        fail(f"{what}: expected {show(golden)}, got {show(result['values'])}. {diagnose(result['values'])}".strip())
    expect_tensor(result, golden, what, atol=1e-4)
    expect(not result["requires_grad"],
           f"{what} returned a tensor that requires grad: a gradient would flow through the target. "
           "Detach the next-state values (.detach() or torch.no_grad()) before using them.")


