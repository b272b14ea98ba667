"""Fixture cases for part random_shooting.

Every case maximizes an analytic Q-function (``autograder/parts/_secret_common.py``) over an
action box, for a batch of observations that each have their own function and optimum;
a near-max case carries the tolerance that random shooting's budget allows
(``_secret_common.uniform_gap_tolerances``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.parts._secret_common import box, bumps, case, quadratic, uniform_gap_tolerances


def record_case(q: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int, seed: int,
                keep_samples: bool = True) -> dict[str, Any]:
    return case("random_shooting.record", golden=False, q=q, low=low, high=high, num_samples=num_samples,
                seed=seed, keep_samples=keep_samples)


def near_max_case(q: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int, seed: int) -> dict:
    spec = record_case(q, low, high, num_samples, seed, keep_samples=False)
    spec["tolerances"] = uniform_gap_tolerances(q, low, high, num_samples)
    return spec


def cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        low2, high2 = box([-2.0, 0.0], [1.0, 0.5])
        low3, high3 = box([-1.0, -3.0, 0.0], [1.0, 3.0, 0.25])
        return {
            "quadratic_2d": record_case(quadratic(6, low2, high2, seed=1), low2, high2, num_samples=50, seed=11),
            "uniform_3d": record_case(quadratic(16, low3, high3, seed=2), low3, high3, num_samples=256, seed=12),
            "near_max_2d": near_max_case(quadratic(16, low2, high2, seed=3), low2, high2, num_samples=1000, seed=13),
            "replays": case("random_shooting.replays", golden=False, q=quadratic(4, low2, high2, seed=4),
                            low=low2, high=high2, num_samples=20, seed=14),
        }
    low1, high1 = box([-0.5], [2.0])
    low3, high3 = box([-1.0, -1.0, -1.0], [1.0, 1.0, 1.0])
    low5, high5 = box([-1.0, 0.0, -2.0, -0.5, 3.0], [1.0, 1.0, 2.0, 0.5, 4.0])
    low6, high6 = box([-1.0] * 6, [1.0] * 6)
    return {
        "near_max_1d": near_max_case(quadratic(16, low1, high1, seed=5), low1, high1, num_samples=64, seed=15),
        "near_max_6d": near_max_case(quadratic(8, low6, high6, seed=6), low6, high6, num_samples=4096, seed=16),
        "bumps_3d": near_max_case(bumps(8, low3, high3, seed=7), low3, high3, num_samples=4000, seed=17),
        "one_observation_one_sample": record_case(quadratic(1, low3, high3, seed=8), low3, high3,
                                                  num_samples=1, seed=18),
        "uniform_5d": record_case(quadratic(8, low5, high5, seed=9), low5, high5, num_samples=512, seed=19),
    }


