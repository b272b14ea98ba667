"""Checks shared by the public and hidden tests of part "naf".

Golden checks compare with the reference's output on fixed inputs and, when a value is
wrong, name the first plausible mistake that reproduces it exactly (a guess computed here
from the case's inputs). Property checks need no golden value: Q must peak at mu with value
V, and the quadratic form it uses must be L L^T. The exploration check is statistical; its
false-alarm probability is below FALSE_ALARM (see :func:`check_exploration`).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograder.graders.continuous import check_noise_independence, step_multiple
from autograder.graders.q_targets import first_match
from autograder.graders.statistics import dkw_tolerance, normal_cdf
from autograder.graders.support import call_with_hint, expect, expect_close, expect_tensor, fail, show, with_gradient

FALSE_ALARM = 1e-6  # per statistical check
BOUND_SLACK = 1e-6  # float32 rounding

NO_GRAPH = re.compile(r"does not require grad and does not have a grad_fn")
INPLACE = re.compile(r"modified by an inplace operation")
MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied")
SIZES = re.compile(r"size of tensor a \(\d+\) must match")


def error_hint(message: str) -> str:
    """A likely cause, in the student's terms, for a known exception from their code."""
    if NO_GRAPH.search(message):
        return ("backward() got a tensor without an autograd graph: Q(s, a) computed under torch.no_grad(), "
                "detached, or rebuilt from .item() or numpy values. Only the targets are computed without gradient.")
    if INPLACE.search(message):
        return ("A tensor that backward() needs was changed in place. In lower_triangular, build L in a fresh tensor "
                "(new_zeros, then index assignment) rather than writing into `entries`; elsewhere, avoid in-place "
                "operations (+=, exp_(), ...) on tensors of the graph.")
    if MATMUL.search(message):
        return ("A matrix product got shapes that do not line up. In the quadratic form, with d = a - mu of shape "
                "[B, A], compute d^T P d per row, e.g. d.unsqueeze(1) @ P @ d.unsqueeze(2), or "
                "torch.einsum('bi,bij,bj->b', ...).")
    if SIZES.search(message):
        return ("Two tensors whose shapes do not line up were combined elementwise (the sizes are in the error). "
                "The shapes here: V, Q, rewards, terminated and targets [B]; mu, actions and a - mu [B, A]; "
                "L and P [B, A, A].")
    return ""


def run(student, case: dict[str, Any], timeout: float = 20) -> Any:
    return call_with_hint(student, case, error_hint, timeout=timeout)


# -- L from its entries ----------------------------------------------------------------------
def lower_guesses(entries: np.ndarray, action_dim: int) -> dict[str, np.ndarray]:
    """Plausible wrong L's for these entries."""
    batch = len(entries)
    diagonal = np.arange(action_dim)

    def fill(rows: np.ndarray, columns: np.ndarray, positive=np.exp, upper: bool = False) -> np.ndarray:
        matrix = np.zeros((batch, action_dim, action_dim))
        matrix[:, rows, columns] = entries
        matrix[:, diagonal, diagonal] = positive(matrix[:, diagonal, diagonal])
        return np.swapaxes(matrix, 1, 2) if upper else matrix

    rows, columns = np.tril_indices(action_dim)
    # Column by column: (0,0), (1,0), (2,0), (1,1), ...
    by_column = sorted(zip(rows, columns), key=lambda pair: (pair[1], pair[0]))
    column_rows, column_columns = (np.array(axis) for axis in zip(*by_column))
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731
    return {
        "The diagonal was not made positive: replace each diagonal entry by exp(entry).":
            fill(rows, columns, positive=lambda x: x),
        "The diagonal was made positive with softplus (or another function): the convention is exp.":
            fill(rows, columns, positive=softplus),
        "The diagonal was made positive with abs or a square: the convention is exp.":
            fill(rows, columns, positive=np.abs),
        "The entries fill the UPPER triangle (L^T): fill the lower one, below the diagonal.":
            fill(rows, columns, upper=True),
        "The entries fill the lower triangle column by column: the order is torch.tril_indices(A, A), row by row "
        "(L[0,0], L[1,0], L[1,1], L[2,0], ...).": fill(column_rows, column_columns),
        "exp was applied to every entry: only the diagonal is made positive, the entries below it are kept.":
            np.tril(np.exp(fill(rows, columns, positive=lambda x: x))),
    }


def check_lower(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    args, golden = case["args"], case["golden"]
    entries, action_dim = args["entries"].astype(np.float64), args["action_dim"]
    what = f"lower_triangular(entries of shape {list(entries.shape)}, action_dim={action_dim})"
    expected = golden["values"]
    if result["shape"] == list(expected.shape):
        got = result["values"]
        upper = np.triu(got, k=1)
        if np.abs(upper).max() > 0:
            fail(f"{what} has non-zero entries above the diagonal ({show(got[0])} for the first row). L is "
                 "lower-triangular: fill only the positions of torch.tril_indices(A, A).")
        if not np.allclose(got, expected, atol=1e-5, rtol=1e-5):
            guess = first_match(got, lower_guesses(entries, action_dim))
            fail(f"{what}: expected {show(expected)}, got {show(got)}. {guess}".strip())
        diagonal = np.diagonal(got, axis1=1, axis2=2)
        expect(np.all(diagonal > 0), f"{what} has a diagonal entry <= 0: {show(diagonal)}.")
    expect_tensor(result, expected, what)
    expect(result["requires_grad"],
           f"{what} returned a tensor without an autograd graph, so no gradient can reach the L head: build L "
           "from `entries` with torch operations (no .item(), numpy or .detach()).")


# -- Q values ----------------------------------------------------------------------------------
def quadratic(matrices: np.ndarray, differences: np.ndarray) -> np.ndarray:
    return np.einsum("bi,bij,bj->b", differences, matrices, differences)


def check_q_values(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    args, golden = case["args"], case["golden"]["values"]
    values, mu, lower, actions = (args[name].astype(np.float64) for name in ("values", "mu", "lower", "actions"))
    what = f"naf_q_values(...) with A={mu.shape[1]}"
    difference = actions - mu
    lower_t = np.swapaxes(lower, 1, 2)
    precision = lower @ lower_t
    guesses = {
        "P = L was used: P = L L^T (lower @ lower.transpose(1, 2)).": values - 0.5 * quadratic(lower, difference),
        "P = L^T L was used: P = L L^T (lower @ lower.transpose(1, 2)), in that order.":
            values - 0.5 * quadratic(lower_t @ lower, difference),
        "The 1/2 is missing: Q = V - 1/2 (a - mu)^T P (a - mu).": values - quadratic(precision, difference),
        "The advantage has the wrong sign: Q = V MINUS 1/2 (a - mu)^T P (a - mu), so Q is largest at mu.":
            values + 0.5 * quadratic(precision, difference),
        "Only the diagonal of P was used: the quadratic form needs all of P = L L^T.":
            values - 0.5 * np.einsum("bi,bi->b", difference**2, np.diagonal(precision, axis1=1, axis2=2)),
        "V is missing: Q = V - 1/2 (a - mu)^T P (a - mu).": -0.5 * quadratic(precision, difference),
    }
    if result["shape"] == [len(values)] and not np.allclose(result["values"], golden, atol=1e-4, rtol=1e-5):
        fail(f"{what}: expected {show(golden)}, got {show(result['values'])}. "
             f"{first_match(result['values'], guesses)}".strip())
    expect_tensor(result, golden, what, atol=1e-4)


def check_q_gradients(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    golden = case["golden"]
    causes = {
        "values": "V does not reach Q: Q = V - 1/2 (a - mu)^T P (a - mu) must use the `values` argument.",
        "mu": "mu is detached (or not used): Q must be differentiable with respect to mu, so that the mu head "
              "learns where the maximum is. Do not .detach() mu or call .item()/numpy on it.",
        "entries": "No gradient reaches the raw L entries: build L from `entries` with torch operations "
                   "(index assignment into a new tensor, torch.exp), and use it in Q without detaching.",
    }
    for name in ("values", "mu", "entries"):
        if result[name] is None or not np.any(result[name]):
            fail(f"The gradient of Q with respect to {name} is {'missing' if result[name] is None else 'zero'}. "
                 f"{causes[name]}")
    for name in ("values", "mu", "entries"):
        expect_close(result[name], golden[name], f"the gradient of sum_b w_b Q_b with respect to {name}",
                     hint="The gradients follow from Q = V - 1/2 (a - mu)^T L L^T (a - mu) with L from "
                          "lower_triangular: if the tests of those two fail, fix them first.", atol=1e-4, rtol=1e-4)


def check_landscape(student, case: dict[str, Any]) -> None:
    """Q(mu) = V; Q(mu + e_i) etc. read off the quadratic form, which must equal L L^T."""
    result = run(student, case)
    args = case["args"]
    values, mu, lower, offsets = (args[name].astype(np.float64) for name in ("values", "mu", "lower", "offsets"))
    action_dim = mu.shape[1]
    at_mu, around = result["at_mu"], result["around"]
    if not np.allclose(at_mu, values, atol=1e-4, rtol=1e-5):
        fail(f"At a = mu(s), Q(s, a) must equal V(s) (the advantage term vanishes): V = {show(values)}, but "
             f"naf_q_values(V, mu, L, actions=mu) = {show(at_mu)}. Possible causes: the advantage not computed from "
             "a - mu (it must vanish at a = mu), or V not added exactly once: Q = V - 1/2 (a - mu)^T P (a - mu).")
    # Q(mu + d) = V - 1/2 d^T P d: read the symmetric part of P off the unit vectors and their sums.
    drop = values[:, None] - around  # = 1/2 d^T P d for each offset d
    read = np.zeros((len(values), action_dim, action_dim))
    for i in range(action_dim):
        read[:, i, i] = 2 * drop[:, i]
    pair = action_dim
    for i in range(action_dim):
        for j in range(i + 1, action_dim):
            read[:, i, j] = read[:, j, i] = drop[:, pair] - drop[:, i] - drop[:, j]
            pair += 1
    precision = lower @ np.swapaxes(lower, 1, 2)
    if np.any(drop <= 0):
        row, index = np.argwhere(drop <= 0)[0]
        fail(f"Q must be largest at mu (P is positive definite), but for row {row} with V = {values[row]:.4g}, "
             f"Q at mu + {show(offsets[index])} is {around[row, index]:.6g} >= V. Check the sign: "
             "Q = V - 1/2 (a - mu)^T P (a - mu) with P = L L^T.")
    if not np.allclose(read, precision, atol=1e-3, rtol=1e-4):
        lower_sym = (lower + np.swapaxes(lower, 1, 2)) / 2
        reversed_p = np.swapaxes(lower, 1, 2) @ lower
        hint = first_match(read, {
            "It equals (L + L^T)/2, i.e. P = L was used: P = L L^T.": lower_sym,
            "It equals L^T L: P = L L^T, in that order.": reversed_p,
            "It equals 2 L L^T: the 1/2 is missing.": 2 * precision,
        })
        fail(f"The matrix P that your Q-values imply (read off Q at mu + e_i and mu + e_i + e_j) should be "
             f"L L^T = {show(precision[0])} for the first row, but is {show(read[0])}. {hint}".strip())
    expected = values[:, None] - 0.5 * np.einsum("ki,bij,kj->bk", offsets, precision, offsets)
    expect_close(around, expected, "Q at mu + d for several directions d", atol=1e-4, rtol=1e-4,
                 hint="Q = V - 1/2 (a - mu)^T L L^T (a - mu).")


# -- targets -----------------------------------------------------------------------------------
def check_targets(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    args, golden = case["args"], case["golden"]["values"]
    rewards, terminated, next_values, gamma = args["rewards"], args["terminated"], args["next_values"], args["gamma"]
    guesses = {
        "The terminal mask is missing: where terminated is 1 the target is just the reward.":
            rewards + gamma * next_values,
        "The mask multiplies the reward too: only the bootstrap is masked, r + gamma * (1 - terminated) * V(s').":
            (1 - terminated) * (rewards + gamma * next_values),
        "gamma is missing from the bootstrap term.": rewards + (1 - terminated) * next_values,
        "The mask is inverted: bootstrap where terminated is 0, i.e. multiply by (1 - terminated).":
            rewards + gamma * terminated * next_values,
    }
    what = "naf_targets(...)"
    if result["shape"] == list(golden.shape) and not np.allclose(result["values"], golden, atol=1e-4, rtol=1e-5):
        fail(f"{what}: expected {show(golden)}, got {show(result['values'])}. "
             f"{first_match(result['values'], guesses)}".strip())
    expect_tensor(result, golden, what, atol=1e-4)
    expect(not result["requires_grad"],
           f"{what} returned a tensor that requires grad: a gradient would flow through the target into "
           "V(s'). Detach next_values (.detach()) before using them.")


# -- exploration -------------------------------------------------------------------------------
def check_exploration(student, case: dict[str, Any]) -> None:
    """Every draw inside the box, float32 [B, A]; each cell's draws distributed as
    clip(mu + noise_std * N(0, 1), low, high), independently across rows and dimensions;
    the same seed gives the same actions.

    The distribution check compares, for each of the B * A cells, the empirical CDF of its
    n draws with the true CDF of the clipped Gaussian, on a grid of points inside the box.
    The Dvoretzky-Kiefer-Wolfowitz inequality (Massart's constant; it holds for any
    distribution, atoms at the bounds included) gives P(sup_x |F_n - F| > eps) <=
    2 exp(-2 n eps^2); the sup over a grid is at most the sup over all x, and a union bound
    over the cells keeps its false-alarm probability below FALSE_ALARM / 2. The joint check
    (``check_noise_independence``: rows of one call, dimensions of one row) gets the other
    FALSE_ALARM / 2, so the test as a whole stays below FALSE_ALARM.
    """
    result = run(student, case, timeout=30)
    args = case["args"]
    mu, std = args["mu"].astype(np.float64), float(args["noise_std"])
    low, high = args["low"].astype(np.float64), args["high"].astype(np.float64)
    batch, action_dim = mu.shape
    layout = result["layout"]
    expect(layout == {"dtype": "float32", "shape": [batch, action_dim]},
           f"noisy_actions(mu of shape [{batch}, {action_dim}], ...) returned dtype {layout['dtype']} and shape "
           f"{layout['shape']}; expected float32 [{batch}, {action_dim}] (one action per row of mu).")
    draws = result["draws"]  # [n, B, A]
    outside = (draws < low - BOUND_SLACK) | (draws > high + BOUND_SLACK)
    if outside.any():
        _, row, dim = np.argwhere(outside)[0]
        worst = draws[:, row, dim]
        fail(f"noisy_actions returned {worst[(worst < low[dim]) | (worst > high[dim])][0]:.4g} in dimension {dim}, "
             f"outside the box [{low[dim]:g}, {high[dim]:g}] (mu = {mu[row, dim]:g}). Clip the noisy actions to "
             "[low, high] (torch.clamp(actions, low, high)).")
    count = draws.shape[0]
    tolerance = dkw_tolerance(count, batch * action_dim, FALSE_ALARM / 2)
    for row in range(batch):
        for dim in range(action_dim):
            grid = np.linspace(low[dim], high[dim], 41)[:-1]  # F = 1 at high itself
            true_cdf = normal_cdf((grid - mu[row, dim]) / std)
            samples = np.sort(draws[:, row, dim])
            empirical = np.searchsorted(samples, grid, side="right") / count
            gap = np.abs(empirical - true_cdf)
            if gap.max() > tolerance:
                spread = np.std(samples[(samples > low[dim] + 1e-4) & (samples < high[dim] - 1e-4)])
                hint = ""
                centre = np.median(samples)
                if abs(centre - mu[row, dim]) > 3 * std / np.sqrt(count) * 5 and low[dim] < centre < high[dim]:
                    hint = f" The draws centre on {centre:.3g}, not on mu = {mu[row, dim]:g}: add the noise to mu."
                elif np.isclose(spread, std**2, rtol=0.15) and not np.isclose(std, std**2, rtol=0.3):
                    hint = " Their spread looks like noise_std**2: noise_std is the standard deviation, not the variance."
                else:
                    hint = (f" Their standard deviation inside the box is about {spread:.3g}, for noise_std = {std:g}: "
                            "draw standard normal noise (rng.standard_normal or rng.normal(0, noise_std)) and scale it "
                            "by noise_std.")
                where = int(np.argmax(gap))
                fail(f"For mu = {mu[row, dim]:g} in dimension {dim} (box [{low[dim]:g}, {high[dim]:g}]) and "
                     f"noise_std = {std:g}, a share {true_cdf[where]:.3f} of the actions should fall at or below "
                     f"{grid[where]:.3g}; over {count} calls, {empirical[where]:.3f} did (allowed: ±{tolerance:.3f}, "
                     f"exceeded by a correct implementation with probability below {FALSE_ALARM / 2:.2g}).{hint}")
    check_noise_independence(draws, mu, low, high, np.full(action_dim, std), "noisy_actions(...)", FALSE_ALARM / 2)
    expect(np.array_equal(result["replays"][0], result["replays"][1]),
           "noisy_actions gave different actions for two generators with the same seed: draw every random "
           "number from the rng argument (rng.standard_normal, rng.normal), not np.random or torch.")


# -- the update ----------------------------------------------------------------------------------
STAT_KEYS = ("losses/q_loss", "losses/q_values", "losses/targets", "losses/grad_norm")


def _target_hint(got: dict[str, np.ndarray], result: dict[str, Any], golden: dict[str, Any],
                 tau: float) -> str:
    """The likely cause of a wrong target network after update_naf, from whole-network guesses."""
    before, online_after, online_before = golden["target_before"], golden["online"], golden["online_before"]
    guesses = {
        "target_unchanged": {name: before[name] for name in before},
        "wrong_side": {name: (1 - tau) * online_after[name] + tau * before[name] for name in before},
        "before_step": {name: tau * online_before[name] + (1 - tau) * before[name] for name in before},
        "copy": {name: online_after[name] for name in before},
    }
    messages = {
        "target_unchanged": "The target network did not move: call polyak_update(target_network, network, tau) "
                            "after the optimizer step.",
        "wrong_side": "It equals (1 - tau) * online + tau * target: tau is on the wrong side. Here tau weighs the "
                      "online network: polyak_update(target_network, network, tau), target <- tau*online + "
                      "(1-tau)*target.",
        "before_step": "It was averaged with the online network from before the optimizer step: call "
                       "polyak_update after optimizer.step(), which the provided code does between the two blocks.",
        "copy": "It equals the online network: a hard copy instead of a Polyak update with tau.",
    }
    for key, guess in guesses.items():
        if all(np.allclose(got[name], guess[name], atol=1e-5, rtol=1e-5) for name in guess):
            return messages[key]
    return ""


_TARGETS_CAUSES = ("It matches none of the usual mix-ups (V(s') of the online network, Q_target(s', a) at the batch's "
                   "actions, a missing terminal mask, another gamma). The targets are naf_targets(batch.rewards, "
                   "batch.terminated, target_network.value(batch.next_observations), gamma).")


def _gamma_hint(result: dict[str, Any], golden: dict[str, Any], gamma: float, target_gap: float) -> str:
    """Names a fixed gamma only if two observations agree on it: the mean target is what
    another gamma gives, and the online network moved as that gamma's targets would move it
    (``gamma_direction``, from the probe)."""
    bootstrap = result["mix_ups"].get("bootstrap")
    if not bootstrap or abs(bootstrap) < 1e-6:
        return ""
    from_targets = target_gap / bootstrap
    from_step = step_multiple(result["online"], golden["online"], result.get("gamma_direction"))
    if from_step is None or abs(from_step - from_targets) > 1e-3 * (1 + abs(from_targets)):
        return ""
    return (f"It is the mean target that gamma={gamma + from_targets:.4g} gives, and the online network moved as "
            f"targets with that gamma would move it; update_naf was called with gamma={gamma:g}. Pass the gamma "
            "argument on to naf_targets instead of a fixed number.")


def check_update(student, case: dict[str, Any]) -> None:
    result = run(student, case)
    args, golden = case["args"], case["golden"]
    tau, mix_ups = args["tau"], golden["mix_ups"]
    missing = [key for key in STAT_KEYS if result["stats"].get(key) is None]
    expect(not missing, f"update_naf's stats lack {missing}: return the provided stats dict.")
    targets, want_targets = result["stats"]["losses/targets"], golden["stats"]["losses/targets"]
    if not np.isclose(targets, want_targets, atol=1e-4, rtol=1e-4):
        hint = first_match(np.asarray(targets), {
            "It is what V(s') of the ONLINE network gives: compute next_values with target_network.value.":
                mix_ups["targets_online_value"],
            "It is what Q_target(s', a) at the batch's actions gives: the max over a' of Q_target(s', a') is "
            "V_target(s'), so use target_network.value(next_observations).": mix_ups["targets_target_q_at_actions"],
            "It is what the targets give without the terminal mask: pass batch.terminated to naf_targets.":
                mix_ups["targets_no_mask"],
        })
        hint = hint or _gamma_hint(result, golden, args["gamma"], targets - want_targets)
        fail(f"update_naf's mean target (stats['losses/targets']) should be {want_targets:.6g}, got {targets:.6g}. "
             f"{hint or _TARGETS_CAUSES}")
    q_values, want_q = result["stats"]["losses/q_values"], golden["stats"]["losses/q_values"]
    if not np.isclose(q_values, want_q, atol=1e-4, rtol=1e-4):
        hint = ("It is the mean of V(s): Q was evaluated at mu(s). Regress Q(s, a) at the actions the batch took, "
                "network(observations, actions).") if np.isclose(q_values, mix_ups["q_at_mu"], atol=1e-4) else (
                "Compute Q(s, a) = network(batch.observations, batch.actions) with the ONLINE network; if the tests of "
                "lower_triangular or naf_q_values fail, fix those first (the network uses them).")
        fail(f"update_naf's mean Q(s, a) (stats['losses/q_values']) should be {want_q:.6g}, got {q_values:.6g}. {hint}")
    loss, want_loss = result["stats"]["losses/q_loss"], golden["stats"]["losses/q_loss"]
    if not np.isclose(loss, want_loss, atol=1e-4, rtol=1e-4):
        hint = ""
        if np.isclose(loss, want_loss / 2, rtol=1e-4):
            hint = " It is half the expected value: the loss is the mean of (Q(s, a) - y)**2, without 1/2."
        fail(f"update_naf's loss (stats['losses/q_loss']) should be {want_loss:.6g}, got {loss:.6g}: the mean "
             f"squared error between Q(s, a) and the targets.{hint}")
    reached = with_gradient(result["target_grads"])
    expect(not reached,
           f"After update_naf, the target network's {reached[:3]} have gradients: the targets "
           "were computed with autograd on. Compute target_network.value(...) under torch.no_grad().")
    swapped = {name: tau * golden["target_before"][name] + (1 - tau) * expected
               for name, expected in golden["online"].items()}
    if tau > 0 and all(np.allclose(result["online"][name], swapped[name], atol=1e-5, rtol=1e-5) for name in swapped):
        fail(f"After update_naf with tau={tau:g}, the ONLINE network was moved towards the target network: the "
             "arguments of polyak_update are swapped. It is polyak_update(target_network, network, tau): the "
             "network written to comes first.")
    for name, expected in golden["online"].items():
        expect_close(result["online"][name], expected, f"the online network's {name} after one update_naf step",
                     hint="The targets, Q(s, a) and the loss match the reference's, so the gradient differs: part of "
                          "Q(s, a) detached, or the provided zero_grad, clip_grad_norm_ and step lines changed.")
    wrong = [name for name, expected in golden["target"].items()
             if not np.allclose(result["target"][name], expected, atol=1e-5, rtol=1e-5)]
    if wrong:
        name = wrong[0]
        hint = _target_hint(result["target"], result, golden, tau)
        fail(f"After update_naf with tau={tau:g}, the target network's {name} should be "
             f"{show(golden['target'][name])} but is {show(result['target'][name])}. {hint}".strip())


# -- learning ------------------------------------------------------------------------------------
PENDULUM_ADVICE = ("Make the other naf tests pass first; then check that the targets use the target network's "
                   "V(s') and that exploration adds noise around mu.")
