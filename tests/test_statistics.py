"""The uniformity check: its false-alarm bound holds, and it catches skewed samplers."""
from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.graders import buffer_checks
from autograder.graders.support import Failure


def test_tolerance_is_the_hoeffding_union_bound():
    # 2 * n * exp(-2 N eps^2) = delta  =>  eps = sqrt(ln(2 n / delta) / (2 N))
    eps = buffer_checks.uniformity_tolerance(draws=20_000, stored=10, false_alarm=1e-6)
    assert 2 * 10 * math.exp(-2 * 20_000 * eps**2) == pytest.approx(1e-6)
    assert eps == pytest.approx(0.0205, abs=1e-4)


def test_fair_samplers_pass_over_many_seeds():
    stored = list(range(15, 25))
    for seed in range(500):
        ids = np.random.default_rng(seed).integers(15, 25, size=20_000)
        buffer_checks.expect_uniform(ids, stored, context="fair sampler")


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
        buffer_checks.expect_uniform(ids, list(range(15, 25)), context="skewed sampler")
