"""The uniformity check: its false-alarm bound holds, and it catches skewed samplers."""
from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.graders.support import Failure
from autograder.parts.replay_buffer import checks as replay_buffer_checks


def test_tolerance_is_the_hoeffding_union_bound():
    # 2 * n * exp(-2 N eps^2) = delta  =>  eps = sqrt(ln(2 n / delta) / (2 N))
    eps = replay_buffer_checks.uniformity_tolerance(draws=20_000, stored=10, false_alarm=1e-6)
    assert 2 * 10 * math.exp(-2 * 20_000 * eps**2) == pytest.approx(1e-6)
    assert eps == pytest.approx(0.0205, abs=1e-4)


def test_fair_samplers_pass_over_many_seeds():
    stored = list(range(15, 25))
    for seed in range(500):
        ids = np.random.default_rng(seed).integers(15, 25, size=20_000)
        replay_buffer_checks.expect_uniform(ids, stored, context="fair sampler")


@pytest.mark.parametrize(
    "sampler",
    [
        lambda rng: rng.integers(16, 25, size=20_000),  # never draws the oldest slot
        lambda rng: rng.integers(20, 25, size=20_000),  # only the newest half
        lambda rng: np.where(rng.random(20_000) < 0.8, rng.integers(15, 25, size=20_000), 24),  # extra weight on one
    ],
    ids=["skips-one-slot", "recent-half", "favours-newest"],
)
def test_skewed_samplers_fail(sampler):
    ids = sampler(np.random.default_rng(0))
    with pytest.raises(Failure, match="should come up about 10.0% of the time"):
        replay_buffer_checks.expect_uniform(ids, list(range(15, 25)), context="skewed sampler")


# -- the continuous-action checks: random_shooting and cem ----------------------------------
from autograder.graders import statistics  # noqa: E402
from autograder.parts.random_shooting import checks as random_shooting_checks  # noqa: E402


def test_dkw_tolerance_is_the_massart_bound_with_a_union_over_dimensions():
    eps = statistics.dkw_tolerance(samples=4096, dims=3, false_alarm=1e-6)
    assert 3 * 2 * math.exp(-2 * 4096 * eps**2) == pytest.approx(1e-6)


def test_beta_binomial_tail_matches_simulation():
    # New runs exceed the 9th smallest of 10 reference runs; count how often more than 3 of 8 do.
    rng = np.random.default_rng(0)
    reference = np.sort(rng.random((20_000, 10)), axis=1)[:, 8]
    exceed = (rng.random((20_000, 8)) > reference[:, None]).sum(axis=1)
    simulated = np.mean(exceed > 3)
    assert statistics.beta_binomial_tail(3, 8, 10, 9) == pytest.approx(simulated, abs=0.01)
    assert statistics.beta_binomial_tail(-1, 8, 10, 9) == pytest.approx(1.0)


def test_allowed_exceedances_of_the_cem_checks():
    limit = statistics.allowed_exceedances(runs=40, calibration_runs=1000, rank=900)
    assert statistics.beta_binomial_tail(limit, 40, 1000, 900) < 1e-6
    assert statistics.beta_binomial_tail(limit - 1, 40, 1000, 900) >= 1e-6
    assert limit == 16


def test_clopper_pearson_lower_bound_and_minimum_wins():
    # With every trial a success the bound solves p^n = risk.
    assert statistics.clopper_pearson_lower(1000, 1000, 1e-9) == pytest.approx(1e-9 ** (1 / 1000), abs=1e-9)
    lower = statistics.clopper_pearson_lower(990, 1000, 1e-9)
    assert 1 - statistics.binomial_cdf(989, 1000, lower) == pytest.approx(1e-9, rel=1e-2)
    wins = statistics.minimum_wins(40, 0.9795)
    assert statistics.binomial_cdf(wins - 1, 40, 0.9795) < 1e-6 <= statistics.binomial_cdf(wins, 40, 0.9795)


def test_uniform_check_passes_fair_samplers_and_catches_a_gaussian():
    low, high = np.array([-1.0, 0.0], np.float32), np.array([1.0, 4.0], np.float32)
    case = {"args": {"low": low, "high": high}}
    for seed in range(200):
        samples = np.random.default_rng(seed).uniform(low, high, (2048, 2))
        random_shooting_checks.check_uniform({"calls": [{"actions": samples}]}, case, "fair sampler")
    gaussian = np.clip(np.random.default_rng(0).normal((low + high) / 2, (high - low) / 4, (2048, 2)), low, high)
    with pytest.raises(Failure, match="not uniform"):
        random_shooting_checks.check_uniform({"calls": [{"actions": gaussian}]}, case, "gaussian sampler")
