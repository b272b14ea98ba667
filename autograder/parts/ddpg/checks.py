"""Checks shared by the public and hidden tests of part "ddpg".

The pure functions (targets, the two losses) are compared with the reference's values on
fixed networks; a wrong value is matched against the usual wrong answers, computed from
the case's Q-values. ``ddpg_update`` is watched from inside by its probe (which optimizer
stepped when, which network was evaluated on what, how the targets were averaged) and
compared step by step with the reference. The exploration noise is checked statistically:
each such check states its false-alarm probability (the chance that a correct
implementation fails it) and keeps it below FALSE_ALARM, whatever the random numbers drawn.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograder.graders.continuous import check_noise_independence, step_multiple
from autograder.graders.q_targets import first_match
from autograder.graders.statistics import dkw_tolerance, hoeffding_tolerance, normal_cdf
from autograder.graders.support import call_with_hint, expect, expect_close, expect_tensor, fail, show, with_gradient

FALSE_ALARM = 1e-6  # per statistical check
BOUND_SLACK = 1e-6  # float32 rounding at the bounds
AT_BOUND = 1e-6  # a sample this close to a bound counts as clipped onto it

ERROR_HINTS = (
    (r"does not require grad and does not have a grad_fn",
     "A loss without an autograd graph: it was computed under torch.no_grad() or from detached "
     "values. Only the targets are computed without a graph; the critic's loss needs Q(s, a) with its "
     "graph, and the actor's loss needs Q(s, actor(s)) with the graph through actor(s)."),
    (r"modified by an inplace operation",
     "A tensor that backward() needs was changed in place. Two usual causes: a loss computed before an optimizer "
     "step and backpropagated after it (step() changes the parameters in place; take the critic step, loss, "
     "zero_grad, backward, step, first, then compute the actor's loss with the updated critic), or an in-place "
     "operation (+=, .clamp_(), ...) on a tensor of the graph."),
    (r"backward through the graph a second time",
     "backward() ran twice through one graph: compute each loss afresh right before its own backward()."),
    (r"must have shape \[B\]",
     "The critic returns Q-values of shape [B]: keep rewards, terminated, targets and Q-values all [B] (no "
     "unsqueeze, no [:, None])."),
    (r"size of tensor a \((\d+)\) must match the size of tensor b",
     "Two tensors whose shapes do not line up were combined elementwise (the sizes are in the error). The shapes "
     "here: rewards, terminated, targets and Q-values [B]; actions, mu(s) and the noise [B, A]; low and high [A]."),
)


def _hint(text: str) -> str:
    return next((hint for pattern, hint in ERROR_HINTS if re.search(pattern, text)), "")


def run(student, case: dict[str, Any], timeout: float = 20) -> Any:
    """Run one fixture case on the student's code; a known error gets a hint."""
    return call_with_hint(student, case, _hint, timeout=timeout)


def _scalar_value(result: dict[str, Any], what: str) -> float:
    if result["shape"] != []:
        fail(f"{what} returned shape {result['shape']}; expected a scalar (shape []): average over the batch.")
    expect(result["dtype"] == "float32", f"{what} has dtype {result['dtype']}; expected float32.")
    return float(np.asarray(result["values"]).item())


# -- targets ---------------------------------------------------------------------------------
def check_targets(student, case: dict[str, Any]) -> None:
    args = case["args"]
    rewards, terminated, gamma = args["rewards"], args["terminated"], args["gamma"]
    next_q = case["values"]["next_q_values"]
    golden = case["golden"]["values"]
    what = "ddpg_targets(...)"
    result = run(student, case)
    guesses = {
        "The terminal mask is missing: where terminated is 1 the target is just the reward.":
            rewards + gamma * next_q,
        "The mask multiplies the reward too: only the bootstrap is masked, r + gamma * (1 - terminated) * Q'.":
            (1 - terminated) * (rewards + gamma * next_q),
        "The mask is inverted: bootstrap where terminated is 0, i.e. multiply by (1 - terminated).":
            rewards + gamma * terminated * next_q,
        "gamma is missing from the bootstrap term.": rewards + (1 - terminated) * next_q,
    }
    if result["shape"] == list(golden.shape) and not np.allclose(result["values"], golden, atol=1e-4, rtol=1e-5):
        cause = first_match(result["values"], guesses) or (
            "It matches none of the usual mistakes (missing or inverted mask, mask on the reward, missing gamma), so "
            "the bootstrap values differ: they are target_critic(next_observations, "
            "target_actor(next_observations)), the target critic at the target actor's action for the NEXT "
            "observations.")
        fail(f"{what}: expected {show(golden)}, got {show(result['values'])}. {cause}")
    expect_tensor(result, golden, what, atol=1e-4)
    expect(not result["requires_grad"],
           f"{what} returned a tensor that requires grad: a gradient would flow through the target into the "
           "target networks. Compute the next-state values under torch.no_grad() (or detach them).")
    expect(not with_gradient(result["target_grads"]),
           f"Backpropagating through {what} reached the target networks' parameters. Compute the targets "
           "under torch.no_grad().")


# -- the two losses --------------------------------------------------------------------------
def _expect_grads(got: dict[str, np.ndarray] | None, want: dict[str, np.ndarray], what: str, hint: str) -> None:
    for name, expected in want.items():
        expect_close(got[name], expected, f"the gradient of {what} with respect to {name}", hint=hint)


def check_critic_loss(student, case: dict[str, Any]) -> None:
    args, golden = case["args"], case["golden"]
    what = "critic_loss(...)"
    result = run(student, case)
    got, want = _scalar_value(result, what), float(np.asarray(golden["values"]).item())
    if not np.isclose(got, want, atol=1e-5, rtol=1e-5):
        errors = case["values"]["q_values"] - args["targets"]
        guesses = {
            "It equals the sum over the batch: use the mean.": (errors**2).sum(),
            "It equals half the mean squared error: the loss is the mean of (Q(s, a) - y)^2.": 0.5 * (errors**2).mean(),
            "It equals the mean absolute error: square the differences.": np.abs(errors).mean(),
            "It equals the root of the mean squared error: do not take the square root.": np.sqrt((errors**2).mean()),
            "Q(s, a) and the targets have shapes [B] and [B, 1] (or the reverse), so their difference broadcasts "
            "to [B, B]: keep both [B].":
                ((case["values"]["q_values"][:, None] - args["targets"][None, :]) ** 2).mean(),
        }
        cause = first_match(np.asarray(got), guesses) or (
            "It matches none of the usual mistakes (sum, half, absolute or root of the squared errors, [B, 1] "
            "broadcasting), so Q(s, a) differs: evaluate critic(observations, actions) at the actions taken.")
        fail(f"{what} should be {want:.6g}, got {got:.6g}. {cause}")
    if result["critic_grads"] is None:
        fail(f"{what} returned a value without a gradient with respect to the critic's parameters: evaluate "
             "critic(observations, actions) with autograd on; only the targets are detached.")
    _expect_grads(result["critic_grads"], golden["critic_grads"], what,
                  "The loss is mean((critic(observations, actions) - targets)**2), targets without a graph.")


def check_actor_loss(student, case: dict[str, Any]) -> None:
    golden = case["golden"]
    what = "actor_loss(...)"
    result = run(student, case)
    got, want = _scalar_value(result, what), float(np.asarray(golden["values"]).item())
    if not np.isclose(got, want, atol=1e-5, rtol=1e-5):
        q_at_mu = case["values"]["q_at_mu"]
        guesses = {
            "It equals +mean Q(s, mu(s)): the sign is flipped. The actor maximizes Q, so its loss (which the "
            "optimizer minimizes) is -Q(s, mu(s)).mean().": q_at_mu.mean(),
            "It equals minus the sum over the batch: use the mean.": -q_at_mu.sum(),
        }
        cause = first_match(np.asarray(got), guesses) or (
            "It matches none of the usual mistakes (sign flipped, sum instead of mean), so Q(s, mu(s)) differs: the "
            "loss is -critic(observations, actor(observations)).mean().")
        fail(f"{what} should be {want:.6g}, got {got:.6g}. {cause}")
    if result["actor_grads"] is None:
        fail(f"{what} returned a value without a gradient with respect to the actor's parameters: the "
             "gradient must flow through the critic into actor(observations). Do not detach the actor's "
             "action and do not compute it under torch.no_grad().")
    _expect_grads(result["actor_grads"], golden["actor_grads"], what,
                  "The loss is -critic(observations, actor(observations)).mean().")


# -- exploration -------------------------------------------------------------------------------
def _exploration_samples(student, case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Run an exploration case; check layout, no graph and the bounds; return (samples, mu)."""
    args = case["args"]
    result = run(student, case)
    rows, action_dim = np.shape(args["observations"])[0], len(args["low"])
    layout = result["layout"]
    what = "exploration_actions(...)"
    expect(layout["shape"] == [rows, action_dim] and layout["dtype"] == "float32",
           f"{what} for {rows} observations and {action_dim} action dimensions returned dtype {layout['dtype']} "
           f"and shape {layout['shape']}; expected float32 [{rows}, {action_dim}].")
    expect(not layout["requires_grad"],
           f"{what} returned a tensor that requires grad: compute the actor's action under torch.no_grad(). "
           "Exploring actions only go to env.step; a graph per environment step is wasted memory.")
    samples, low, high = result["samples"], args["low"], args["high"]
    outside = (samples < low - BOUND_SLACK) | (samples > high + BOUND_SLACK)
    if outside.any():
        where = np.argwhere(outside)[0]
        fail(f"{what} returned an action of {samples[tuple(where)]:.4g} in dimension {where[2]}, outside the bounds "
             f"[{low[where[2]]:g}, {high[where[2]]:g}]. Clip the noisy action to [low, high] "
             "(torch.clamp(actions, low, high)): the environment only accepts actions inside its box.")
    return samples, result["mu"]


def check_noise(student, case: dict[str, Any]) -> None:
    """The noise a - mu(s), over all calls and rows, is N(0, noise_std^2) in every dimension
    (the clip bounds are far away), independent across rows and dimensions. Two statistical
    checks (the marginal in each dimension, then the joint one across rows and across
    dimensions) share the false-alarm budget: each gets FALSE_ALARM / 2."""
    args = case["args"]
    std = args["noise_std"]
    samples, mu = _exploration_samples(student, case)
    noise = samples - mu[None]
    what = "exploration_actions(...)"
    first = noise[0]
    if first.shape[0] > 1 and np.allclose(first, first[:1], atol=1e-6):
        fail(f"{what} added the same noise to every observation of a call: draw one noise value per row and "
             "action dimension, rng.standard_normal((B, A)).")
    if first.shape[1] > 1 and np.allclose(first, first[:, :1], atol=1e-6):
        fail(f"{what} added the same noise to every action dimension: draw one noise value per row and "
             "action dimension, rng.standard_normal((B, A)).")
    standardized = noise.reshape(-1, noise.shape[-1]) / std
    count, dims = standardized.shape
    # Dvoretzky-Kiefer-Wolfowitz (Massart's constant), union over the dimensions: the
    # empirical CDF of `count` independent N(0, 1) draws strays from the normal CDF by more
    # than the tolerance in any dimension with probability below FALSE_ALARM / 2.
    tolerance = dkw_tolerance(count, dims, FALSE_ALARM / 2)
    grid = np.arange(1, count + 1) / count
    for j in range(dims):
        column = np.sort(standardized[:, j])
        cdf = normal_cdf(column)
        distance = max(np.max(grid - cdf), np.max(cdf - (grid - 1.0 / count)))
        if distance > tolerance:
            got_mean, got_std = float(noise[..., j].mean()), float(noise[..., j].std())
            hint = "Draw z = rng.standard_normal((B, A)) and add noise_std * z to the actor's action."
            if abs(got_std - std**2) < 0.1 * std**2 and abs(std - std**2) > 0.2 * std:
                hint = "noise_std is the standard deviation: multiply z by noise_std, not by noise_std**2."
            elif np.max(np.abs(standardized[:, j])) <= 1.0 + 1e-6:
                hint = ("The noise never exceeds noise_std: it looks uniform on [-noise_std, noise_std]. DDPG's "
                        "noise is Gaussian, noise_std * rng.standard_normal((B, A)).")
            fail(f"{what} with noise_std={std:g}: in action dimension {j} the noise a - mu(s) (over {count} draws) "
                 f"does not look like N(0, {std:g}^2): its empirical CDF strays from the normal one by "
                 f"{distance:.3f} (allowed {tolerance:.3f}, exceeded by correct Gaussian noise with probability "
                 f"below {FALSE_ALARM / 2:.2g}); its mean is {got_mean:.3g} and its standard deviation {got_std:.3g}. "
                 f"{hint}")
    check_noise_independence(samples, mu, args["low"], args["high"], np.full(dims, std), what, FALSE_ALARM / 2)


def check_clipping(student, case: dict[str, Any]) -> None:
    """With the clip bounds near the actor's actions, the share of actions clipped onto each
    bound matches P(mu(s) + noise beyond it). Those shares are only as exact as the noise
    is independent, so that is checked first (``check_noise_independence``); the two
    checks share the false-alarm budget, FALSE_ALARM / 2 each."""
    args = case["args"]
    std, low, high = args["noise_std"], args["low"], args["high"]
    samples, mu = _exploration_samples(student, case)
    flat = samples.reshape(-1, samples.shape[-1])
    count, dims = flat.shape
    check_noise_independence(samples, mu, low, high, np.full(dims, std), "exploration_actions(...)",
                             FALSE_ALARM / 2)
    # Hoeffding for the mean of `count` independent indicators (not identically distributed:
    # each row has its own mu), union over the 2 * dims shares: a correct implementation
    # strays by more than the tolerance with probability below FALSE_ALARM / 2.
    tolerance = hoeffding_tolerance(count, 2 * dims, FALSE_ALARM / 2)
    for j in range(dims):
        for side, bound, expected_per_row in (
                ("lower", low[j], normal_cdf((low[j] - mu[:, j]) / std)),
                ("upper", high[j], 1.0 - normal_cdf((high[j] - mu[:, j]) / std))):
            expected = float(np.mean(expected_per_row))
            got = float(np.mean(np.abs(flat[:, j] - bound) <= AT_BOUND))
            if abs(got - expected) > tolerance:
                if got == 0:
                    hint = (" No action lies on this bound at all: actions beyond the box are not clipped onto it "
                            "(torch.clamp) but redrawn, squashed or reflected.")
                elif got < expected:
                    hint = (" Possible causes: noise smaller than noise_std, or actions beyond the box moved into it "
                            "some other way than clipping onto it (torch.clamp).")
                else:
                    hint = " Possible causes: noise larger than noise_std, or noise not centred on mu(s)."
                fail(f"exploration_actions(...) with noise_std={std:g} and bounds [{low[j]:g}, {high[j]:g}] in "
                     f"dimension {j}: {100 * expected:.1f}% of the actions should be clipped onto the {side} bound "
                     f"{bound:g} (the chance that mu(s) + noise lies beyond it), but {100 * got:.1f}% are "
                     f"(allowed: ±{100 * tolerance:.1f} points, exceeded by a correct implementation with probability "
                     f"below {FALSE_ALARM / 2:.2g}).{hint}")


def check_replays(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    first, again, other = result["runs"]
    expect(np.array_equal(first, again),
           "exploration_actions(...) gave different actions for two generators with the same seed (and different "
           "global seeds of numpy and torch): some noise does not come from the rng argument (np.random, "
           "torch.randn or a generator of your own without a seed); draw it with rng.standard_normal or rng.normal.")
    if np.array_equal(first, other):
        args = case["args"]
        greedy = np.clip(result["mu"], args["low"], args["high"])
        cause = ("they are the actor's actions without noise: add noise_std * rng.standard_normal((B, A))"
                 if np.allclose(first, greedy, atol=1e-6) else
                 "the noise does not depend on the rng argument (a generator of your own with a fixed seed?): draw "
                 "it from rng")
        fail(f"exploration_actions(...) gave the same actions for generators with different seeds: {cause}.")


# -- one update, step by step ----------------------------------------------------------------
ONLINE = ("actor", "critic")
TARGETS = ("target_actor", "target_critic")


def _initial_networks(case: dict[str, Any]) -> dict[str, dict[str, np.ndarray]]:
    args = case["args"]
    return {name: {key: value.astype(np.float64) for key, value in args[name]["state"].items()
                   if key.startswith("net.")} for name in (*ONLINE, *TARGETS)}


def _same(got: dict[str, np.ndarray], want: dict[str, np.ndarray], atol: float = 1e-5) -> str | None:
    """The first parameter name where ``got`` differs from ``want``; None if none does."""
    return next((name for name, value in want.items()
                 if not np.allclose(got[name], value, atol=atol, rtol=1e-4)), None)


def _moved(after: dict[str, np.ndarray], before: dict[str, np.ndarray]) -> bool:
    return _same(after, before, atol=1e-9) is not None


def _left_over(got: dict[str, np.ndarray], want: dict[str, np.ndarray], leftover: dict[str, np.ndarray] | None,
               learning_rate: float) -> bool:
    """Whether the step taken is the right one plus the gradient that was left in .grad when
    the call began (SGD: got = want - lr * leftover), i.e. zero_grad() was missing."""
    if leftover is None or not any(np.any(value != 0) for value in leftover.values()):
        return False
    return all(np.allclose(got[name], want[name] - learning_rate * leftover[name], atol=1e-5, rtol=1e-4)
               for name in want)


def _critic_step_hint(call: dict[str, Any], got: dict[str, np.ndarray], want: dict[str, np.ndarray],
                      args: dict[str, Any]) -> str:
    phase0 = [entry for entry in call["forwards"] if entry["phase"] == 0]
    on_next = {entry["network"] for entry in phase0 if entry["input"] == "s'"}
    if "actor" in on_next:
        return ("The targets used the online actor on the next observations: use the target actor, "
                "Q_targ(s', mu_targ(s')).")
    if "critic" in on_next:
        return ("The targets used the online critic on the next observations: use the target critic, "
                "Q_targ(s', mu_targ(s')).")
    if not {"target_actor", "target_critic"} <= on_next:
        return ("The targets did not evaluate both target networks on the next observations: compute them with "
                "ddpg_targets(batch.rewards, batch.terminated, batch.next_observations, target_actor, "
                "target_critic, gamma).")
    gamma = args["gamma"]
    shift = step_multiple(got, want, call.get("gamma_direction"))
    if shift is not None and abs(shift) > 1e-3:
        return (f"The critic moved exactly as targets with gamma={gamma + shift:.4g} would move it; ddpg_update was "
                f"called with gamma={gamma:g}. Pass the gamma argument on to ddpg_targets instead of a fixed number.")
    if _left_over(got, want, call.get("leftover", {}).get("critic"), args["critic_learning_rate"]):
        return ("The step is the right one plus the gradients left over from the previous update in the critic's "
                ".grad (the actor's loss fills it too): call critic_optimizer.zero_grad() before "
                "critic_loss.backward().")
    return ("The targets evaluated both target networks on the next observations, as they should, so the "
            "difference lies elsewhere: the targets' reward, terminal mask or gamma, the loss (the mean of "
            "(Q(s, a) - y)^2 at the batch's actions), or the gradient (zero_grad, backward, step with "
            "critic_optimizer). If the tests of ddpg_targets and critic_loss pass, use those functions here.")


def _actor_step_hint(call: dict[str, Any], before: dict, after: dict, want: dict, args: dict[str, Any]) -> str:
    phase1 = [entry for entry in call["forwards"] if entry["phase"] == 1]
    if not any(entry["network"] == "actor" and entry["input"] == "s" and entry["grad"] for entry in phase1):
        if any(entry["network"] == "critic" and entry.get("actions") == "a" for entry in phase1):
            return ("The actor's loss evaluated the critic at the batch's actions: evaluate it at the actor's own "
                    "actions, -critic(observations, actor(observations)).mean() (actor_loss), so that the gradient "
                    "reaches the actor.")
        return ("The actor was not evaluated on the batch's observations with autograd on before its step: "
                "use actor_loss(actor, critic, batch.observations).")
    if any(entry["network"] in TARGETS for entry in phase1):
        return "The actor's loss used a target network: use the online critic (just updated) and the online actor."
    if not _moved(after, before):
        return "The actor did not move: its loss must depend on actor(observations) (no detach, no torch.no_grad())."
    step_got = {name: after[name] - before[name] for name in before}
    step_want = {name: want[name] - before[name] for name in before}
    if all(np.allclose(step_got[name], -step_want[name], atol=1e-5) for name in before):
        return ("The actor moved the opposite way: the sign of its loss is flipped. The optimizer minimizes, so "
                "the actor's loss is -Q(s, mu(s)).mean().")
    if _left_over(after, want, call.get("leftover", {}).get("actor"), args["actor_learning_rate"]):
        return ("The step is the right one plus the gradients left over from the previous update in the actor's "
                ".grad: call actor_optimizer.zero_grad() before the actor's backward().")
    return ("The actor was evaluated on the batch's observations and moved, but not as -Q(s, mu(s)).mean() with "
            "the critic just updated would move it: check the loss (the mean, not the sum; the online critic after "
            "its step) and that its gradient starts from zero (actor_optimizer.zero_grad() before backward()). "
            "If the test of actor_loss passes, use actor_loss(actor, critic, batch.observations) here.")


def _check_steps(got: dict[str, Any], want: dict[str, Any], before: dict[str, dict], index: int,
                 args: dict[str, Any]) -> None:
    """One call's optimizer steps: order, and both online networks after each step."""
    which = f"update {index + 1}" if index else "ddpg_update"
    order = [event["optimizer"] for event in got["events"]]
    expected = [event["optimizer"] for event in want["events"]]
    if order != expected:
        hint = ""
        if not order:
            hint = (" It stepped neither optimizer it was given: call critic_optimizer.step() and "
                    "actor_optimizer.step(), not an optimizer of your own.")
        elif order.count("critic_optimizer") > 1:
            hint = (" critic_optimizer.step() ran again after the actor's loss: that moves the critic along the "
                    "actor's gradient too. The actor step must leave the critic unchanged.")
        elif order.count("actor_optimizer") > 1:
            hint = " actor_optimizer.step() ran more than once: the critic step must leave the actor unchanged."
        elif order == expected[::-1]:
            hint = (" The actor stepped first: update the critic first, then compute the actor's loss with the "
                    "critic just updated.")
        fail(f"{which} should take one critic_optimizer step, then one actor_optimizer step; the steps taken were "
             f"{order}.{hint}")
    critic_event, actor_event = got["events"]
    golden_critic_event, golden_actor_event = want["events"]
    name = _same(critic_event["actor"], before["actor"], atol=1e-9)
    expect(name is None, f"In {which}, the critic step changed the actor's {name}: only the critic may move then.")
    name = _same(critic_event["critic"], golden_critic_event["critic"])
    if name is not None:
        hint = _critic_step_hint(got, critic_event["critic"], golden_critic_event["critic"], args)
        fail(f"In {which}, after the critic step the critic's {name} should be "
             f"{show(golden_critic_event['critic'][name])} but is {show(critic_event['critic'][name])}. {hint}")
    name = _same(actor_event["critic"], critic_event["critic"], atol=1e-9)
    expect(name is None, f"In {which}, the actor step changed the critic's {name}: only the actor may move then "
                         "(step actor_optimizer only).")
    name = _same(actor_event["actor"], golden_actor_event["actor"])
    if name is not None:
        hint = _actor_step_hint(got, before["actor"], actor_event["actor"], golden_actor_event["actor"], args)
        fail(f"In {which}, after the actor step the actor's {name} should be {show(golden_actor_event['actor'][name])} "
             f"but is {show(actor_event['actor'][name])}. {hint}")
    for key, value in want["stats"].items():
        value_got = got["stats"].get(key)
        if value_got is None or not np.isclose(value_got, value, atol=1e-5, rtol=1e-4):
            fail(f"{which} returned stats[{key!r}] = {value_got}; expected {value:.6g}, although both networks were "
                 "updated correctly. The provided return statement reads critic_loss_value and actor_loss_value (each "
                 "the loss before its step) and q_values: one of them holds something else, or the return statement "
                 "was changed.")


def _fraction(got: dict[str, np.ndarray], old: dict[str, np.ndarray], online: dict[str, np.ndarray]) -> float | None:
    """The f with got = old + f * (online - old) for every parameter, if one f explains them all."""
    gap = np.concatenate([(online[name] - old[name]).ravel() for name in old])
    moved = np.concatenate([(got[name] - old[name]).ravel() for name in old])
    if not np.any(np.abs(gap) > 1e-3):
        return None
    fraction = float(np.dot(moved, gap) / np.dot(gap, gap))
    return fraction if np.allclose(moved, fraction * gap, atol=1e-5) else None


def _check_targets_after(got: dict[str, Any], want: dict[str, Any], before: dict[str, dict], index: int,
                         tau: float) -> None:
    """One call's Polyak updates of both target networks (and online networks left alone)."""
    which = f"update {index + 1}" if index else "ddpg_update"
    for online in ONLINE:
        name = _same(got["networks"][online], want["networks"][online])
        if name is not None:
            hint = ""
            if any(call["target"] == online for call in got["polyak"]):
                hint = (" polyak_update was called with the online network first: the order is "
                        "polyak_update(target_network, online_network, tau).")
            fail(f"After {which}, the online {online}'s {name} is {show(got['networks'][online][name])} instead of "
                 f"{show(want['networks'][online][name])}: the target update must not change the online networks."
                 f"{hint}")
    for target, online in zip(TARGETS, ONLINE):
        name = _same(got["networks"][target], want["networks"][target])
        if name is None:
            continue
        calls = [call for call in got["polyak"] if call["target"] == target]
        fraction = _fraction(got["networks"][target], before[target], got["networks"][online])
        if not calls and fraction is not None and abs(fraction) < 1e-6:
            hint = f"It was not updated: call polyak_update({target}, {online}, tau) after both steps."
        elif calls and any(call["online"] != online for call in calls):
            hint = f"It was averaged towards {calls[0]['online']}: polyak_update({target}, {online}, tau)."
        elif (calls and all(abs(call["tau"] - (1 - tau)) < 1e-9 for call in calls)) or (
                fraction is not None and abs(fraction - (1 - tau)) < 1e-4):
            hint = (f"It moved {1 - tau:g} of the way towards the online {online}: tau is on the wrong side. tau is "
                    "the weight on the ONLINE network: target <- tau * online + (1 - tau) * target, "
                    "i.e. polyak_update(target, online, tau).")
        elif len(calls) > 1:
            hint = f"polyak_update was called {len(calls)} times on it: once per ddpg_update."
        elif calls and calls[0]["phase"] < 2:
            hint = ("It was averaged before both optimizer steps were taken: update the targets last, towards the "
                    "networks just trained.")
        elif fraction is not None:
            hint = (f"It moved {fraction:.3g} of the way towards the online {online}, instead of tau={tau:g}: "
                    "polyak_update(target, online, tau).")
        else:
            hint = f"Update it with polyak_update({target}, {online}, tau) after both steps."
        fail(f"After {which}, the {target}'s {name} should be {show(want['networks'][target][name])} but is "
             f"{show(got['networks'][target][name])}. {hint}")


def _no_target_grads(result: dict[str, Any]) -> None:
    reached = with_gradient(result["target_grads"], nonzero=True)
    expect(not reached,
           f"ddpg_update let gradients reach the target networks ({', '.join(reached[:3])}): "
           "compute the targets under torch.no_grad(); only the online networks are trained.")


def check_update_steps(student, case: dict[str, Any]) -> None:
    """Every call's critic and actor steps, against the reference (targets averaged correctly
    by the probe in between, so this does not depend on the Polyak part of the update)."""
    result = run(student, case)
    golden = case["golden"]
    before = _initial_networks(case)
    calls = list(zip(result["calls"], golden["calls"]))
    for index, (got, want) in enumerate(calls):
        _check_steps(got, want, before, index, case["args"])
        if index < len(calls) - 1:  # the next call's targets depend on these
            _check_targets_after(got, want, before, index, case["args"]["tau"])
        before = got["networks"]
    _no_target_grads(result)


def check_update_targets(student, case: dict[str, Any]) -> None:
    """Only the Polyak updates: each call's targets, judged against the online networks that
    call's own steps produced, so that a wrong step (graded by check_update_steps) does not
    count twice."""
    result = run(student, case)
    tau = case["args"]["tau"]
    before = _initial_networks(case)
    for index, got in enumerate(result["calls"]):
        trained = {online: (got["events"][-1][online] if got["events"] else before[online]) for online in ONLINE}
        expected = {target: {name: (1 - tau) * before[target][name] + tau * trained[online][name]
                             for name in before[target]} for target, online in zip(TARGETS, ONLINE)}
        _check_targets_after(got, {"networks": {**trained, **expected}}, before, index, tau)
        before = got["networks"]


# -- learning ----------------------------------------------------------------------------------
PENDULUM_ADVICE = ("Make the other tests of this part pass first (and those of replay_buffer and target_network, "
                   "which train uses); then check that the exploration noise is added to the actor's action and "
                   "that the targets come from the target networks.")
