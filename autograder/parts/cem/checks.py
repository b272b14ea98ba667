"""Checks of part cem that random shooting does not share.

The statistical ones keep their false alarm below FALSE_ALARM
(``autograder/graders/statistics.py``):
- CEM samples around the right Gaussian: Hoeffding-Azuma on counts (:func:`check_cem_iterations`);
- CEM close to the maximum, and better than random shooting: the reference's own spread,
  from many seeds (:func:`check_cem_near_max`, :func:`check_cem_beats_random_shooting`).
The checks both maximizers share are in ``autograder/graders/continuous.py``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.graders.continuous import _event_shares, _fits, _sizes, expect_called, run
from autograder.graders.statistics import (FALSE_ALARM, allowed_exceedances, clopper_pearson_lower, hoeffding_tolerance,
                                           minimum_wins)
from autograder.graders.support import fail, show

NEAR_MAX_QUANTILE = 0.9  # CEM's tolerance: this quantile of the reference's gap ...
NEAR_MAX_SLACK = 1.5  # ... times this (a larger threshold only lowers the false alarm)


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


