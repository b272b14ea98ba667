"""Checks of an action maximizer shared by parts random_shooting and cem, and two shared
with the continuous-action agents (sampled_q, naf, ddpg).

The student's maximizer gets a ``q_function`` that records every call
(``autograder/probes/_analytic_q.py``). Most checks read that record and are exact: the
result's dtype, shape and bounds; one batched call of B * M rows (per iteration, for CEM);
the action returned is a sample that was evaluated for its own observation, the best one,
and the value returned is Q there. The statistical checks of each part are in its own
``checks.py``; their tolerances come from ``autograder/graders/statistics.py``.

For the agents: exploration noise (of parts ddpg, naf and sampled_q) independent across the
rows of a call and the dimensions of a row: Hoeffding on sign agreements
(:func:`check_noise_independence`); and :func:`step_multiple`, which names an update taken
with the wrong step.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from autograder.graders.statistics import FALSE_ALARM, hoeffding_tolerance, normal_cdf
from autograder.graders.support import call_with_hint, expect, fail, show
from autograder.shared.analytic_q import q_values

BOUND_SLACK = 1e-6  # float32 rounding of low + (high - low) * u may land a hair outside
INDEX_MISMATCH = re.compile(r"shape mismatch: indexing tensors could not be broadcast together")
TOPK_RANGE = re.compile(r"selected index k out of range")


def step_multiple(got: dict[str, np.ndarray], want: dict[str, np.ndarray],
                  direction: dict[str, np.ndarray] | None) -> float | None:
    """The c with got = want + c * direction for every parameter named in ``direction``, if
    one c explains all of them and they differ at all; None otherwise. A probe reports
    ``direction`` (say, how an SGD step moves per unit of gamma), so that a wrong step can be
    traced to one wrong coefficient, and the message names it only when it fits."""
    if not direction:
        return None
    names = [name for name in direction if name in got and name in want]
    difference = np.concatenate([(np.asarray(got[name], np.float64) - want[name]).ravel() for name in names])
    along = np.concatenate([np.asarray(direction[name], np.float64).ravel() for name in names])
    if not np.any(np.abs(along) > 1e-6) or not np.any(np.abs(difference) > 1e-6):
        return None
    c = float(np.dot(difference, along) / np.dot(along, along))
    return c if np.allclose(difference, c * along, atol=1e-5, rtol=1e-4) else None


# -- running the student's code --------------------------------------------------------------
def _sizes(case: dict[str, Any]) -> tuple[int, int, int]:
    """(B, M, A) of a case."""
    args = case["args"]
    batch = int(np.shape(args["q"]["observations"])[0])
    samples = int(args["settings"]["num_samples"] if "settings" in args else args["num_samples"])
    return batch, samples, len(args["low"])


def error_hint(message: str, case: dict[str, Any]) -> str:
    """A likely cause, in the student's terms, for a known exception from their code."""
    if INDEX_MISMATCH.search(message):
        return ("Index tensors of different shapes were combined. A common cause: with the values arranged [B, M], "
                "the max (or the top num_elites) taken over the observations (dim=0) instead of over each "
                "observation's samples (dim=1).")
    if TOPK_RANGE.search(message):
        return ("topk asked for more entries than its axis has. A common cause: the elites taken over the "
                "observations (dim=0 of the [B, M] values) instead of over each observation's samples (dim=1).")
    return ""


def run(student, case: dict[str, Any], **overrides: Any) -> Any:
    """Run one fixture case on the student's code; a known error gets a hint."""
    return call_with_hint(student, case, lambda text: error_hint(text, case), timeout=30, **overrides)


# -- the result: dtype, shape, bounds ---------------------------------------------------------
def check_layout(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """actions float32 [B, A] inside [low, high] and finite; values float32 [B]."""
    batch, _, dim = _sizes(case)
    actions, values = result["actions"], result["values"]
    hint = ""
    if actions["shape"] == [batch, 1, dim] or values["shape"] in ([batch, 1], [1, batch]):
        hint = " An extra axis of size 1: index the best sample per observation so the result is [B, A] and [B]."
    elif actions["shape"] == [dim] or values["shape"] == []:
        hint = " One result for the whole batch: each observation gets its own best action."
    expect(actions["shape"] == [batch, dim],
           f"{what} returned actions of shape {actions['shape']}; expected [B, A] = {[batch, dim]}.{hint}")
    expect(values["shape"] == [batch],
           f"{what} returned values of shape {values['shape']}; expected [B] = {[batch]}.{hint}")
    for name, part in (("actions", actions), ("values", values)):
        expect(part["dtype"] == "float32",
               f"{what} returned {name} of dtype {part['dtype']}; expected float32 (samples drawn with numpy are "
               "float64 until converted: torch.as_tensor(..., dtype=torch.float32)).")
        expect(np.all(np.isfinite(part["values"])), f"{what} returned {name} with NaN or inf: {show(part['values'])}.")
    expect_inside(actions["values"], case, f"{what} returned an action")


def expect_inside(actions: np.ndarray, case: dict[str, Any], what: str) -> None:
    """Every row of ``actions`` [N, A] lies in [low, high]."""
    low, high = case["args"]["low"].astype(np.float64), case["args"]["high"].astype(np.float64)
    slack = BOUND_SLACK * np.maximum(1.0, np.maximum(np.abs(low), np.abs(high)))
    outside = np.any((actions < low - slack) | (actions > high + slack), axis=1)
    if np.any(outside):
        row = int(np.flatnonzero(outside)[0])
        fail(f"{what} outside the action box: {show(actions[row])} is not within low={show(low)}, "
             f"high={show(high)} ({int(outside.sum())} of {len(actions)} rows are outside). Keep every sample "
             "in [low, high]: scale uniform draws to the box, or clip Gaussian samples (torch.clamp).")


# -- the calls to q_function ------------------------------------------------------------------
def check_calls(result: dict[str, Any], case: dict[str, Any], what: str, expected_calls: int = 1) -> None:
    """``expected_calls`` calls of B * M rows, M per observation, all under torch.no_grad()."""
    batch, samples, _ = _sizes(case)
    calls = result["calls"]
    rows = [call["rows"] for call in calls]
    per_round = "" if expected_calls == 1 else " per iteration"
    want = f"{expected_calls} call{'s' if expected_calls > 1 else ''}"
    if len(calls) != expected_calls:
        hint = ""
        if len(calls) == expected_calls * batch and batch > 1:
            hint = (" That is one call per observation: pair every observation with its samples and evaluate "
                    f"all B * M = {batch * samples} rows at once.")
        elif len(calls) == expected_calls * batch * samples and samples > 1:
            hint = " That is one call per sample: evaluate all B * M samples at once."
        elif len(calls) == expected_calls + 1:
            hint = (" One call too many: the values of the samples already are Q at them, so the best one needs "
                    "no second evaluation.")
        fail(f"{what} called q_function {len(calls)} times (rows per call: {rows[:8]}); expected {want}, of "
             f"B * M = {batch} * {samples} = {batch * samples} rows each.{hint}")
    for number, call in enumerate(calls, start=1):
        expect(call["rows"] == batch * samples,
               f"{what}: call {number} to q_function had {call['rows']} rows; expected B * M = {batch} * {samples} "
               f"= {batch * samples}{per_round}: every observation paired with each of its M samples.")
        counts = np.bincount(call["index"], minlength=batch)
        if np.any(counts != samples):
            worst = int(np.argmax(np.abs(counts - samples)))
            fail(f"{what}: in call {number}, observation {worst} appears in {counts[worst]} rows instead of M = "
                 f"{samples}: repeat each observation once per sample (observations.repeat_interleave(M, dim=0)).")
        expect(not call["grad_enabled"],
               f"{what}: call {number} to q_function ran with autograd on. A maximizer only reads the critic: "
               "call it under torch.no_grad() (the provided decorator does), or B * M rows of graph are kept.")


def _rows(calls: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All recorded rows: observation index [N], actions [N, A], values [N]."""
    return (np.concatenate([call["index"] for call in calls]),
            np.concatenate([call["actions"] for call in calls]),
            np.concatenate([call["values"] for call in calls]))


def expect_called(result: dict[str, Any], what: str) -> None:
    """Properties of the samples (inside the box, uniform, each observation's own) are only
    worth checking once some samples were evaluated."""
    expect(result["calls"], f"{what} never called q_function: no sample was evaluated.")


def check_evaluated_inside(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """Every action passed to q_function is a finite point of the box."""
    expect_called(result, what)
    for number, call in enumerate(result["calls"], start=1):
        broken = ~np.all(np.isfinite(call["actions"]), axis=1)
        if broken.any():
            hint = ""
            settings = case["args"].get("settings", {})
            if number > 1 and settings.get("num_elites") == 1 and all(
                    np.all(np.isfinite(earlier["actions"])) for earlier in result["calls"][:number - 1]):
                hint = (" The first iteration's samples were finite, and num_elites = 1: most likely the std of "
                        "one elite divided by K - 1 = 0 is NaN (torch's default std, correction=1), and "
                        "clamp(min=min_std) keeps NaN. The std of one sample is 0 (correction=0), which the floor "
                        "lifts to min_std.")
            fail(f"{what}: call {number} to q_function had {int(broken.sum())} of {len(broken)} actions with NaN or "
                 f"inf entries, e.g. {show(call['actions'][int(np.flatnonzero(broken)[0])])}: a sample must be a "
                 f"point of the box.{hint}")
    expect_inside(_rows(result["calls"])[1], case, f"{what} called q_function with an action")


def check_returned_evaluated(result: dict[str, Any], what: str) -> None:
    """Each action returned was passed to q_function: it is one of the samples, not a
    constant or a new point."""
    expect_called(result, what)
    evaluated = _rows(result["calls"])[1]
    for b, action in enumerate(result["actions"]["values"]):
        if not np.any(np.all(np.abs(evaluated - action) <= 1e-6 * (1 + np.abs(action)), axis=1)):
            fail(f"{what}: the action returned for observation {b}, {show(action)}, was never passed to "
                 "q_function. Return the best sample itself (as evaluated), not a mean or a new point.")


# -- the best sample and its value ------------------------------------------------------------
def check_best_sample(result: dict[str, Any], case: dict[str, Any], what: str, rounds: str = "") -> None:
    """Per observation: the action returned was evaluated, its value is Q(s_b, action) and
    the largest value evaluated for s_b (over ``rounds``, e.g. "in any iteration")."""
    q = case["args"]["q"]
    batch = len(q["true_max"])
    actions, values = result["actions"]["values"], result["values"]["values"]
    check_returned_evaluated(result, what)
    index, evaluated, evaluated_values = _rows(result["calls"])
    truth = q_values(q, np.arange(batch), actions)
    for b in range(batch):
        if not np.isclose(values[b], truth[b], rtol=1e-5, atol=1e-5):
            others = [c for c in range(batch) if c != b
                      and np.isclose(values[b], q_values(q, np.array([c]), actions[b:b + 1])[0], rtol=1e-5, atol=1e-5)]
            if others:
                fail(f"{what}: the value returned for observation {b} is Q of observation {others[0]} at that "
                     "action: observations and samples were paired in different orders. Row k of the two "
                     "arguments of q_function must belong together; with samples reshaped from [B, M, A] to "
                     "[B * M, A], repeat each observation M times in a row (observations.repeat_interleave(M, "
                     "dim=0)), not the whole batch M times (observations.repeat(M, 1)).")
            fail(f"{what}: for observation {b} the value returned is {values[b]:.6g}, but Q at the action returned "
                 f"is {truth[b]:.6g}. Return the value of the same sample as the action.")
        own = evaluated_values[index == b]
        if values[b] < own.max() - 1e-5 * (1 + abs(own.max())):
            hint = ""
            if np.isclose(values[b], own.min(), rtol=1e-6, atol=1e-6):
                hint = " It is the smallest value evaluated: use argmax (or max), not argmin."
            elif rounds:
                last = np.concatenate([call["values"][call["index"] == b] for call in result["calls"][-1:]])
                if np.isclose(values[b], last.max(), rtol=1e-6, atol=1e-6):
                    hint = (" It is the best of the last iteration only: keep the best sample seen so far across "
                            "iterations.")
            fail(f"{what}: for observation {b} a sample with Q = {own.max():.6g} was evaluated{rounds and ' ' + rounds}, "
                 f"but the value returned is {values[b]:.6g}. Return the best sample (largest Q) of each "
                 f"observation.{hint}")


# -- the samples: uniform, independent across observations -----------------------------------
def check_independent_across_observations(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """Each observation's samples are its own: fail if more than half of the samples
    strictly inside the box also occur, exactly, for another observation. (Samples on the
    boundary are left out: clipping puts many on the same corner.) Two independent
    continuous draws agree in float32 with a probability of order 2^-24 per coordinate, so
    in the 2 to 5 dimensions of these cases even one coincidence is rare, and half of the
    samples coinciding has a probability far below FALSE_ALARM."""
    low, high = case["args"]["low"], case["args"]["high"]
    expect_called(result, what)
    for number, call in enumerate(result["calls"], start=1):
        actions, index = call["actions"], call["index"]
        inside = np.all((actions > low) & (actions < high), axis=1)
        if inside.sum() < 2:
            continue
        rows, owners = actions[inside], index[inside]
        _, inverse = np.unique(rows, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        owner_sets: dict[int, set[int]] = {}
        for key, owner in zip(inverse.tolist(), owners.tolist()):
            owner_sets.setdefault(key, set()).add(owner)
        shared = np.array([len(owner_sets[key]) > 1 for key in inverse.tolist()])
        if shared.mean() > 0.5:
            fail(f"{what}: in call {number} to q_function, {100 * shared.mean():.0f}% of the samples were also "
                 "evaluated, identically, for another observation: the observations share their samples. Draw "
                 "separate samples for every observation (an array [B, M, A], not [M, A] reused).")


# -- same seed, same result -------------------------------------------------------------------
def check_replays(student, case: dict[str, Any], what: str) -> None:
    runs = run(student, case)["runs"]
    first, again, other = runs
    same = all(np.array_equal(first[key], again[key]) for key in ("actions", "values"))
    expect(same, f"{what} gave different results for two generators with the same seed (and different global "
                 "seeds of numpy and torch): draw every random number from the rng argument (rng.random, "
                 "rng.uniform, rng.standard_normal), not from np.random or torch.")
    expect(not np.array_equal(first["actions"], other["actions"]),
           f"{what} gave the same actions for generators with different seeds: the samples do not depend on the rng "
           "argument (a generator of your own with a fixed seed, or no random draws at all). Draw them from rng.")


def _event_shares(samples: np.ndarray, mean: np.ndarray, std_low: np.ndarray, std_high: np.ndarray,
                  low: np.ndarray, high: np.ndarray) -> dict[str, float]:
    """Two events per sampled coordinate, with their exact probabilities under
    clip(N(mean, std^2), low, high) for any std in [std_low, std_high]:
    ``above``: the sample is above the mean (probability 1/2, 0 if the mean sits on high);
    ``near``: strictly inside the box and within std_low of the mean (probability
    Phi(r_high / std) - Phi(-r_low / std), r = the distance to the edge of that window)."""
    centre, window = mean[:, None], std_low[:, None]
    above = samples > centre
    near = (np.abs(samples - centre) < window) & (samples > low) & (samples < high)
    reach_high, reach_low = np.minimum(std_low, high - mean), np.minimum(std_low, mean - low)
    p_near_widest = normal_cdf(reach_high / std_low) - normal_cdf(-reach_low / std_low)
    p_near_narrowest = normal_cdf(reach_high / std_high) - normal_cdf(-reach_low / std_high)
    return {"above": float(above.mean()), "p_above": float(np.mean(np.where(mean < high, 0.5, 0.0))),
            "near": float(near.mean()), "p_near_min": float(np.mean(p_near_narrowest)),
            "p_near_max": float(np.mean(p_near_widest))}


def _fits(shares: dict[str, float], tolerance: float) -> bool:
    return (abs(shares["above"] - shares["p_above"]) <= tolerance
            and shares["p_near_min"] - tolerance <= shares["near"] <= shares["p_near_max"] + tolerance)


# -- exploration noise: independent across rows and action dimensions -------------------------
def _disjoint_pairs(indices: np.ndarray) -> list[tuple[int, int]]:
    """(i0, i1), (i2, i3), ...: pairs that share no index, so that under independence their
    statistics are independent too."""
    indices = [int(i) for i in indices]
    return list(zip(indices[0::2], indices[1::2]))


def _pair_statistics(draws: np.ndarray, centre: np.ndarray, scale: np.ndarray, low: np.ndarray,
                     high: np.ndarray, pairs: list[tuple[tuple[int, int], tuple[int, int]]]) -> dict[str, Any]:
    """For pairs of (row, dimension) cells, over all calls: how often the two noise values
    have the same sign, and, among the pairs where neither value was clipped, how often the
    two standardized noise values are equal or equal with opposite signs."""
    agree, same, mirrored, unclipped = [], [], [], []
    for (row_a, dim_a), (row_b, dim_b) in pairs:
        x_a, x_b = draws[:, row_a, dim_a], draws[:, row_b, dim_b]
        agree.append((x_a > centre[row_a, dim_a]) == (x_b > centre[row_b, dim_b]))
        inside = (x_a > low[dim_a]) & (x_a < high[dim_a]) & (x_b > low[dim_b]) & (x_b < high[dim_b])
        z_a = (x_a - centre[row_a, dim_a]) / scale[dim_a]
        z_b = (x_b - centre[row_b, dim_b]) / scale[dim_b]
        slack = 1e-4 * (1.0 + np.abs(z_a))
        same.append(inside & (np.abs(z_a - z_b) <= slack))
        mirrored.append(inside & (np.abs(z_a + z_b) <= slack) & (np.abs(z_a) > slack))
        unclipped.append(inside)
    if not agree:
        return {"count": 0}
    inside_count = max(int(np.sum(unclipped)), 1)
    return {"count": int(np.size(agree)), "share": float(np.mean(agree)),
            "same": float(np.sum(same)) / inside_count, "mirrored": float(np.sum(mirrored)) / inside_count}


def check_noise_independence(draws: np.ndarray, centre: np.ndarray, low: np.ndarray, high: np.ndarray,
                             scale: np.ndarray, what: str, false_alarm: float = FALSE_ALARM) -> None:
    """The noise of an exploration function is independent across the rows of one call and
    across the action dimensions of one row, not only right in each cell.

    ``draws`` [N, B, A] are N calls, each x = clip(centre + scale * z, low, high) with
    ``centre`` [B, A] and ``scale`` [A]. For a cell strictly inside the box, x > centre
    exactly when z > 0, so the indicators 1{x > centre} of independent cells are independent
    fair coins, clipping or not. Two such coins agree with probability 1/2; in pairs of cells
    that share no cell (rows paired (0, 1), (2, 3), ... within one dimension; dimensions
    paired likewise within one row), the agreements are independent, and Hoeffding's
    inequality bounds the chance that their share strays from 1/2 by more than the tolerance;
    a union bound over the two shares (across rows, across dimensions) keeps the false alarm
    below ``false_alarm``. Noise shared by the rows, or by the dimensions, agrees in every
    pair; noise with alternating signs never does.

    Float32 rounding can turn a positive noise below the spacing u of the numbers near the
    centre into x = centre. That needs |z| <= u / scale, probability at most
    delta = 2 u / (scale sqrt(2 pi)); it moves each coin's probability by at most delta and
    a pair's chance of agreeing by at most 2 delta^2, which is added to the tolerance."""
    draws = np.asarray(draws, dtype=np.float64)
    centre, low, high = (np.asarray(value, dtype=np.float64) for value in (centre, low, high))
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), low.shape)
    calls, rows, dims = draws.shape
    inside = (centre > low) & (centre < high)  # cells whose coin is fair
    across_rows = [((a, j), (b, j)) for j in range(dims) for a, b in _disjoint_pairs(np.flatnonzero(inside[:, j]))]
    across_dims = [((b, i), (b, j)) for b in range(rows) for i, j in _disjoint_pairs(np.flatnonzero(inside[b]))]
    spacing = 2.0 * float(np.spacing(np.float32(np.max(np.abs(centre[inside]), initial=1.0))))
    delta = min(1.0, 2.0 * spacing / (float(np.min(scale)) * math.sqrt(2.0 * math.pi)))
    for kind, pairs in (("rows", across_rows), ("dimensions", across_dims)):
        stats = _pair_statistics(draws, centre, scale, low, high, pairs)
        if stats["count"] == 0:
            continue
        tolerance = hoeffding_tolerance(stats["count"], tests=2, false_alarm=false_alarm) + 2.0 * delta**2
        if abs(stats["share"] - 0.5) <= tolerance:
            continue
        if kind == "rows":
            unit, pair_text, fix = ("the rows (observations) of one call", "pairs of rows (same call, same action "
                                    "dimension)", "one noise vector drawn per call and added to every row")
        else:
            unit, pair_text, fix = ("the action dimensions of one row", "pairs of action dimensions (same row, "
                                    "same call)", "one noise value drawn per row and added to every dimension")
        if stats["same"] > 0.5:
            seen = (f" In {100 * stats['same']:.0f}% of the pairs that were not clipped, both got exactly the same "
                    f"noise: {fix}.")
        elif stats["mirrored"] > 0.5:
            seen = (f" In {100 * stats['mirrored']:.0f}% of the pairs that were not clipped, the two noise values "
                    "are equal with opposite signs: one value reused with a sign flip.")
        elif stats["share"] > 0.5:
            seen = " Their noise moves together more often than independent noise does."
        else:
            seen = " Their noise moves in opposite directions more often than independent noise does."
        fail(f"{what}: the noise of {unit} must be independent. Over {stats['count']} {pair_text}, the two noise "
             f"values had the same sign {100 * stats['share']:.1f}% of the time; independent noise has the same "
             f"sign 50% of the time (allowed ±{100 * tolerance:.1f} points, exceeded by independent noise with "
             f"probability below {false_alarm:.2g}).{seen} Draw a separate standard normal for every row and "
             "action dimension, e.g. rng.standard_normal((B, A)).")
