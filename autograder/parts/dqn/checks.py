"""Checks shared by the public and hidden tests of parts dqn, double_dqn and n_step."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.graders.support import call_with_hint, expect, expect_close, expect_tensor, fail, show

FALSE_ALARM = 1e-6  # per frequency check

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


# -- epsilon-greedy ------------------------------------------------------------------------
def epsilon_tolerance(draws: int, cells: int) -> float:
    """Hoeffding + union bound over ``cells`` action shares, each estimated from ``draws``
    independent draws: a correct sampler exceeds it with probability below FALSE_ALARM."""
    return math.sqrt(math.log(2 * cells / FALSE_ALARM) / (2 * draws))


def check_epsilon_greedy(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    args, patterns = case["args"], case["patterns"]
    epsilon, rows = args["epsilon"], args["q_values"].shape[0]
    layout = result["layout"]
    expect(layout == {"dtype": "int64", "shape": [rows]},
           f"epsilon_greedy on Q-values of shape [{rows}, A] returned dtype {layout['dtype']} and shape "
           f"{layout['shape']}; expected int64 [{rows}] (one action per row).")
    counts = result["counts"].reshape(len(patterns), -1, patterns.shape[1]).sum(axis=1)
    shares = counts / counts.sum(axis=1, keepdims=True)
    draws = int(counts[0].sum())
    tolerance = epsilon_tolerance(draws, patterns.size)
    num_actions = patterns.shape[1]
    best = patterns == patterns.max(axis=1, keepdims=True)  # [P, A], tied maxima together
    ties = best.sum(axis=1)
    got_best = (shares * best).sum(axis=1)
    want_best = 1 - epsilon + epsilon * ties / num_actions
    off = np.abs(got_best - want_best) > tolerance
    if off.any():
        index = int(np.flatnonzero(off)[0])
        tie = " (tied maxima count together)" if ties[index] > 1 else ""
        fail(f"With epsilon={epsilon:g} and Q-values {show(patterns[index])}, the greedy action{tie} should be "
             f"taken {100 * want_best[index]:.1f}% of the time; it was taken {100 * got_best[index]:.1f}% "
             f"(allowed: ±{100 * tolerance:.1f} points, exceeded by a correct implementation with "
             f"probability below {FALSE_ALARM:g}).{_greedy_share_hint(counts, best, got_best, epsilon, tolerance)}")
    for values, share, row_best in zip(patterns, shares, best):
        others = np.flatnonzero(~row_best)
        if others.size:
            off = np.abs(share[others] - epsilon / num_actions)
            if off.max() > tolerance:
                worst = others[int(np.argmax(off))]
                fail(f"With epsilon={epsilon:g} and Q-values {show(values)}, non-greedy action {worst} should be "
                     f"taken {100 * epsilon / num_actions:.1f}% of the time; it was taken "
                     f"{100 * share[worst]:.1f}%, while the greedy action's share is right. Explore uniformly "
                     f"over all {num_actions} actions.")
    if epsilon > 0:
        expect(np.array_equal(result["replays"][0], result["replays"][1]),
               "epsilon_greedy gave different actions for two generators with the same seed: draw every "
               "random number from the rng argument (rng.random, rng.integers), not np.random or torch.")
    _check_rows_explore_independently(result["actions"], args["q_values"], epsilon)


def _greedy_share_hint(counts: np.ndarray, best: np.ndarray, got_best: np.ndarray, epsilon: float,
                       tolerance: float) -> str:
    """A cause for wrong greedy shares, named only if every Q-pattern's share fits it."""
    num_actions = best.shape[1]
    ties = best.sum(axis=1)

    def every_pattern(expected: np.ndarray) -> bool:
        return bool(np.all(np.abs(got_best - expected) <= tolerance))

    if every_pattern(epsilon + (1 - epsilon) * ties / num_actions):
        return (" It looks like epsilon is used as the probability of acting greedily; it is the probability "
                "of exploring.")
    if every_pattern(np.full(len(ties), 1 - epsilon)):
        return (" Every pattern's greedy share is 1 - epsilon: exploring never picks the greedy action. Explore "
                "with a random action over all actions, the greedy one included (so it has probability "
                "1 - epsilon + epsilon/A).")
    # Actions that exploration should pick in some pattern (as non-greedy ones) but never did.
    never = [action for action in range(num_actions)
             if (~best[:, action]).any() and counts[~best[:, action], action].sum() == 0]
    if never and epsilon > 0:
        return (f" Exploration never picked action(s) {never}: random actions should range over all of 0 .. "
                f"{num_actions - 1} (rng.integers(0, A) leaves A itself out, not A - 1).")
    return ""


def _check_rows_explore_independently(actions: np.ndarray, q_values: np.ndarray, epsilon: float) -> None:
    """Within one call, each row explores on its own coin: the share of rows that take a non-greedy
    action is a mean of independent Bernoulli draws, so Hoeffding's bound (with a union bound over
    the calls) holds it near its expectation in every call. A coin shared by the rows makes it
    all or nothing, which the action shares pooled over calls cannot see."""
    if not 0 < epsilon < 1:
        return  # nobody explores, or everybody does: a shared coin changes nothing
    calls, rows = actions.shape
    num_actions = q_values.shape[1]
    best = q_values == q_values.max(axis=1, keepdims=True)
    off_greedy = ~best[np.arange(rows), actions]  # [calls, rows]
    all_explore = float(np.mean((num_actions - best.sum(axis=1)) / num_actions))
    want = epsilon * all_explore
    shares = off_greedy.mean(axis=1)
    tolerance = math.sqrt(math.log(2 * calls / FALSE_ALARM) / (2 * rows))
    off = np.abs(shares - want) > tolerance
    if not off.any():
        return
    worst = int(np.argmax(np.abs(shares - want)))
    hint = " So the rows of one call do not explore independently: draw each row's coin on its own."
    near_none, near_all = np.abs(shares) <= tolerance, np.abs(shares - all_explore) <= tolerance
    if np.all(near_none | near_all):
        hint = (f" In {int(near_none.sum())} of the {calls} calls about no row left the greedy action, in the "
                f"{int((~near_none).sum())} others about {100 * all_explore:.0f}% did, as when every row explores "
                "(a random action can be the greedy one): one exploration coin is drawn per call and shared by "
                "all rows. Draw one per row (rng.random(batch_size) < epsilon).")
    fail(f"With epsilon={epsilon:g}, each of the {rows} rows of a call should take a non-greedy action with "
         f"probability {want:.3f} on its own, so about {100 * want:.1f}% of the rows of every call should "
         f"(allowed: ±{100 * tolerance:.1f} points in each of the {calls} calls, exceeded by a correct "
         f"implementation with probability below {FALSE_ALARM:g}). In call {worst} it was "
         f"{100 * shares[worst]:.1f}%; over the calls it ranged from {100 * shares.min():.1f}% to "
         f"{100 * shares.max():.1f}%.{hint}")


# -- schedule ------------------------------------------------------------------------------
def check_schedule(student, case: dict[str, Any]) -> None:
    values = run(student, case)
    args, expected = case["args"], case["golden"]
    if not np.allclose(values, expected, atol=1e-6):
        steps = np.asarray(args["steps"])
        within = steps <= args["duration"]
        uncapped = args["start"] + steps / args["duration"] * (args["end"] - args["start"])
        swapped = args["end"] + np.minimum(steps / args["duration"], 1.0) * (args["start"] - args["end"])
        hint = ""
        if np.allclose(values, swapped, atol=1e-6):
            hint = " The values run from `end` to `start`: start and end are swapped."
        elif np.allclose(np.asarray(values)[within], np.asarray(expected)[within], atol=1e-6):
            hint = " The values up to `duration` are right; after it the value must stay at `end`."
            if np.allclose(values, uncapped, atol=1e-6):
                hint = " After `duration` steps the value keeps moving past `end`: cap the fraction at 1."
        fail(f"linear_schedule({args['start']:g}, {args['end']:g}, duration={args['duration']}, step) at "
             f"steps {args['steps']} should be {[round(v, 4) for v in expected]}, got "
             f"{[round(v, 4) for v in values]}.{hint}")


# -- DQN targets ---------------------------------------------------------------------------
def check_dqn_targets(student, case: dict[str, Any]) -> None:
    args = case["args"]
    rewards, terminated, next_q, gamma = args["rewards"], args["terminated"], args["next_q_values"], args["gamma"]
    best = next_q.max(axis=1)
    guesses = {
        "The terminal mask is missing: where terminated is 1 the target is just the reward.":
            rewards + gamma * best,
        "The mask multiplies the reward too: only the bootstrap is masked, r + gamma * (1 - terminated) * max Q.":
            (1 - terminated) * (rewards + gamma * best),
        "The max is taken over the batch axis: take it over actions (dim=1).":
            rewards + gamma * (1 - terminated) * next_q.max(axis=0)[: len(rewards)]
            if next_q.shape[1] >= len(rewards) else None,
        "The mean over actions is used: the target takes the max over actions.":
            rewards + gamma * (1 - terminated) * next_q.mean(axis=1),
        "The max is started at 0: with all Q-values negative the max is negative.":
            rewards + gamma * (1 - terminated) * np.maximum(best, 0),
        "gamma is missing from the bootstrap term.": rewards + (1 - terminated) * best,
    }
    expect_targets(run(student, case), case, "dqn_targets(...)", lambda values: first_match(values, guesses))


# -- loss and update -----------------------------------------------------------------------
def check_loss(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    args, golden = case["args"], case["golden"]
    what = f"td_loss(..., loss={args['loss']!r}, huber_delta={args['huber_delta']:g})"
    if result["shape"] != []:
        fail(f"{what} returned shape {result['shape']}; expected a scalar (shape []): average over the batch.")
    # A 0-dimensional value arrives as an array of one element.
    got, want = float(np.asarray(result["values"]).item()), float(np.asarray(golden["values"]).item())
    if not np.isclose(got, want, atol=1e-5, rtol=1e-5):
        q_values, actions, targets = args["q_values"], args["actions"], args["targets"]
        delta = args["huber_delta"]

        def huber(errors: np.ndarray, delta: float = delta) -> np.ndarray:
            return np.where(np.abs(errors) <= delta, 0.5 * errors**2, delta * (np.abs(errors) - 0.5 * delta))

        def chosen(errors: np.ndarray) -> np.ndarray:
            return huber(errors) if args["loss"] == "huber" else errors**2

        errors = q_values[np.arange(len(actions)), actions] - targets
        guesses = {
            "It equals the sum over the batch: use the mean.": chosen(errors).sum(),
            "It equals the mean squared error: the Huber loss is linear beyond delta.": (errors**2).mean(),
            "It equals the Huber loss: loss='mse' asks for the mean squared error.": huber(errors).mean(),
            "It equals half the mean squared error: MSE is the mean of d**2.": (0.5 * errors**2).mean(),
            "It ignores huber_delta (uses delta=1).": huber(errors, 1.0).mean(),
            "Q(s, a) has shape [B, 1] and the targets [B], so Q(s, a) - y broadcasts to [B, B]: squeeze "
            "the gathered values to [B] (gather(...).squeeze(1)).":
                chosen(q_values[np.arange(len(actions)), actions][:, None] - targets[None, :]).mean(),
            "It uses max_a Q(s, a): regress Q(s, a) of the taken actions (gather them with actions).":
                chosen(q_values.max(axis=1) - targets).mean(),
        }
        fail(f"{what} should be {want:.6g}, got {got:.6g}. {first_match(np.asarray(got), guesses)}".strip())
    if result["grad"] is None:
        fail(f"{what} returned a value that carries no autograd graph, so it has no gradient with respect to "
             "q_values. Possible causes: Q(s, a) was detached or computed under torch.no_grad(), or the loss "
             "was built from plain numbers (.item(), .numpy(), torch.tensor(...)). Only the targets are detached.")
    grad, q_values, actions = np.asarray(result["grad"]), args["q_values"], args["actions"]
    hint = ""
    if grad.shape == q_values.shape:
        taken = np.zeros(q_values.shape, dtype=bool)
        taken[np.arange(len(actions)), actions] = True
        stray = np.argwhere((grad != 0) & ~taken)
        rows = np.abs(grad).sum(axis=1) > 0
        columns = np.abs(grad[rows]).argmax(axis=1)
        if (rows.any() and np.array_equal(columns, q_values[rows].argmax(axis=1))
                and not np.array_equal(columns, actions[rows])):
            hint = ("The gradient went to each row's largest Q-value instead of the taken action's: regress "
                    "Q(s, a) of the taken actions (gather them with actions), not max_a Q(s, a).")
        elif stray.size:
            row, column = (int(n) for n in stray[0])
            hint = (f"Row {row}'s action {column} got a gradient, but only the taken action ({actions[row]}) "
                    "should: gather Q(s, a) with the actions along dim 1.")
        else:
            hint = ("Only the taken actions' entries got a gradient, but not the right one. Possible causes: part "
                    "of the loss was computed from detached values or plain numbers, or a hand-written formula "
                    "whose gradient differs from its value's.")
    expect_close(grad, golden["grad"], f"the gradient of {what} with respect to q_values", hint=hint)


def _huber(errors: np.ndarray, delta: float) -> np.ndarray:
    return np.where(np.abs(errors) <= delta, 0.5 * errors**2, delta * (np.abs(errors) - 0.5 * delta))


def _update_errors(args: dict[str, Any]) -> np.ndarray:
    """Q(s, a) - y of an update case's network before its step, computed here: its layers are
    Linear, ReLU, ..., Linear (dqkit.networks.mlp), named 0, 2, 4, ... in its state."""
    hidden = np.asarray(args["observations"], dtype=np.float64)
    layers = len(args["sizes"]) - 1
    for index in range(layers):
        weight = np.asarray(args["state"][f"{2 * index}.weight"], dtype=np.float64)
        hidden = hidden @ weight.T + np.asarray(args["state"][f"{2 * index}.bias"], dtype=np.float64)
        if index < layers - 1:
            hidden = np.maximum(hidden, 0.0)
    return hidden[np.arange(len(args["actions"])), args["actions"]] - np.asarray(args["targets"], dtype=np.float64)


def _loss_settings(args: dict[str, Any]) -> dict[str, float]:
    """The TD loss of an update case for each setting a student might have used instead."""
    errors = _update_errors(args)
    return {f"loss='huber', huber_delta={delta:g}": float(_huber(errors, delta).mean())
            for delta in dict.fromkeys((args["huber_delta"], 1.0))} | {"loss='mse'": float((errors**2).mean())}


def _explain_update_loss(got: float, want: float, alone: float | None, args: dict[str, Any]) -> str:
    """Why update_q_network's losses/td_loss differs, in the student's terms, from what was observed:
    which setting's loss it equals, and what td_loss alone returned with the case's settings."""
    asked = f"loss={args['loss']!r}, huber_delta={args['huber_delta']:g}"
    matches = [name for name, value in _loss_settings(args).items() if np.isclose(got, value, atol=1e-5, rtol=1e-4)]
    if alone is not None and np.isclose(alone, want, atol=1e-5, rtol=1e-4):
        if matches:
            return (f"It is the loss with {matches[0]}, although update_q_network was called with {asked}; "
                    "td_loss alone, given those, returns the right value. Pass loss and huber_delta on to td_loss.")
        return (f"td_loss alone, given the same Q-values and {asked}, returns the right value, so "
                "update_q_network computes its loss some other way: compute it as td_loss(q_network(observations), "
                "actions, targets, loss, huber_delta).")
    if alone is not None and np.isclose(alone, got, atol=1e-5, rtol=1e-4):
        return (f"td_loss alone, given the same Q-values and {asked}, returns this value too: fix td_loss first "
                "(its own tests say how).")
    return ("Possible causes: the loss is not td_loss(q_network(observations), actions, targets, loss, huber_delta), "
            "or td_loss is wrong (its own tests say how).")


STAT_CAUSES = {
    "losses/q_values": "The provided code averages Q(s, a) from q_values: they should be q_network(observations).",
    "losses/targets": "The provided code averages the targets argument: leave it as it is.",
    "losses/grad_norm": ("The loss is right but its gradient is not. Possible causes: the loss's graph does not "
                         "come from q_values = q_network(observations) (a second forward pass, a detached copy), "
                         "or the block already calls backward() or steps (the provided code does both)."),
}


def check_update(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    golden, args = case["golden"], case["args"]
    # The loss first: a wrong loss explains every other stat.
    for key in ("losses/td_loss", "losses/q_values", "losses/targets", "losses/grad_norm"):
        value, got = golden["stats"][key], result["stats"].get(key)
        if got is None or not np.isclose(got, value, atol=1e-5, rtol=1e-4):
            if got is None:
                cause = "The provided code returns every stat: keep its return statement."
            elif key == "losses/td_loss":
                cause = _explain_update_loss(got, value, result.get("td_loss_alone"), args)
            else:
                cause = STAT_CAUSES.get(key, "")
            fail(f"After one update_q_network step (loss={args['loss']!r}, huber_delta={args['huber_delta']:g}), "
                 f"stats[{key!r}] should be {value:.6g}, got {got}. {cause}".strip())
    for key, value in golden["weights"].items():
        expect_close(result["weights"][key], value, f"the network's {key} after one update_q_network step",
                     hint="Its stats before the step are right, so the step itself differs. Possible causes: the "
                          "block steps the optimizer or changes the parameters itself (the provided code after it "
                          "does the step), or the loss's graph is not the one from q_network(observations).")


# -- double DQN ------------------------------------------------------------------------------
def check_double_dqn_targets(student, case: dict[str, Any]) -> None:
    args = case["args"]
    rewards, terminated, gamma = args["rewards"], args["terminated"], args["gamma"]
    online, target = args["next_q_values_online"], args["next_q_values_target"]
    rows = np.arange(len(rewards))
    mask = gamma * (1 - terminated)

    def value(network_values: np.ndarray) -> np.ndarray:
        return rewards + mask * network_values

    guesses = {
        "It equals the DQN target: the action must be chosen with the online network "
        "(argmax of next_q_values_online), then evaluated with the target network.":
            value(target.max(axis=1)),
        "Both choosing and evaluating use the online network: evaluate the chosen action with next_q_values_target.":
            value(online.max(axis=1)),
        "Online and target are swapped: choose with the online network, evaluate with the target network.":
            value(online[rows, target.argmax(axis=1)]),
        "The argmax is taken over the batch axis: take it over actions (dim=1).":
            value(target[rows, online.argmax(axis=0)[: len(rows)]]) if online.shape[1] >= len(rows) else None,
        "The terminal mask is missing: where terminated is 1 the target is just the reward.":
            rewards + gamma * target[rows, online.argmax(axis=1)],
        "The mask multiplies the reward too: only the bootstrap is masked.":
            (1 - terminated) * (rewards + gamma * target[rows, online.argmax(axis=1)]),
        "gamma is missing from the bootstrap term.":
            rewards + (1 - terminated) * target[rows, online.argmax(axis=1)],
    }
    expect_targets(run(student, case), case, "double_dqn_targets(...)", lambda v: first_match(v, guesses))


# -- N-step ------------------------------------------------------------------------------------
def _n_step_variant(args: dict[str, Any], stop_at_end: bool = True, bootstrap_on_truncation: bool = True,
                    bootstrap_on_termination: bool = False, exponent_shift: int = 0,
                    exponent_always_n: bool = False, reward_shift: int = 0,
                    bootstrap_from_last: bool = False, truncation_ends: bool = True) -> np.ndarray:
    """The N-step target with one rule changed, for naming a student's mistake."""
    rewards, terminated, truncated = args["window_rewards"], args["window_terminated"], args["window_truncated"]
    bootstrap, gamma = args["bootstrap_values"], args["gamma"]
    targets = []
    for r, te, tr, v in zip(rewards, terminated, truncated, bootstrap):
        ends = (te > 0) | ((tr > 0) if truncation_ends else False)
        last = int(np.argmax(ends)) if (stop_at_end and ends.any()) else len(r) - 1
        total = sum(gamma ** (k + reward_shift) * r[k] for k in range(last + 1))
        keep = (te[last] == 0 or bootstrap_on_termination) and (bootstrap_on_truncation or tr[last] == 0)
        index = len(r) - 1 if bootstrap_from_last else last
        exponent = len(r) if exponent_always_n else last + 1 + exponent_shift
        targets.append(total + (gamma**exponent * v[index] if keep else 0.0))
    return np.asarray(targets)


def check_n_step_targets(student, case: dict[str, Any]) -> None:
    args = case["args"]
    guesses = {
        "The sum runs across the end of the episode: stop at the first transition that is terminated or truncated.":
            _n_step_variant(args, stop_at_end=False),
        "A truncated window drops its bootstrap: a time limit is not a terminal state, so keep gamma^m * V(s_m).":
            _n_step_variant(args, bootstrap_on_truncation=False),
        "A terminated window keeps its bootstrap: a terminal state has no future, so drop gamma^m * V(s_m) "
        "where the last transition summed is terminated.":
            _n_step_variant(args, bootstrap_on_termination=True),
        "Truncation is ignored: the window must also stop at a truncated transition (the next one is another episode).":
            _n_step_variant(args, truncation_ends=False),
        "The bootstrap's discount exponent is one too small: after m rewards it is gamma^m.":
            _n_step_variant(args, exponent_shift=-1),
        "The bootstrap's discount exponent is one too large: after m rewards it is gamma^m.":
            _n_step_variant(args, exponent_shift=1),
        "The bootstrap is discounted by gamma^N even when the window stopped early: after m rewards it is gamma^m.":
            _n_step_variant(args, exponent_always_n=True),
        "The rewards are discounted one step too much: reward k gets gamma^k, k = 0 .. m-1, so the first "
        "reward is not discounted.":
            _n_step_variant(args, reward_shift=1),
        "The bootstrap always comes from the window's last position: take it from the last transition summed.":
            _n_step_variant(args, bootstrap_from_last=True),
    }
    expect_targets(run(student, case), case, "n_step_targets(...)", lambda v: first_match(v, guesses))


# -- learning checks ------------------------------------------------------------------------
def chain_q_star(states: int, gamma: float) -> np.ndarray:
    """Q* of the fitted-Q chain in closed form: V*(s) = gamma^(states-1-s), Q*(s, right) =
    V*(s), Q*(s, left) = gamma * V*(max(s-1, 0))."""
    v_star = gamma ** (states - 1 - np.arange(states))
    left = gamma * v_star[np.maximum(np.arange(states) - 1, 0)]
    return np.stack([left, v_star], axis=1)


def chain_v_star(states: int, gamma: float) -> np.ndarray:
    """V* of the same chain: gamma^(steps to the rewarded exit)."""
    return gamma ** (states - 1 - np.arange(states))


def check_fitted_q_chain(student, case: dict[str, Any]) -> None:
    args = case["args"]
    q_values = run(student, case)["q_values"]
    q_star = chain_q_star(args["states"], args["gamma"])
    if not np.all(np.isfinite(q_values)):
        fail("Fitted Q-iteration with your dqn_targets and update_q_network diverged (NaN or inf). Possible "
             "causes: a loss summed over the batch instead of averaged, or targets that carry a gradient.")
    error = np.abs(q_values - q_star).max()
    if error > 0.01:
        worst = np.unravel_index(np.argmax(np.abs(q_values - q_star)), q_star.shape)
        fail(f"Fitted Q-iteration with your dqn_targets and update_q_network on a {args['states']}-state chain "
             f"(reward 1 for leaving the last state, gamma={args['gamma']}) should converge to Q*; after "
             f"{args['iterations']} iterations Q(s={worst[0]}, a={worst[1]}) is {q_values[worst]:.4f} instead of "
             f"{q_star[worst]:.4f} (largest error {error:.4f}, allowed 0.01). Q learned: {show(q_values)}; "
             f"Q*: {show(q_star)}. A missing terminal mask, a masked reward, a wrong max axis or a loss "
             "summed over the batch (instead of averaged) would each do this.")


def check_overestimation(student, case: dict[str, Any]) -> None:
    args = case["args"]
    result = run(student, case)
    true_value, margin = args["true_value"], 10 * result["standard_error"]
    expect(result["dqn_mean"] > true_value + 0.3,
           f"Internal check: the max-based target should overestimate here (got {result['dqn_mean']:.3f}).")
    if abs(result["double_mean"] - true_value) > margin:
        hint = ("Its error is not the max's bias, so look for another mistake first (the double_dqn_targets "
                "tests name it).")
        if abs(result["double_mean"] - result["dqn_mean"]) <= margin:
            hint = ("It is as biased as the DQN target: choose a' with the online estimates and evaluate it with "
                    "the target estimates; taking both from one network keeps the bias.")
        fail(f"On Sutton & Barto's maximization-bias example (the true value of (A, left) is {true_value:g}), "
             f"the DQN target averages {result['dqn_mean']:+.3f}: it overestimates, as the lecture says. Your "
             f"double-Q target should be close to {true_value:g} (within ±{margin:.3f}, 10 standard errors), "
             f"but it averages {result['double_mean']:+.3f}. {hint}")


def check_chain_propagation(student, fast_case: dict[str, Any], slow_case: dict[str, Any]) -> None:
    args = fast_case["args"]
    v_star = chain_v_star(args["states"], args["gamma"])
    reached = {}
    for case in (slow_case, fast_case):
        history = run(student, case)["history"]
        n = case["args"]["n"]
        final = history[-1]
        if not np.allclose(final, v_star, atol=1e-4):
            fail(f"Value iteration on an {args['states']}-state chain with your {n}-step targets should converge "
                 f"to V* = {show(v_star)}; it ended at {show(final)}. In this stream the window continues into "
                 "the next episode after the reward. Possible causes: the positions after a termination are not "
                 "ignored, the bootstrap at a termination is kept, or the discounts are off (the n_step_targets "
                 "tests on small windows name the rule).")
        hits = np.flatnonzero(history[:, 0] >= 0.5 * v_star[0])
        reached[n] = int(hits[0]) + 1 if hits.size else None
    slow_n, fast_n = slow_case["args"]["n"], fast_case["args"]["n"]
    expected_fast = -(-args["states"] // fast_n)
    expect(reached[fast_n] is not None and reached[fast_n] <= expected_fast,
           f"With {fast_n}-step targets, value should reach the start of the {args['states']}-state chain after "
           f"{expected_fast} iterations (the reward travels {fast_n} states per iteration); it took "
           f"{reached[fast_n]}.")
    expect(reached[slow_n] is not None and reached[fast_n] < reached[slow_n],
           f"{fast_n}-step targets should propagate the reward faster than {slow_n}-step ones: "
           f"{reached[fast_n]} vs {reached[slow_n]} iterations.")
