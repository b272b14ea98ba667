"""Checks for part "sampled_q": sampling-based Q-learning with the student's maximizers.

Most checks run the student's functions with a stand-in maximizer in place of cem_argmax
and random_shooting (``autograder/parts/sampled_q/probes.py``): it returns an action the case
fixes and records each call, so the targets, the regression step and the exploration
noise are judged exactly (or by exact statistics), whatever state the student's cem is in.
The "near the maximum" checks use the student's own maximizer on analytic Q-functions, with
tolerances derived in ``autograder/parts/sampled_q/secret/cases.py``; when those fail while the other
checks pass, the maximizer part is the likely cause, and the message says so.

Statistical checks keep their false-alarm probability below FALSE_ALARM (1e-6): the noise
shares by Hoeffding's inequality with a union bound, and the noise's independence across
observations and dimensions, half the budget each (:func:`check_exploration`); the
near-max gaps by the per-row tolerances, each exceeded with probability below
FALSE_ALARM / B.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.graders.continuous import BOUND_SLACK, _event_shares, _fits, check_noise_independence
from autograder.graders.statistics import hoeffding_tolerance
from autograder.graders.support import call_with_hint, expect, expect_close, expect_tensor, fail, show, with_gradient
from autograder.shared.analytic_q import q_values

FALSE_ALARM = 1e-6
FUNCTION = {"cem": "cem_argmax", "random_shooting": "random_shooting"}
TARGET_ATOL = 1e-4
CRITIC_NAMES = {"online": "the online critic", "target": "the target critic",
                "other": "a function that is neither critic"}


def error_hint(message: str) -> str:
    """A likely cause, in the student's terms, for a known exception from their code."""
    if "must have shape [B]" in message:
        return ("Q(s, a) and the targets must both be [B]: the critic already returns [B], so do not add an axis "
                "(unsqueeze) to either.")
    if "does not require grad and does not have a grad_fn" in message:
        return ("The loss has no autograd graph: q_values = critic(observations, actions) must be computed with "
                "autograd on; only the targets are computed without gradient.")
    return ""


def run(student, case: dict[str, Any], timeout: float = 30) -> Any:
    return call_with_hint(student, case, error_hint, timeout=timeout)


def _settings_text(maximizer: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in maximizer.items())


def _cause(maximizer: dict[str, Any]) -> str:
    """Which part to fix first when the student's own maximizer is the likely cause."""
    part = "cem" if maximizer["method"] == "cem" else "random_shooting"
    return (f"These values come from your {FUNCTION[maximizer['method']]} ({part}.py): if "
            f"`python -m autograder check {part}` reports failures, fix {part} first.")


# -- calls of the stand-in maximizer -------------------------------------------------------------
def check_maximizer_calls(calls: list[dict[str, Any]], maximizer: dict[str, Any], what: str, critic: str,
                          rows: str, low: np.ndarray, high: np.ndarray) -> None:
    """Every call used the method and settings of ``maximizer``, the box [low, high] the
    function was given, a numpy Generator, and the ``critic`` expected; at least one call
    was made."""
    expected_function = FUNCTION[maximizer["method"]]
    if not calls:
        fail(f"{what} never called the maximizer: the max over actions must come from maximize(...), which "
             f"calls your {expected_function} (the grader replaces it by a stand-in whose answer it knows). "
             "Do not sample and evaluate actions yourself, and do not evaluate Q at the stored actions.")
    for call in calls:
        if call["function"] != expected_function:
            fail(f"{what} called {call['function']}, but maximizer.method is {maximizer['method']!r}: pass the "
                 f"maximizer argument on to maximize(...) instead of a Maximizer of your own.")
        wanted = {key: value for key, value in maximizer.items() if key in call["settings"]}
        if call["settings"] != wanted:
            fail(f"{what} called {call['function']} with {_settings_text(call['settings'])}; the maximizer argument "
                 f"says {_settings_text(wanted)}. Pass the maximizer argument on to maximize(...).")
        _check_box(call, low, high, what)
        if not call["generator"]:
            fail(f"{what} called {call['function']} without a numpy Generator: pass the rng argument on.")
        if call["critic"] != critic:
            fail(f"{what} maximized {CRITIC_NAMES[call['critic']]}; it should maximize {CRITIC_NAMES[critic]} "
                 f"({rows}).")


def _check_box(call: dict[str, Any], low: np.ndarray, high: np.ndarray, what: str) -> None:
    """The maximizer searched the box the function was given."""
    want_low, want_high = np.asarray(low, np.float64), np.asarray(high, np.float64)
    got_low, got_high = np.asarray(call["low"], np.float64), np.asarray(call["high"], np.float64)
    if got_low.shape == want_low.shape and got_high.shape == want_high.shape and np.allclose(
            got_low, want_low, atol=1e-6) and np.allclose(got_high, want_high, atol=1e-6):
        return
    hint = "pass its low and high on to maximize(...) as they are"
    if got_low.shape == want_high.shape and np.allclose(got_low, want_high, atol=1e-6) and np.allclose(
            got_high, want_low, atol=1e-6):
        hint = ("low and high are swapped on the way: keep the order low, high in every call, "
                "sampled_targets(..., target_critic, low, high, rng, gamma, maximizer) and "
                "maximize(critic, observations, low, high, rng, maximizer)")
    fail(f"{what} called {call['function']} with the box low={show(got_low)}, high={show(got_high)}, but it was "
         f"given low={show(want_low)}, high={show(want_high)}: {hint}.")


# -- sampled_targets with the stand-in ---------------------------------------------------------------
def check_targets(student, case: dict[str, Any]) -> None:
    """Targets r + gamma * (1 - terminated) * max_a' Q_target(s', a') to the last digit, the
    max being the stand-in's answer on the target critic at the next observations."""
    what = "sampled_targets(...)"
    args = case["args"]
    result = run(student, case)
    calls = result["calls"]
    check_maximizer_calls(calls, args["maximizer"], what, "target",
                          "sampled_targets gets only target_critic: pass it to maximize", args["low"], args["high"])
    unknown = [call for call in calls if np.any(np.asarray(call["index"]) < 0)]
    if unknown:
        fail(f"{what} called the maximizer with observations that are not next_observations: the max is over "
             "a' at the next states s', maximize(target_critic, next_observations, ...).")
    rewards, terminated, gamma = args["rewards"], args["terminated"], args["gamma"]
    values = result["max_values"]  # Q_target(s', a') at the stand-in's actions
    expected = case["golden"]["result"]["values"]
    guesses = {
        "The terminal mask is missing: where terminated is 1 the target is just the reward.":
            rewards + gamma * values,
        "The mask multiplies the reward too: only the bootstrap term is masked.":
            (1 - terminated) * (rewards + gamma * values),
        "gamma is missing from the bootstrap term.": rewards + (1 - terminated) * values,
        "The mask is inverted: bootstrap where terminated is 0, i.e. multiply by (1 - terminated).":
            rewards + gamma * terminated * values,
    }
    got = result["result"]
    if got["shape"] == list(expected.shape) and not np.allclose(got["values"], expected, atol=TARGET_ATOL):
        hint = next((message for message, guess in guesses.items() if np.allclose(got["values"], guess, atol=1e-4)),
                    "It matches none of the usual mistakes (missing, inverted or misplaced mask, missing gamma), so "
                    "the bootstrap values differ: use the values the maximizer returns, Q_target(s', a') at its "
                    "action.")
        fail(f"{what} with gamma={gamma:g}, terminated={show(terminated)}: expected {show(expected)}, got "
             f"{show(got['values'])}. {hint}")
    expect_tensor(got, expected, what, atol=TARGET_ATOL)
    expect(not got["requires_grad"],
           f"{what} returned a tensor that requires grad: a gradient would flow into the target critic. Compute "
           "the targets under torch.no_grad() (or detach them); if you evaluate target_critic again at the "
           "maximizer's actions, do that without gradient too.")


# -- sampled_targets and choose_actions with the student's maximizer ----------------------------------
def check_targets_near_max(student, case: dict[str, Any]) -> None:
    """On an analytic target critic with known max, each target is within gamma * eps_b of
    r + gamma * (1 - terminated) * true_max (eps_b: the tolerance of the case), never above
    it, and exactly r where terminated."""
    what = "sampled_targets(...)"
    args = case["args"]
    q, rewards, terminated, gamma = args["q"], args["rewards"], args["terminated"], args["gamma"]
    result = run(student, case)
    got = result["result"]
    batch = len(rewards)
    expect_tensor(got, np.zeros(batch), what, atol=np.inf)  # dtype and shape only
    expect(not got["requires_grad"],
           f"{what} returned a tensor that requires grad: compute the targets under torch.no_grad().")
    expect(result["calls"] > 0, f"{what} never evaluated the target critic it was given: no maximization took place.")
    values = got["values"]
    ends = terminated > 0
    if not np.allclose(values[ends], rewards[ends], atol=1e-5):
        fail(f"{what}: where terminated is 1 the target is the reward alone, {show(rewards[ends])}; got "
             f"{show(values[ends])}. Multiply only the bootstrap term by (1 - terminated).")
    ceiling = rewards + gamma * q["true_max"]
    floor = ceiling - gamma * case["tolerances"]
    live = ~ends
    above = live & (values > ceiling + 1e-4 * (1 + np.abs(ceiling)))
    if above.any():
        b = int(np.flatnonzero(above)[0])
        fail(f"{what}: row {b}'s target is {values[b]:.4f}, above r + gamma * max_a' Q(s', a') = {ceiling[b]:.4f}, "
             "which no action in the box reaches. Use the maximizer's value (Q at an action inside the box) with "
             "reward and gamma as in r + gamma * (1 - terminated) * max.")
    below = live & (values < floor)
    if below.any():
        b = int(np.argmax(np.where(live, floor - values, -np.inf)))
        averaged = rewards + gamma * case["uniform_means"]
        hint = ""
        if np.allclose(values[live], averaged[live], atol=0.05 * (1 + np.abs(averaged[live])).max()):
            hint = (" The targets are close to the AVERAGE of Q over the box: take the max over the sampled actions, "
                    "not the mean.")
        fail(f"{what} on a target critic whose max over actions is known ({_settings_text(args['maximizer'])}): row "
             f"{b}'s target is {values[b]:.4f}, but r + gamma * max_a' Q(s', a') = {ceiling[b]:.4f} and a correct "
             f"maximizer comes within {gamma * case['tolerances'][b]:.4f} of it except with probability below "
             f"{FALSE_ALARM / batch:.2g}. {int(below.sum())} of {int(live.sum())} non-terminal rows are too low.{hint} "
             f"Check that the max is over a' at next_observations, through maximize(...). {_cause(args['maximizer'])}")


def check_greedy_near_max(student, case: dict[str, Any]) -> None:
    """With exploration_std = 0, the action has Q within eps_b of the max of the critic it
    was given, and lies inside the box."""
    what = "choose_actions(..., exploration_std=0)"
    args = case["args"]
    q, low, high = args["q"], args["low"], args["high"]
    batch, dim = len(q["true_max"]), len(low)
    result = run(student, case)
    got = result["result"]
    expect_tensor(got, np.zeros((batch, dim)), what, atol=np.inf)
    actions = got["values"]
    check_inside(actions.reshape(batch, 1, dim), low, high, what, "")
    expect(result["calls"] > 0, f"{what} never evaluated the critic it was given: no maximization took place.")
    gaps = q["true_max"] - q_values(q, np.arange(batch), actions)
    over = gaps > case["tolerances"]
    if over.any():
        b = int(np.argmax(gaps - case["tolerances"]))
        fail(f"{what} on a critic whose max over actions is known ({_settings_text(args['maximizer'])}): for "
             f"observation {b} the action {show(actions[b])} has Q = {q['true_max'][b] - gaps[b]:.4f}, but the max is "
             f"{q['true_max'][b]:.4f} (gap {gaps[b]:.4f}; a correct maximizer stays within {case['tolerances'][b]:.4f} "
             f"except with probability below {FALSE_ALARM / batch:.2g}). With exploration_std = 0 the action is "
             f"the maximizer's action on the critic passed in. {_cause(args['maximizer'])}")


def check_inside(actions: np.ndarray, low: np.ndarray, high: np.ndarray, what: str, hint: str) -> None:
    """Every action [E, R, A] is inside [low, high] (up to float32 rounding)."""
    slack = BOUND_SLACK * (1 + np.maximum(np.abs(low), np.abs(high)))
    outside = (actions < low - slack) | (actions > high + slack)
    if outside.any():
        e, r, j = (int(i) for i in np.argwhere(outside)[0])
        fail(f"{what} returned an action outside the box: {actions[e, r, j]:.4f} in dimension {j}, whose range is "
             f"[{low[j]:g}, {high[j]:g}] ({int(outside.sum())} of {outside.size} coordinates are outside). {hint}".strip())


# -- exploration --------------------------------------------------------------------------------------
def check_exploration(student, case: dict[str, Any]) -> None:
    """Exploring actions are the maximizer's action plus N(0, sigma^2) noise, sigma =
    exploration_std * (high - low) / 2 per dimension, clipped to the box.

    Given the greedy action g (the stand-in's), each coordinate is an independent draw, so
    in each action dimension the share of coordinates above g (probability 1/2, 0 on the
    upper edge) and within sigma of g strictly inside the box (probability from the normal
    CDF) are means of independent indicators: by Hoeffding's inequality with a union bound
    over the 2 * A shares (``hoeffding_tolerance``), a correct implementation strays by more
    than the tolerance with probability below FALSE_ALARM / 2. The noise must also be
    independent across the observations of one call and the dimensions of one row
    (``check_noise_independence``, the other FALSE_ALARM / 2)."""
    what = "choose_actions(...)"
    args = case["args"]
    low, high = args["low"].astype(np.float64), args["high"].astype(np.float64)
    greedy = args["designated"].astype(np.float64)
    result = run(student, case)
    if "layout" in result:
        fail(f"{what} returned dtype {result['layout']['dtype']} and shape {result['layout']['shape']}; expected "
             f"float32 {list(greedy.shape)} (one action per observation).")
    check_maximizer_calls(result["calls"], args["maximizer"], what, "online",
                          "pass the critic argument to maximize", args["low"], args["high"])
    drawn = result["actions"]  # [E, R, A]
    check_inside(drawn, low, high, what, "Clip the noisy action to the box: torch.clamp(action, low, high).")
    if np.allclose(drawn, greedy[:, None, :], atol=1e-6):
        fail(f"{what} with exploration_std={args['exploration_std']:g} returned the greedy action every time: add "
             "Gaussian noise (rng.standard_normal times exploration_std * (high - low) / 2) before clipping.")
    std = np.tile(args["exploration_std"] * (high - low) / 2, (len(greedy), 1))
    dims = len(low)
    # One pair of shares per action dimension, so that a std too wide in one dimension and
    # too narrow in another cannot average out; the union bound covers all 2 * A shares.
    tolerance = hoeffding_tolerance(drawn.shape[0] * drawn.shape[1], tests=2 * dims, false_alarm=FALSE_ALARM / 2)
    hints = {
        "exploration_std is used as the noise's std in action units; it is a fraction of the half-width: "
        "std = exploration_std * (high - low) / 2.": np.full_like(std, args["exploration_std"]),
        "The noise's std is exploration_std * (high - low), twice too large: it is a fraction of the HALF-width, "
        "exploration_std * (high - low) / 2.": 2 * std,
        "The noise's std is exploration_std**2 times the half-width: rng.standard_normal is already N(0, 1), "
        "multiply it by the std.": std * args["exploration_std"],
    }
    for j in range(dims):
        shares = _dimension_shares(drawn, greedy, std, low, high, j)
        if _fits(shares, tolerance):
            continue
        hint = next((message for message, other in hints.items()
                     if all(_fits(_dimension_shares(drawn, greedy, other, low, high, k), tolerance)
                            for k in range(dims))), "")
        fail(f"{what} with exploration_std={args['exploration_std']:g}, low={show(low)}, high={show(high)}: the "
             f"actions should be the maximizer's action plus N(0, sigma^2) noise with sigma = {show(std[0])}, clipped "
             f"to the box. In action dimension {j}, {100 * shares['near']:.1f}% of the coordinates lie within sigma "
             f"= {std[0, j]:.4g} of the greedy action (expected {100 * shares['p_near_min']:.1f}%) and "
             f"{100 * shares['above']:.1f}% above it (expected {100 * shares['p_above']:.1f}%); allowed "
             f"±{100 * tolerance:.1f} points, exceeded by a correct implementation with probability below "
             f"{FALSE_ALARM / 2:.2g}. {hint}".strip())
    check_noise_independence(np.swapaxes(drawn, 0, 1), greedy, low, high, std[0], what, FALSE_ALARM / 2)


def _dimension_shares(drawn: np.ndarray, greedy: np.ndarray, std: np.ndarray, low: np.ndarray, high: np.ndarray,
                      j: int) -> dict[str, float]:
    """The event shares of action dimension j (drawn [E, R, A] around greedy [E, A] with std [E, A])."""
    return _event_shares(drawn[:, :, j:j + 1], greedy[:, j:j + 1], std[:, j:j + 1], std[:, j:j + 1],
                         low[j:j + 1], high[j:j + 1])


def check_replays(student, case: dict[str, Any]) -> None:
    """With the student's own maximizer: the same seed gives the same actions and targets,
    whatever the global seeds; another seed gives other actions."""
    runs = run(student, case)["runs"]
    first, again, other = runs
    function = FUNCTION[case["args"]["maximizer"]["method"]]
    for key, name in (("actions", "choose_actions"), ("targets", "sampled_targets")):
        expect(np.array_equal(first[key], again[key]),
               f"{name} gave different results for two generators with the same seed (and different global seeds of "
               f"numpy and torch): some random number does not come from the rng argument. It is drawn here or in "
               f"your {function}, which gets the same rng through maximize: draw from rng (not np.random, torch or a "
               f"generator of your own), and pass rng on to maximize. If the rng test of {function} fails, fix that "
               "first.")
    expect(not np.array_equal(first["actions"], other["actions"]),
           f"choose_actions gave the same actions for generators with different seeds: neither its noise nor your "
           f"{function} depends on the rng argument (a generator of your own with a fixed seed, or no noise at all "
           "together with a maximizer that does not use rng).")


# -- update_critic -------------------------------------------------------------------------------------
def check_update(student, case: dict[str, Any]) -> None:
    """One update_critic step: the maximizer is called on the target critic at the next
    observations, polyak_update(target_critic, critic, tau) once after the step, no
    gradient reaches the target critic, and stats and both critics' weights match the
    reference's."""
    what = "update_critic(...)"
    args = case["args"]
    result = run(student, case)
    calls = result["calls"]
    for call in calls:
        if call["current_rows"]:
            fail(f"{what} called the maximizer at the batch's observations s; the target's max is over a' at the "
                 "NEXT observations s' (batch.next_observations).")
    check_maximizer_calls(calls, args["maximizer"], what, "target",
                          "in the targets, max_a' Q_target(s', a'): pass target_critic to sampled_targets",
                          args["low"], args["high"])
    expect(any(call["next_rows"] for call in calls),
           f"{what} never called the maximizer at the next observations: compute the targets with sampled_targets.")
    polyak = result["polyak"]
    expect(len(polyak) == 1,
           f"{what} called polyak_update {len(polyak)} times; it should call it once, after the optimizer step, as "
           "polyak_update(target_critic, critic, tau).")
    call = polyak[0]
    if (call["target"], call["online"]) == ("online", "target"):
        fail(f"{what} called polyak_update(critic, target_critic, ...): the arguments are swapped, so the online "
             "critic moves towards the target. The target comes first: polyak_update(target_critic, critic, tau).")
    expect((call["target"], call["online"]) == ("target", "online"),
           f"{what} called polyak_update with the {call['target']} critic as target and the {call['online']} critic "
           "as online network; call polyak_update(target_critic, critic, tau).")
    tau = args["tau"]
    if call["tau"] is None or not np.isclose(call["tau"], tau):
        hint = (" That is 1 - tau: tau is already the weight on the ONLINE critic." if call["tau"] is not None
                and np.isclose(call["tau"], 1 - tau) else "")
        fail(f"{what} called polyak_update with tau={call['tau']}; expected tau={tau:g}.{hint}")
    expect(not with_gradient(result["target_grads"], nonzero=True),
           f"{what} left gradients on the target critic's parameters: the targets carried an autograd graph into "
           "the loss. Compute them without gradient (sampled_targets returns no graph).")
    golden = case["golden"]
    # The targets first: when they are wrong, the loss is too, and the targets' hint says why.
    for key in sorted(golden["stats"], key=lambda name: name != "losses/targets"):
        value, got = golden["stats"][key], result["stats"].get(key)
        if got is None or not np.isclose(got, value, atol=1e-5, rtol=1e-4):
            hint = {"losses/critic_loss": "The loss is the mean over the batch of (critic(observations, actions) - "
                                          "targets)^2, with the stored actions.",
                    "losses/targets": _targets_hint(got, calls, args)}.get(key, "")
            fail(f"After one update_critic step, stats[{key!r}] should be {value:.6g}, got {got}. {hint}".strip())
    for key, value in golden["online"].items():
        expect_close(result["online"][key], value, f"the critic's {key} after one update_critic step",
                     hint="The stats (loss, targets, Q-values, gradient norm) match the reference's, so the step "
                          "itself differs: the provided zero_grad, clip_grad_norm_ and step lines changed, or "
                          "another change to the critic after them.", atol=1e-5, rtol=1e-4)
    if call["steps_before"] == 0:
        target_hint = ("polyak_update ran before optimizer.step(): call it after optimizer.step(), so the target "
                       "moves towards the updated critic.")
    else:
        target_hint = ("polyak_update(target_critic, critic, tau) was called once, after the step, and does a correct "
                       "update here, so the target critic was changed some other way too (a second update of it, or "
                       "a change to the online critic after the call).")
    for key, value in golden["target"].items():
        expect_close(result["target"][key], value, f"the target critic's {key} after one update_critic step",
                     hint=target_hint, atol=1e-5, rtol=1e-4)


def _targets_hint(got: float | None, calls: list[dict[str, Any]], args: dict[str, Any]) -> str:
    """The mistake that gives the mean target ``got``, from the stand-in's values at the next
    observations; or, if none does, what to compute."""
    batch, gamma = args["batch"], args["gamma"]
    rewards, terminated, truncated = (batch[name].astype(np.float64) for name in ("rewards", "terminated", "truncated"))
    next_values = np.full(len(rewards), np.nan)
    for call in calls:
        rows = (call["index"] >= 0) & (call["index"] < len(rewards))
        next_values[call["index"][rows]] = call["values"][rows]
    if got is not None and not np.isnan(next_values).any():
        ended = np.maximum(terminated, truncated)
        guesses = {
            "They are the targets with truncated rows masked too: mask with batch.terminated, not truncated (a time "
            "limit is not a terminal state: the target still bootstraps).":
                rewards + gamma * (1 - ended) * next_values,
            "They are the targets without the terminal mask: pass batch.terminated on to sampled_targets.":
                rewards + gamma * next_values,
            "They are the targets with the reward masked too: only the bootstrap term is multiplied by "
            "(1 - terminated).": (1 - terminated) * (rewards + gamma * next_values),
            "They are the targets without gamma: pass gamma on to sampled_targets.":
                rewards + (1 - terminated) * next_values,
        }
        for message, guess in guesses.items():
            if np.isclose(got, guess.mean(), atol=1e-5, rtol=1e-4):
                return message
    return ("It matches none of the usual mistakes (missing terminal mask, truncated rows masked too, reward masked, "
            "gamma missing): compute the targets with sampled_targets(batch.rewards, batch.terminated, "
            "batch.next_observations, target_critic, low, high, rng, gamma, maximizer).")


def check_update_replays(student, case: dict[str, Any]) -> None:
    """update_critic hands the maximizer a generator that depends only on its rng argument:
    the same seed gives the same generator state, whatever the global seeds; another seed
    another. (Read from fingerprints the stand-in maximizer takes of a copy of the generator it
    gets; a generator derived from rng passes too.)"""
    first, again, other = run(student, case)["runs"]
    if not first or any(value is None for run_ in (first, again, other) for value in run_):
        return  # no call, or no Generator: the update tests say so
    same = len(first) == len(again) and all(np.array_equal(a, b) for a, b in zip(first, again))
    expect(same, "update_critic handed the maximizer generators in different states for two runs with the same rng "
                 "seed (and different global seeds of numpy and torch): the maximizer does not get the rng argument "
                 "(a generator of its own, np.random.default_rng() without a seed, differs every time). Pass rng on "
                 "to sampled_targets.")
    differs = len(first) != len(other) or any(not np.array_equal(a, b) for a, b in zip(first, other))
    expect(differs, "update_critic handed the maximizer a generator in the same state for different rng seeds: the "
                    "maximizer does not get the rng argument (a generator of its own with a fixed seed?). Pass rng on "
                    "to sampled_targets.")


# -- learning -------------------------------------------------------------------------------------------
def pendulum_advice(case: dict[str, Any]) -> str:
    """What to look at first when the Pendulum check fails: the parts train uses, then this one."""
    method = case["args"]["config"]["maximizer"]["method"]
    return (f"It uses your replay_buffer, target_network and {FUNCTION[method]}: make the tests of those parts "
            f"pass first (`python -m autograder check {method}`), then this part's other tests.")
