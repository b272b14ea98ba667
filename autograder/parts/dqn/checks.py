"""Checks of part dqn: epsilon-greedy, the schedule, targets, loss, update and the fitted-Q chain."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.graders.q_targets import expect_targets, first_match, run
from autograder.graders.support import expect, expect_close, fail, show

FALSE_ALARM = 1e-6  # per frequency check


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


# -- learning checks ------------------------------------------------------------------------
def chain_q_star(states: int, gamma: float) -> np.ndarray:
    """Q* of the fitted-Q chain in closed form: V*(s) = gamma^(states-1-s), Q*(s, right) =
    V*(s), Q*(s, left) = gamma * V*(max(s-1, 0))."""
    v_star = gamma ** (states - 1 - np.arange(states))
    left = gamma * v_star[np.maximum(np.arange(states) - 1, 0)]
    return np.stack([left, v_star], axis=1)


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


