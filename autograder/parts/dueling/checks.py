"""Checks of part "dueling": the dueling head, the network's two streams, and learning.

Every expected value is computed here, from the case's inputs or from the weights the probe
sends back with the network's outputs: Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a'), and for
the streams a plain numpy forward (and backward) pass through the trunk and the heads. When
a value is wrong, the message names the first plausible mistake that reproduces it exactly
(a guess computed here from the same inputs), and a message that explains what goes wrong
quotes what the student's code was measured to do.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograder.graders.q_targets import first_match
from autograder.graders.support import call_with_hint, expect, expect_close, expect_tensor, fail, show

ATOL = 1e-4  # float32 sums of a few terms of size up to 10

SIZES = re.compile(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension 1")
LEAF_IN_PLACE = re.compile(r"leaf Variable that requires grad is being used in an in-place operation")
MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied")

MEAN_CONVENTION = ("This kit's convention, the one the paper's experiments use, is the mean: subtract "
                   "advantages.mean(dim=1, keepdim=True).")

CARTPOLE_ADVICE = ("This check trains your DuelingQNetwork with your own DQN (dqn_loop.train and the parts it "
                   "imports), so if dqn_loop's own CartPole check fails, fix that first; the dueling tests above "
                   "judge dueling_q_values and streams alone. Your loop builds the dueling network through the name "
                   "QNetwork that dqn_loop.py imports: keep the provided line q_network = QNetwork(...).")


def error_hint(message: str) -> str:
    """A likely cause, in the student's terms, for a known exception from their code."""
    if SIZES.search(message):
        return ("A tensor with one entry per state met one with an entry per state and action, and broadcasting "
                "lined it up with the actions axis: values [B], or a mean over actions taken without "
                "keepdim=True, was combined with advantages [B, A]. Give each per-state tensor an axis of size 1 "
                "([B, 1]): values.unsqueeze(1), advantages.mean(dim=1, keepdim=True).")
    if LEAF_IN_PLACE.search(message):
        return ("An argument was changed in place (-=, sub_(), index assignment): compute a new tensor instead, "
                "e.g. advantages - advantages.mean(dim=1, keepdim=True).")
    if MATMUL.search(message):
        return ("A layer got input of the wrong width: both heads take the trunk's features, features = "
                "self.trunk(observations), not the observations, and the trunk is applied once.")
    return ""


def run(student, case: dict[str, Any], timeout: float = 20) -> Any:
    return call_with_hint(student, case, error_hint, timeout=timeout)


def dueling(values: np.ndarray, advantages: np.ndarray) -> np.ndarray:
    """Q [B, A] = V [B] + A [B, A] - each row's mean of A, in float64."""
    return values[:, None] + advantages - advantages.mean(axis=1, keepdims=True)


# -- the dueling head ------------------------------------------------------------------------
NO_SUBTRACTION = ("No mean was subtracted: Q = V + A. Then V and A are not identifiable (a constant moved from "
                  "every A(s, .) into V(s) gives the same Q), so nothing makes the value stream learn the "
                  "state's value. Subtract each state's mean advantage over its actions.")
MAX_SUBTRACTED = ("The max advantage was subtracted (Q = V + A - max_a A), the paper's first form. It pins V and A "
                  "down too, but V(s) is then the best action's value, and the advantages must follow every change "
                  "of which action is best; subtracting the mean only asks them to follow their average, which "
                  "trains more steadily. " + MEAN_CONVENTION)
BATCH_AXIS = ("The mean was taken over the batch axis (dim=0), mixing different states: each state's advantages "
              "are centred on their own mean over its actions, advantages.mean(dim=1, keepdim=True).")
ADVANTAGES_LEFT_OUT = ("Q does not depend on the advantages: every action of a state gets V(s). The centred "
                       "advantages A(s, a) - mean_a' A(s, a') are what tell a state's actions apart; add them to V(s).")


def q_guesses(values: np.ndarray, advantages: np.ndarray) -> dict[str, np.ndarray | None]:
    """Plausible wrong Q's for these streams, each with the message that names it."""
    batch, actions = advantages.shape
    square = batch == actions
    mean = advantages.mean(axis=1, keepdims=True)
    return {
        NO_SUBTRACTION: values[:, None] + advantages,
        MAX_SUBTRACTED: values[:, None] + advantages - advantages.max(axis=1, keepdims=True),
        BATCH_AXIS: values[:, None] + advantages - advantages.mean(axis=0, keepdims=True),
        "The mean of every advantage of the batch was subtracted (a mean over no particular axis): each state's "
        "advantages are centred on their own mean over its actions, advantages.mean(dim=1, keepdim=True).":
            values[:, None] + advantages - advantages.mean(),
        "values [B] was added to advantages [B, A] as it is, so broadcasting added V of state j to action j of "
        "every state (a silent mix-up when B = A): values.unsqueeze(1) is [B, 1], one V per state.":
            values[None, :] + advantages - mean if square else None,
        "The mean over actions was taken without keepdim=True, so the [B] means were subtracted along the "
        "actions axis, state j's mean from action j of every state (a silent mix-up when B = A): use "
        "advantages.mean(dim=1, keepdim=True), [B, 1].":
            values[:, None] + advantages - mean[:, 0][None, :] if square else None,
        "V(s) is missing: Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a').": advantages - mean,
        ADVANTAGES_LEFT_OUT: np.broadcast_to(values[:, None], advantages.shape),
        "The mean advantage was added instead of subtracted.": values[:, None] + advantages + mean,
    }


def only_match(values: np.ndarray, guesses: dict[str, Any]) -> str:
    """The message of the guess that ``values`` equals; when several do (inputs that cannot
    tell those mistakes apart, such as a single action), all of them, said as such."""
    matches = [message for message, guess in guesses.items()
               if guess is not None and np.shape(guess) == np.shape(values) and np.allclose(values, guess, atol=ATOL)]
    if len(matches) > 1:
        return ("Your result equals what each of these mistakes gives (these inputs cannot tell them apart): "
                + " Or: ".join(matches))
    return matches[0] if matches else ""


def check_q_values(student, case: dict[str, Any]) -> None:
    """dueling_q_values against V + A - mean_a A: shape [B, A], float32, values, autograd graph,
    arguments unchanged."""
    result = run(student, case)
    values, advantages = (case["args"][name].astype(np.float64) for name in ("values", "advantages"))
    expected = dueling(values, advantages)
    what = f"dueling_q_values(values [{len(values)}], advantages {list(advantages.shape)})"
    if result["shape"] == list(expected.shape) and not np.allclose(result["values"], expected, atol=ATOL, rtol=1e-5):
        fail(f"{what}: expected V + A - mean_a A = {show(expected)}, got {show(result['values'])}. "
             f"{only_match(result['values'], q_guesses(values, advantages))}".strip())
    if result["shape"] == [len(values), len(values)] and list(expected.shape) != result["shape"]:
        fail(f"{what} has shape {result['shape']}; expected {list(expected.shape)}. A [B, B] result: a [B] tensor "
             "(values, or a mean over actions taken without keepdim=True) met a [B, 1] one and broadcast into "
             "[B, B]. Give each per-state tensor the shape [B, 1]: values.unsqueeze(1), "
             "advantages.mean(dim=1, keepdim=True).")
    expect_tensor(result, expected, what, atol=ATOL)
    expect(result["requires_grad"],
           f"{what} returned a tensor without an autograd graph, so no gradient would reach the two streams: "
           "compute Q from values and advantages with torch operations (no .detach(), .item(), numpy or "
           "torch.no_grad()).")
    if result["changed"]:
        fail(f"{what} returned the right Q-values but changed its argument(s) {', '.join(result['changed'])} in "
             "place: the caller's tensors must stay as they were (the network's V and A are read again, to plot "
             "them for instance). Compute a new tensor (advantages - ...) instead of -=, sub_() or index "
             "assignment.")


def _expect_shape(plain: dict[str, Any], shape: tuple[int, ...], what: str) -> None:
    if plain["shape"] != list(shape):
        fail(f"{what} has shape {plain['shape']}; expected {list(shape)}, one Q-value per state and action.")


def check_identifiability(student, case: dict[str, Any]) -> None:
    """Q's mean over the actions of each state is V(s), and adding a constant to all the
    advantages of a state leaves its Q unchanged: given Q, V and A are determined."""
    result = run(student, case)
    values, advantages, shifts = (case["args"][name].astype(np.float64) for name in ("values", "advantages", "shifts"))
    what = f"dueling_q_values(values [{len(values)}], advantages {list(advantages.shape)})"
    plain = result["q"]
    _expect_shape(plain, advantages.shape, what)
    q = plain["values"]
    expect(bool(np.all(np.isfinite(q))), f"{what} contains NaN or inf: {show(q)}.")
    means = q.mean(axis=1)
    if not np.allclose(means, values, atol=ATOL, rtol=1e-5):
        traded = result["q_traded"]
        if np.allclose(q, values[:, None] + advantages, atol=ATOL, rtol=1e-5):
            row, shift = 0, shifts[0]
            measured = ""
            if traded["shape"] == plain["shape"] and np.allclose(traded["values"], q, atol=ATOL, rtol=1e-5):
                measured = (f" Measured on your code: with c = {shift:g} moved from every advantage of state 0 "
                            f"into its value (V + c, A - c), it returned the same Q for state 0, {show(traded['values'][0])}; "
                            "so did it for every state. A loss on Q cannot tell the two heads apart, and they can drift "
                            "by any constant while Q stays put.")
            fail(f"Q's mean over the actions of each state should be V(s) = {show(values)}, but yours gives "
                 f"{show(means)}: your Q is V + A, with nothing subtracted. Then V and A are not identifiable: they "
                 f"are only defined up to a constant.{measured} Subtract each state's mean advantage over its actions "
                 "(advantages.mean(dim=1, keepdim=True)); then mean_a Q(s, a) = V(s), and Q determines both streams.")
        hint = only_match(q, {MAX_SUBTRACTED: values[:, None] + advantages - advantages.max(axis=1, keepdims=True),
                               BATCH_AXIS: values[:, None] + advantages - advantages.mean(axis=0, keepdims=True)})
        fail(f"Q's mean over the actions of each state should be V(s) = {show(values)}, but yours gives {show(means)}. "
             "With Q = V + A - mean_a A, the centred advantages of each state average to 0, so V(s) is exactly the "
             f"mean of Q(s, .). {hint}".strip())
    # Q's mean over actions is V, and a shift of A changes nothing, even for a Q that ignores the
    # advantages or rescales them: what is left of Q around V must be the centred advantages.
    centred = advantages - advantages.mean(axis=1, keepdims=True)
    around_mean = q - means[:, None]
    if not np.allclose(around_mean, centred, atol=ATOL, rtol=1e-5):
        row = int(np.argmax(np.abs(around_mean - centred).max(axis=1)))
        cause = (ADVANTAGES_LEFT_OUT if np.allclose(around_mean, 0.0, atol=ATOL)
                 else "The centred advantages should be added as they are (not rescaled, normalized or transformed).")
        fail(f"Q(s, a) - V(s) should be the centred advantages A(s, a) - mean_a' A(s, a'); for state {row} they are "
             f"{show(centred[row])}, and yours gives {show(around_mean[row])}. From Q, V(s) is its mean over the "
             f"actions and the centred advantages are what remains, so Q(s, a) - Q(s, a') = A(s, a) - A(s, a'). "
             f"{cause}")
    shifted = result["q_advantages_shifted"]
    _expect_shape(shifted, advantages.shape, what)
    if not np.allclose(shifted["values"], q, atol=ATOL, rtol=1e-5):
        change = np.abs(shifted["values"] - q).max(axis=1)
        row = int(np.argmax(change))
        fail(f"Adding c = {shifts[row]:g} to every advantage of state {row} changed its Q-values from "
             f"{show(q[row])} to {show(shifted['values'][row])}. The advantages of a state are only defined up to "
             "such a constant, which the mean subtraction removes: Q must not depend on it. Centre each state's "
             "advantages on their own mean over its actions (dim=1).")


def check_q_gradients(student, case: dict[str, Any]) -> None:
    """The gradient of sum_b w_b Q(s_b, a_b) is w_b for V(s_b) and w_b (1[a = a_b] - 1/A)
    for A(s_b, a): every advantage of a state moves all of its Q-values through the mean."""
    result = run(student, case)
    args = case["args"]
    values, advantages = args["values"].astype(np.float64), args["advantages"].astype(np.float64)
    actions, weights = args["actions"], args["weights"].astype(np.float64)
    num_actions = advantages.shape[1]
    taken = np.eye(num_actions)[actions]
    expected = {"values": weights, "advantages": weights[:, None] * (taken - 1.0 / num_actions)}
    causes = {
        "values": "V does not reach Q: compute Q from the `values` argument without .detach(), .item() or numpy.",
        "advantages": "A does not reach Q: compute Q from the `advantages` argument without .detach(), .item() or "
                      "numpy.",
    }
    for name in ("values", "advantages"):
        if result[name] is None or not np.any(result[name]):
            fail(f"The gradient of Q with respect to {name} is {'missing' if result[name] is None else 'zero'}. "
                 f"{causes[name]}")
    what = "the gradient of sum_b w_b Q(s_b, a_b) with respect to"
    expect_close(result["values"], expected["values"], f"{what} values", atol=ATOL,
                 hint="Each V(s) is added once to every Q(s, a) of its state.")
    got = result["advantages"]
    if got.shape == expected["advantages"].shape and not np.allclose(got, expected["advantages"], atol=ATOL):
        best = np.eye(num_actions)[advantages.argmax(axis=1)]
        q = np.asarray(result["q"], dtype=np.float64)
        right_q = q.shape == advantages.shape and np.allclose(q, dueling(values, advantages), atol=ATOL, rtol=1e-5)
        sum_q = q.shape == advantages.shape and np.allclose(q, values[:, None] + advantages, atol=ATOL, rtol=1e-5)
        without_mean = ("It is the gradient of V + A. " + (
            "Your Q-values are right, so no gradient flows through the mean advantage: it was detached or computed "
            "from plain numbers (.item(), numpy). The mean is part of Q: through it, each A(s, a) also moves every "
            "other Q(s, a') of its state, by -1/A." if right_q else
            "Your Q-values are V + A too: no mean was subtracted (the tests of the Q-values say more)." if sum_q else
            "If the tests of the Q-values fail, fix them first."))
        hint = first_match(got, {
            without_mean: weights[:, None] * taken,
            "It is the gradient of V + A - max_a A: the max advantage was subtracted. " + MEAN_CONVENTION:
                weights[:, None] * (taken - best),
        })
        fail(f"{what} advantages: expected w_b (1[a = a_b] - 1/A) = {show(expected['advantages'])}, got "
             f"{show(got)}. {hint or 'If the tests of the Q-values fail, fix them first.'}")
    expect_close(got, expected["advantages"], f"{what} advantages", atol=ATOL)


# -- the network's streams --------------------------------------------------------------------
def _trunk_layers(weights: dict[str, np.ndarray]) -> list[str]:
    """The prefixes of the trunk's linear layers, in order (``trunk.0``, ``trunk.2``, ...)."""
    indices = sorted(int(name.split(".")[1]) for name in weights if name.startswith("trunk.") and name.endswith(".weight"))
    return [f"trunk.{index}" for index in indices]


def kit_streams(weights: dict[str, np.ndarray], observations: np.ndarray) -> dict[str, Any]:
    """The trunk's activations and both streams, computed here from the network's weights."""
    hidden, pre_activations, inputs = observations.astype(np.float64), [], []
    for layer in _trunk_layers(weights):
        inputs.append(hidden)
        pre_activations.append(hidden @ weights[f"{layer}.weight"].T + weights[f"{layer}.bias"])
        hidden = np.maximum(pre_activations[-1], 0.0)
    values = (hidden @ weights["value_head.weight"].T + weights["value_head.bias"])[:, 0]
    advantages = hidden @ weights["advantage_head.weight"].T + weights["advantage_head.bias"]
    return {"features": hidden, "inputs": inputs, "pre": pre_activations, "values": values, "advantages": advantages}


def kit_gradients(weights: dict[str, np.ndarray], forward: dict[str, Any], value_weights: np.ndarray,
                  advantage_weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every parameter's gradient of sum_b w_b V(s_b) + sum_b,a u_b,a A(s_b, a), by backpropagation
    through the heads and the trunk, here."""
    features = forward["features"]
    grads = {"value_head.weight": value_weights[None, :] @ features, "value_head.bias": np.array([value_weights.sum()]),
             "advantage_head.weight": advantage_weights.T @ features, "advantage_head.bias": advantage_weights.sum(axis=0)}
    upstream = value_weights[:, None] @ weights["value_head.weight"] + advantage_weights @ weights["advantage_head.weight"]
    for layer, inputs, pre in reversed(list(zip(_trunk_layers(weights), forward["inputs"], forward["pre"]))):
        local = upstream * (pre > 0)
        grads[f"{layer}.weight"], grads[f"{layer}.bias"] = local.T @ inputs, local.sum(axis=0)
        upstream = local @ weights[f"{layer}.weight"]
    return grads


def _stream_guesses(weights: dict[str, np.ndarray], observations: np.ndarray, head: str) -> dict[str, np.ndarray | None]:
    matrix, bias = weights[f"{head}.weight"], weights[f"{head}.bias"]
    name = "V(s)" if head == "value_head" else "A(s, .)"
    on_observations = None
    if observations.shape[1] == matrix.shape[1]:
        on_observations = observations @ matrix.T + bias
        if head == "value_head":
            on_observations = on_observations[:, 0]
    return {f"{name} was computed from the observations: {head} takes the trunk's features, "
            "features = self.trunk(observations).": on_observations}


def check_streams(student, case: dict[str, Any]) -> None:
    """DuelingQNetwork.streams: V(s) [B] and A(s, .) [B, A] from the trunk's features, against a
    forward pass computed here from the network's own weights; the gradients of a weighted sum
    of both streams reach the trunk and both heads with the values computed here."""
    result = run(student, case)
    args = case["args"]
    observations = args["observations"].astype(np.float64)
    weights = result["weights"]
    batch = len(observations)
    forward = kit_streams(weights, observations)
    what = f"DuelingQNetwork.streams(observations {list(observations.shape)})"
    values, advantages = result["values"], result["advantages"]
    if values["shape"] != [batch]:
        hint = ""
        if values["shape"] == [batch, 1]:
            hint = " The value head's output is [B, 1]: make it [B] with .squeeze(1)."
        elif values["shape"] == [] and batch == 1:
            hint = (" A bare .squeeze() removed the batch axis of this batch of one as well (acting passes one "
                    "observation at a time): use .squeeze(1).")
        fail(f"The values of {what} have shape {values['shape']}; expected [{batch}], one V(s) per state.{hint}")
    for name, plain, expected, head in (("values", values, forward["values"], "value_head"),
                                        ("advantages", advantages, forward["advantages"], "advantage_head")):
        if plain["shape"] == list(expected.shape) and not np.allclose(plain["values"], expected, atol=ATOL, rtol=1e-5):
            hint = first_match(plain["values"], _stream_guesses(weights, observations, head))
            fail(f"The {name} of {what}: expected {head}(trunk(observations)) = {show(expected)}, got "
                 f"{show(plain['values'])}. {hint}".strip())
        expect_tensor(plain, expected, f"the {name} of {what}", atol=ATOL)
    gradients = result["gradients"]
    expect(gradients is not None,
           f"{what} returned streams without an autograd graph, so training could not change the network: compute "
           "them with the modules' forward passes, without .detach(), torch.no_grad() or numpy.")
    value_weights, advantage_weights = args["value_weights"].astype(np.float64), args["advantage_weights"].astype(np.float64)
    expected = kit_gradients(weights, forward, value_weights, advantage_weights)
    for head, stream in (("value_head", "V(s)"), ("advantage_head", "A(s, .)")):
        if gradients.get(f"{head}.weight") is None or not np.any(gradients[f"{head}.weight"]):
            fail(f"No gradient reached {head}: {stream} was detached or computed under torch.no_grad(), so that "
                 "stream can never learn.")
    trunk = _trunk_layers(weights)[0] + ".weight"
    got = gradients.get(trunk)
    if got is None or not np.any(got):
        fail(f"No gradient reached the trunk ({trunk}): the features were detached or computed under "
             "torch.no_grad(), so the shared layers can never learn.")
    if not np.allclose(got, expected[trunk], atol=ATOL, rtol=1e-4):
        only = {
            "The trunk gets the gradient of the advantage stream only: the value head was given detached "
            "features. Both streams train the shared trunk.":
                kit_gradients(weights, forward, 0 * value_weights, advantage_weights)[trunk],
            "The trunk gets the gradient of the value stream only: the advantage head was given detached "
            "features. Both streams train the shared trunk.":
                kit_gradients(weights, forward, value_weights, 0 * advantage_weights)[trunk],
        }
        fail(f"The trunk's gradient ({trunk}) of sum_b w_b V(s_b) + sum_b,a u_b,a A(s_b, a) is not the one "
             f"backpropagation gives: expected {show(expected[trunk])}, got {show(got)}. "
             f"{first_match(got, only)}".strip())
    for name, value in expected.items():
        expect(gradients.get(name) is not None, f"No gradient reached {name}: it was left out of the streams' graph.")
        expect_close(gradients[name], value, f"the gradient of sum_b w_b V(s_b) + sum_b,a u_b,a A(s_b, a) "
                     f"with respect to {name}", atol=ATOL, rtol=1e-4)
