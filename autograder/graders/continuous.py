"""Checks shared by the public and hidden tests of parts random_shooting and cem.

The student's maximizer gets a ``q_function`` that records every call
(``autograder/probes/_analytic_q.py``). Most checks read that record and are exact: the
result's dtype, shape and bounds; one batched call of B * M rows (per iteration, for CEM);
the action returned is a sample that was evaluated for its own observation, the best one,
and the value returned is Q there.

The others are statistical, because the samples are random. Each states its false-alarm
probability, the chance that a correct implementation fails it, and keeps it below
FALSE_ALARM per check, without assuming anything about how the random numbers are drawn:
- samples uniform in the box: the Dvoretzky-Kiefer-Wolfowitz inequality (:func:`dkw_tolerance`);
- CEM samples around the right Gaussian: Hoeffding-Azuma on counts (:func:`check_cem_iterations`);
- random shooting close to the maximum: a tolerance the budget allows, derived in
  ``autograder/cases_continuous.py`` (:func:`check_near_max`);
- CEM close to the maximum, and better than random shooting: the reference's own spread,
  from many seeds (:func:`check_cem_near_max`, :func:`check_cem_beats_random_shooting`);
- exploration noise (of parts ddpg, naf and sampled_q) independent across the rows of a
  call and the dimensions of a row: Hoeffding on sign agreements (:func:`check_noise_independence`).
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from autograder.graders.support import call_with_hint, expect, fail, show
from autograder.shared.analytic_q import q_values

FALSE_ALARM = 1e-6  # per statistical check
BOUND_SLACK = 1e-6  # float32 rounding of low + (high - low) * u may land a hair outside
NEAR_MAX_QUANTILE = 0.9  # CEM's tolerance: this quantile of the reference's gap ...
NEAR_MAX_SLACK = 1.5  # ... times this (a larger threshold only lowers the false alarm)
CALIBRATION_RISK = 1e-9  # chance that a fixture's estimate of the reference's win rate is too high

INDEX_MISMATCH = re.compile(r"shape mismatch: indexing tensors could not be broadcast together")
TOPK_RANGE = re.compile(r"selected index k out of range")


# -- statistics ------------------------------------------------------------------------------
def normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, dtype=np.float64) / math.sqrt(2.0)))


def dkw_tolerance(samples: int, dims: int, false_alarm: float = FALSE_ALARM) -> float:
    """sup_x |F_n(x) - F(x)| exceeds this for one of ``dims`` empirical CDFs of ``samples``
    draws with probability below ``false_alarm``: P(sup > eps) <= 2 exp(-2 n eps^2)
    (Dvoretzky-Kiefer-Wolfowitz, with Massart's constant), union over the dimensions."""
    return math.sqrt(math.log(2 * dims / false_alarm) / (2 * samples))


def hoeffding_tolerance(count: int, tests: int, false_alarm: float = FALSE_ALARM) -> float:
    """A share of ``count`` indicators (independent, or a martingale: Azuma) strays from its
    expected value by more than this in one of ``tests`` such shares with probability below
    ``false_alarm``: P(|share - expected| > eps) <= 2 exp(-2 count eps^2)."""
    return math.sqrt(math.log(2 * tests / false_alarm) / (2 * count))


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def beta_binomial_tail(limit: int, runs: int, calibration_runs: int, rank: int) -> float:
    """P(more than ``limit`` of ``runs`` new runs exceed the ``rank``-th smallest of
    ``calibration_runs`` reference runs), for runs exchangeable with the reference's.

    The share U of the distribution above the rank-th order statistic of n draws is
    Beta(n - rank + 1, rank), whatever the distribution (it is continuous here); given U,
    the count of new runs above it is Binomial(runs, U). Their mixture is beta-binomial."""
    a, b = calibration_runs - rank + 1, rank
    total = 0.0
    for j in range(limit + 1, runs + 1):
        log_choose = math.lgamma(runs + 1) - math.lgamma(j + 1) - math.lgamma(runs - j + 1)
        total += math.exp(log_choose + _log_beta(j + a, runs - j + b) - _log_beta(a, b))
    return total


def allowed_exceedances(runs: int, calibration_runs: int, rank: int, false_alarm: float = FALSE_ALARM) -> int:
    """The fewest exceedances f such that a correct implementation exceeds more than f
    times with probability below ``false_alarm`` (:func:`beta_binomial_tail`)."""
    for limit in range(runs + 1):
        if beta_binomial_tail(limit, runs, calibration_runs, rank) < false_alarm:
            return limit
    return runs


def _binomial_terms(values: range, trials: int, p: float) -> float:
    """The sum of P(Binomial(trials, p) = j) over j in ``values``."""
    if p <= 0.0 or p >= 1.0:
        return float(sum(j == (trials if p >= 1.0 else 0) for j in values))
    return sum(math.exp(math.lgamma(trials + 1) - math.lgamma(j + 1) - math.lgamma(trials - j + 1)
                        + j * math.log(p) + (trials - j) * math.log1p(-p)) for j in values)


def binomial_cdf(successes: int, trials: int, p: float) -> float:
    """P(Binomial(trials, p) <= successes)."""
    return _binomial_terms(range(0, max(successes, -1) + 1), trials, p)


def clopper_pearson_lower(successes: int, trials: int, risk: float = CALIBRATION_RISK) -> float:
    """A lower confidence bound on a success probability: the smallest p under which
    ``successes`` or more of ``trials`` still has probability at least ``risk``."""
    if successes == 0:
        return 0.0
    low, high = 0.0, 1.0
    for _ in range(100):  # bisection: P(X >= successes) grows with p
        middle = (low + high) / 2
        if _binomial_terms(range(successes, trials + 1), trials, middle) < risk:
            low = middle
        else:
            high = middle
    return low


def minimum_wins(runs: int, win_rate: float, false_alarm: float = FALSE_ALARM) -> int:
    """The most wins w such that P(Binomial(runs, win_rate) < w) < ``false_alarm``."""
    wins = 0
    while wins < runs and binomial_cdf(wins, runs, win_rate) < false_alarm:
        wins += 1
    return wins


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


def check_uniform(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """In every dimension the samples' empirical CDF, scaled to [0, 1], stays within the DKW
    band of the uniform one; the false alarm is below FALSE_ALARM (:func:`dkw_tolerance`)."""
    low, high = case["args"]["low"].astype(np.float64), case["args"]["high"].astype(np.float64)
    expect_called(result, what)
    actions = np.concatenate([call["actions"] for call in result["calls"]])
    scaled = (actions - low) / (high - low)
    count, dims = scaled.shape
    tolerance = dkw_tolerance(count, dims)
    grid = (np.arange(1, count + 1)) / count
    for j in range(dims):
        column = np.sort(scaled[:, j])
        distance = max(np.max(grid - column), np.max(column - (grid - 1.0 / count)))
        if distance > tolerance:
            lower_half = float(np.mean(column < 0.5))
            fail(f"{what}: in action dimension {j} the samples are not uniform in [{low[j]:g}, {high[j]:g}]: the "
                 f"share of samples below some point differs from the uniform share by {100 * distance:.1f} points "
                 f"(allowed: {100 * tolerance:.1f}, exceeded by a uniform sampler with probability below "
                 f"{FALSE_ALARM:g}); {100 * lower_half:.0f}% of them lie in the lower half of the range. Draw "
                 "u uniformly in [0, 1) (rng.random) and use low + (high - low) * u, or rng.uniform(low, high).")


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


# -- random shooting: close to the maximum ----------------------------------------------------
def check_near_max(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """Each observation's gap, max Q - Q(s_b, action returned), is within the tolerance its
    budget allows (``cases_continuous.uniform_gap_tolerances``: a correct implementation
    exceeds one of them with probability below FALSE_ALARM)."""
    q, tolerances = case["args"]["q"], case["tolerances"]
    batch = len(q["true_max"])
    gaps = q["true_max"] - q_values(q, np.arange(batch), result["actions"]["values"])
    over = gaps > tolerances
    if over.any():
        b = int(np.argmax(gaps - tolerances))
        fail(f"{what} with M = {case['args']['num_samples']} samples: for observation {b} the action returned has "
             f"Q = {q['true_max'][b] - gaps[b]:.4f}, but the maximum over the box is {q['true_max'][b]:.4f} (gap "
             f"{gaps[b]:.4f}; the best of M uniform samples is within {tolerances[b]:.4f} except with probability "
             f"below {FALSE_ALARM / batch:.2g}). {int(over.sum())} of {batch} observations are over their "
             "tolerance. Possible causes: not the sample with the largest Q kept, samples evaluated with another "
             "observation's row, fewer than M samples, or samples not spread over the whole box (the other tests "
             "of this part check each).")


# -- CEM: the iterations ----------------------------------------------------------------------
def _rounds(result: dict[str, Any], batch: int, samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each call's samples [B, M, A] and values [B, M], rows grouped by observation."""
    rounds = []
    for call in result["calls"]:
        order = np.argsort(call["index"], kind="stable")
        rounds.append((call["actions"][order].reshape(batch, samples, -1),
                       call["values"][order].reshape(batch, samples)))
    return rounds


def _fit(samples: np.ndarray, values: np.ndarray, chosen: np.ndarray, min_std: float) -> tuple:
    """Mean, and std by both normalisations (floored), of the samples picked by ``chosen`` [B, K]."""
    picked = np.take_along_axis(samples, chosen[:, :, None], axis=1)
    count = picked.shape[1]
    return (picked.mean(axis=1), np.maximum(picked.std(axis=1), min_std),
            np.maximum(picked.std(axis=1, ddof=1) if count > 1 else picked.std(axis=1), min_std))


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


def check_cem_iterations(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """The first iteration samples clip(N(centre, initial std^2)); every later one samples
    clip(N(mean, std^2)) with mean and std of the previous iteration's elites (std by
    either normalisation, floored at min_std), per observation and dimension.

    Conditioned on the record so far, each sampled coordinate is an independent draw from
    a known distribution, so the shares of two events (:func:`_event_shares`) have known
    expectations; pooled over observations, samples and dimensions they form a martingale,
    and Hoeffding-Azuma bounds the chance that a correct implementation strays by more
    than the tolerance (4 shares: 2 events, first and later iterations) by FALSE_ALARM."""
    settings = case["args"]["settings"]
    batch, samples, dim = _sizes(case)
    elites, min_std = settings["num_elites"], settings["min_std"]
    low, high = case["args"]["low"].astype(np.float64), case["args"]["high"].astype(np.float64)
    expect_called(result, what)
    rounds = _rounds(result, batch, samples)
    for number, (drawn, _) in enumerate(rounds[1:], start=2):
        collapsed = [b for b in range(batch) if np.all(drawn[b] == drawn[b, 0])]
        if collapsed:
            fail(f"{what}: in iteration {number} all {samples} samples of observation {collapsed[0]} are the same "
                 f"point, {show(drawn[collapsed[0], 0])}: the std collapsed to 0 because the elites coincided. "
                 f"Floor the refit std at min_std (std.clamp(min=min_std)).")
    initial = settings["initial_std"]
    std0 = (high - low) / 2 if initial is None else np.broadcast_to(np.asarray(initial, dtype=np.float64), (dim,))
    first_mean, first_std = np.tile((low + high) / 2, (batch, 1)), np.tile(std0, (batch, 1))
    first = _event_shares(rounds[0][0], first_mean, first_std, first_std, low, high)
    tolerance_first = hoeffding_tolerance(batch * samples * dim, tests=4)
    if not _fits(first, tolerance_first):
        setting = "(high - low) / 2" if initial is None else f"initial_std = {show(std0)}"
        fail(f"{what}: the first iteration's samples do not follow N(mean, std^2) clipped to the box, with mean the "
             f"box's centre (low + high) / 2 = {show((low + high) / 2)} and std {setting}: {_describe(first)} "
             f"(allowed: ±{100 * tolerance_first:.1f} points). Sample mean + std * rng.standard_normal(...), then clip.")
    if len(rounds) < 2:
        return
    later = _shares_after_refit(rounds, "elites", elites, min_std, low, high, std0)
    tolerance = hoeffding_tolerance(batch * samples * dim * (len(rounds) - 1), tests=4)
    if _fits(later, tolerance):
        return
    guesses = {
        "all": "The samples fit a Gaussian refit to all samples of the previous iteration: refit mean and std to "
               "the num_elites best samples only.",
        "lowest": "The samples fit a Gaussian refit to the samples with the lowest values: the elites are the "
                  "num_elites samples with the largest Q (topk with largest=True).",
        "stale_mean": "The samples are centred on the previous iteration's mean: set the mean to the elites' mean.",
        "stale_std": "The samples have the previous iteration's std: set the std to the elites' std.",
    }
    hint = next((message for kind, message in guesses.items()
                 if _fits(_shares_after_refit(rounds, kind, elites, min_std, low, high, std0), tolerance)), "")
    fail(f"{what}: after the first iteration, the samples should follow N(mean, std^2) clipped to the box, with "
         f"mean and std those of the previous iteration's {elites} elites (the samples with the largest Q), std "
         f"at least min_std = {min_std:g}: {_describe(later)} (allowed: ±{100 * tolerance:.1f} points; a correct "
         f"refit strays further with probability below {FALSE_ALARM:g}). {hint}".strip())


def _shares_after_refit(rounds: list, kind: str, elites: int, min_std: float, low: np.ndarray,
                        high: np.ndarray, std0: np.ndarray) -> dict[str, float]:
    """The pooled event shares of iterations 2, 3, ... under one refit rule: the reference
    (``elites``) or a plausible mistake, for naming it: refit to ``all`` samples or to the
    ``lowest`` ones, or one of mean and std never updated (``stale_mean``, ``stale_std``)."""
    batch = rounds[0][1].shape[0]
    stale_mean, stale_std = np.tile((low + high) / 2, (batch, 1)), np.tile(std0, (batch, 1))
    totals: dict[str, float] = {}
    for number in range(1, len(rounds)):
        drawn, values = rounds[number - 1]
        order = np.argsort(-values, axis=1, kind="stable")
        chosen = {"all": order, "lowest": order[:, ::-1][:, :elites]}.get(kind, order[:, :elites])
        mean, std_low, std_high = _fit(drawn, values, chosen, min_std)
        if kind == "stale_mean":
            mean = stale_mean
        if kind == "stale_std":
            std_low = std_high = stale_std
        shares = _event_shares(rounds[number][0], mean, std_low, std_high, low, high)
        for key, value in shares.items():
            totals[key] = totals.get(key, 0.0) + value / (len(rounds) - 1)
    return totals


def _describe(shares: dict[str, float]) -> str:
    return (f"{100 * shares['near']:.1f}% of the sampled coordinates lie within one std of the mean (expected "
            f"{100 * shares['p_near_min']:.1f}-{100 * shares['p_near_max']:.1f}%) and {100 * shares['above']:.1f}% "
            f"above it (expected {100 * shares['p_above']:.1f}%)")


# -- CEM: close to the maximum, better than random shooting -----------------------------------
def _cem_gaps(student, case: dict[str, Any], what: str) -> np.ndarray:
    result = run(student, case)
    batch, _, dim = _sizes(case)
    if "layout" in result:
        fail(f"{what} returned (dtype, shape) {result['layout']['actions']} for actions and "
             f"{result['layout']['values']} for values; expected float32 {[batch, dim]} and float32 {[batch]}.")
    return np.asarray(result["gaps"])


def _settings_text(case: dict[str, Any]) -> str:
    settings = case["args"]["settings"]
    return ", ".join(f"{key}={settings[key]}" for key in ("num_samples", "num_elites", "iterations"))


def check_cem_near_max(student, case: dict[str, Any], what: str) -> None:
    """The student's CEM, run with STUDENT seeds, against the reference run with many
    calibration seeds (the golden sample). The statistic of a run is its average gap,
    max Q - Q(s_b, action returned), over the observations. The threshold is NEAR_MAX_SLACK
    times the reference's NEAR_MAX_QUANTILE quantile; a run of a correct CEM lands above
    the plain quantile with a probability U that is Beta-distributed whatever the
    distribution of gaps, so the number of runs above it is beta-binomial
    (:func:`beta_binomial_tail`), and a threshold above the quantile only makes exceeding
    rarer. The check fails if more runs exceed it than a correct CEM would except with
    probability FALSE_ALARM."""
    gaps = _cem_gaps(student, case, what)
    reference = np.sort(case["golden"]["gaps"])
    rank = math.ceil(NEAR_MAX_QUANTILE * len(reference))
    threshold = NEAR_MAX_SLACK * reference[rank - 1]
    limit = allowed_exceedances(len(gaps), len(reference), rank)
    over = int(np.sum(gaps > threshold))
    if over > limit:
        fail(f"{what} ({_settings_text(case)}) over {len(gaps)} runs with different seeds: the average gap to "
             f"the true maximum, max Q - Q(s, action returned), was above {threshold:.4g} in {over} runs (median "
             f"gap {np.median(gaps):.4g}). A correct CEM has a median gap of about {np.median(reference):.4g} and "
             f"exceeds {threshold:.4g} in at most {limit} of {len(gaps)} runs, except with probability below "
             f"{FALSE_ALARM:g}. Check that the elites are the samples with the largest Q, that mean and std are "
             "refit to them, and that the best sample seen is returned.")


def check_cem_beats_random_shooting(student, case: dict[str, Any], what: str) -> None:
    """In each run, CEM's average gap is compared with that of random shooting with the same
    number of Q-evaluations (the baseline, computed by the fixture builder for the same
    seeds). The reference's win rate, from its calibration runs, gives a lower confidence
    bound (Clopper-Pearson, wrong with probability CALIBRATION_RISK); a correct CEM wins
    fewer than :func:`minimum_wins` runs with probability below FALSE_ALARM."""
    gaps = _cem_gaps(student, case, what)
    baseline = case["baseline"]
    reference_wins = int(np.sum(case["golden"]["gaps"] < baseline["calibration_gaps"]))
    win_rate = clopper_pearson_lower(reference_wins, len(baseline["calibration_gaps"]))
    wins = int(np.sum(gaps < baseline["gaps"]))
    needed = minimum_wins(len(gaps), win_rate)
    if wins < needed:
        fail(f"{what} ({_settings_text(case)}, {baseline['budget']} Q-evaluations per observation) found a better "
             f"action on average than random shooting with the same {baseline['budget']} evaluations in only "
             f"{wins} of {len(gaps)} runs (median gap {np.median(gaps):.4g} vs {np.median(baseline['gaps']):.4g} for "
             f"random shooting). A correct CEM wins at least {needed} (the reference won {reference_wins} of "
             f"{len(baseline['calibration_gaps'])}); falling short has probability below {FALSE_ALARM:g}. Refitting "
             "to the elites is what makes CEM better: check that the elites are the best samples and that each "
             "iteration samples around them.")


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
