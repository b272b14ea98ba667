"""Tolerances of the statistical checks, shared by several parts' checks.

A statistical check states its false-alarm probability, the chance that a correct
implementation fails it, and keeps it below FALSE_ALARM per check, without assuming
anything about how the random numbers are drawn:
- samples uniform in a box: the Dvoretzky-Kiefer-Wolfowitz inequality (:func:`dkw_tolerance`);
- shares of counts (CEM's samples around the right Gaussian, exploration noise):
  Hoeffding-Azuma (:func:`hoeffding_tolerance`);
- a student's runs against the reference's own spread over many seeds
  (:func:`allowed_exceedances`, :func:`clopper_pearson_lower`, :func:`minimum_wins`).
"""
from __future__ import annotations

import math

import numpy as np

FALSE_ALARM = 1e-6  # per statistical check
CALIBRATION_RISK = 1e-9  # chance that a fixture's estimate of the reference's win rate is too high


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


