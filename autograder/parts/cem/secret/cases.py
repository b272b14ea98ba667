"""Fixture cases for part cem.

Every case maximizes an analytic Q-function (``autograder/parts/_secret_common.py``) over an
action box. The builder also computes the gaps of a uniform baseline with CEM's budget
(:func:`uniform_baseline_gaps`). CEM's tolerances come from the reference itself: a case's
``calibration`` reruns its probe on the reference with many more seeds than the student
gets (see ``autograder/fixtures.py``), and the check compares the two samples.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.parts._secret_common import box, bumps, case, linear, quadratic
from autograder.shared.analytic_q import q_values

CALIBRATION_RUNS = 1000  # reference runs behind each of CEM's statistical checks
STUDENT_RUNS = 40  # runs of the student's CEM in each statistical check


def uniform_baseline_gaps(spec: dict[str, Any], low: np.ndarray, high: np.ndarray, budget: int,
                          seeds: list[int]) -> np.ndarray:
    """For each seed, the average gap of random shooting with ``budget`` uniform samples per
    observation (CEM's num_samples * iterations): the baseline CEM should beat."""
    batch = len(spec["true_max"])
    index = np.repeat(np.arange(batch), budget)
    gaps = []
    for seed in seeds:
        samples = np.random.default_rng([seed, 7]).uniform(low, high, (batch * budget, len(low)))
        best = q_values(spec, index, samples.astype(np.float32)).reshape(batch, budget).max(axis=1)
        gaps.append(float(np.mean(spec["true_max"] - best)))
    return np.asarray(gaps)


DEFAULTS = {"num_samples": 64, "num_elites": 6, "iterations": 3, "initial_std": None, "min_std": 1e-2}
STUDENT_SEEDS = list(range(500, 500 + STUDENT_RUNS))
CALIBRATION_SEEDS = list(range(10_000, 10_000 + CALIBRATION_RUNS))


def cem_record_case(q: dict[str, Any], low: np.ndarray, high: np.ndarray, seed: int, **settings: Any) -> dict:
    return case("cem.record", golden=False, q=q, low=low, high=high, seed=seed,
                settings={**DEFAULTS, **settings})


def cem_gaps_case(q: dict[str, Any], low: np.ndarray, high: np.ndarray, baseline: bool = False,
                  **settings: Any) -> dict:
    """The student's CEM on STUDENT_SEEDS; the golden result is the reference's on
    CALIBRATION_SEEDS. With ``baseline``, also the uniform baseline's gaps on both."""
    settings = {**DEFAULTS, **settings}
    spec = case("cem.gaps", q=q, low=low, high=high, settings=settings, seeds=STUDENT_SEEDS)
    spec["calibration"] = {"seeds": CALIBRATION_SEEDS}
    if baseline:
        budget = settings["num_samples"] * settings["iterations"]
        spec["baseline"] = {"budget": budget,
                            "gaps": uniform_baseline_gaps(q, low, high, budget, STUDENT_SEEDS),
                            "calibration_gaps": uniform_baseline_gaps(q, low, high, budget, CALIBRATION_SEEDS)}
    return spec


def cases(visibility: str) -> dict[str, dict]:
    low2, high2 = box([-2.0, 0.0], [1.0, 0.5])
    if visibility == "public":
        low4, high4 = box([-1.0, -1.0, 0.0, -2.0], [1.0, 1.0, 1.0, 2.0])
        return {
            "quadratic_2d": cem_record_case(quadratic(6, low2, high2, seed=21), low2, high2, seed=31),
            "iterations_2d": cem_record_case(quadratic(32, low2, high2, seed=22), low2, high2, seed=32),
            # Several local maxima and a wide floor on the std keep later iterations from
            # always holding the best sample, so the best must be kept across iterations.
            "best_seen_2d": cem_record_case(bumps(8, low2, high2, seed=37), low2, high2, seed=38,
                                            iterations=4, min_std=0.2),
            "near_max_2d": cem_gaps_case(quadratic(16, low2, high2, seed=23), low2, high2),
            "beats_random_shooting_4d": cem_gaps_case(quadratic(16, low4, high4, seed=24), low4, high4,
                                                      baseline=True),
            "replays": case("cem.replays", golden=False, q=quadratic(4, low2, high2, seed=25), low=low2,
                            high=high2, seed=33, settings=DEFAULTS),
        }
    low1, high1 = box([-0.5], [2.0])
    low3, high3 = box([-1.0, 0.0, -3.0], [1.0, 0.5, 1.0])
    low6, high6 = box([-1.0] * 6, [1.0] * 6)
    return {
        # Most first-round samples are clipped onto the best corner, so the elites coincide.
        "std_floor": cem_record_case(linear(16, low2, high2, seed=26), low2, high2, seed=34,
                                     initial_std=np.float32(40.0), min_std=0.05),
        # One elite: its std is 0 (or 0 / 0 when divided by K - 1), floored at min_std.
        "single_elite": cem_record_case(quadratic(16, low2, high2, seed=39), low2, high2, seed=40,
                                        num_samples=32, num_elites=1, iterations=3, min_std=0.05),
        "initial_std_3d": cem_record_case(quadratic(32, low3, high3, seed=27), low3, high3, seed=35,
                                          initial_std=np.asarray([0.3, 0.1, 0.5], dtype=np.float32),
                                          num_samples=48, num_elites=8, iterations=4),
        "near_max_1d": cem_gaps_case(quadratic(16, low1, high1, seed=28), low1, high1,
                                     num_samples=16, num_elites=4, iterations=4),
        "near_max_6d": cem_gaps_case(quadratic(16, low6, high6, seed=29), low6, high6,
                                     num_samples=200, num_elites=20, iterations=5),
        "bumps_2d": cem_gaps_case(bumps(16, low2, high2, seed=30), low2, high2),
        "beats_random_shooting_6d": cem_gaps_case(quadratic(16, low6, high6, seed=36), low6, high6,
                                                  baseline=True),
    }


