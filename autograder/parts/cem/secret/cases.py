"""Fixture cases for the continuous-action maximizers: parts random_shooting and cem.

Every case maximizes an analytic Q-function (``autograder/probes/_analytic_q.py``) over an
action box, for a batch of observations that each have their own function and optimum.
The builder also computes what a grader needs to judge a stochastic result without the
reference: the true maximum of each function, the tolerance that random shooting's budget
allows (:func:`uniform_gap_tolerances`), and the gaps of a uniform baseline with CEM's
budget (:func:`uniform_baseline_gaps`). CEM's tolerances come from the reference itself:
a case's ``calibration`` reruns its probe on the reference with many more seeds than the
student gets (see ``autograder/fixtures.py``), and the check compares the two samples.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.shared.analytic_q import q_values

FALSE_ALARM = 1e-6  # per stochastic check
OBS_DIM = 3
MC_SAMPLES = 100_000  # uniform actions per observation when estimating a tolerance
MC_SAFETY = 2.0  # the tolerance is read off at SAFETY times the hit rate it needs
CALIBRATION_RUNS = 1000  # reference runs behind each of CEM's statistical checks
STUDENT_RUNS = 40  # runs of the student's CEM in each statistical check


def case(probe: str, golden: bool = True, **args: Any) -> dict[str, Any]:
    return {"probe": probe, "args": args, "golden": golden}


def box(low: list[float], high: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(low, dtype=np.float32), np.asarray(high, dtype=np.float32)


# -- the Q-functions -----------------------------------------------------------------------
def _observations(batch: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(0.0, 1.0, (batch, OBS_DIM)).astype(np.float32)


def quadratic(batch: int, low: np.ndarray, high: np.ndarray, seed: int,
              curvature: tuple[float, float] = (0.5, 8.0)) -> dict[str, Any]:
    """Concave quadratics with random SPD curvature (eigenvalues log-uniform in
    ``curvature``, in units of the box's half-width) and optima in the inner 70% of the box,
    different for every observation. The maximum is the offset."""
    rng = np.random.default_rng(seed)
    centre, half = (low + high) / 2.0, (high - low) / 2.0
    dim = len(low)
    optimum = centre + half * rng.uniform(-0.7, 0.7, (batch, dim))
    matrices = np.empty((batch, dim, dim))
    for b in range(batch):
        rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
        eigenvalues = np.exp(rng.uniform(*np.log(curvature), dim))
        # Scale by the half-widths so every dimension of the box matters alike.
        scaled = rotation / half[:, None]
        matrices[b] = scaled @ np.diag(eigenvalues) @ scaled.T
    offset = rng.normal(0.0, 1.0, batch)
    return {"kind": "quadratic", "observations": _observations(batch, rng), "optimum": optimum,
            "curvature": matrices, "offset": offset, "true_max": offset.copy()}


def bumps(batch: int, low: np.ndarray, high: np.ndarray, seed: int, count: int = 5) -> dict[str, Any]:
    """Sums of ``count`` Gaussian bumps with centres in the inner 80% of the box, heights in
    [0.5, 1.5] and widths 8-20% of the box's width: several local maxima per observation,
    the global one different for each."""
    rng = np.random.default_rng(seed)
    centre, half = (low + high) / 2.0, (high - low) / 2.0
    dim = len(low)
    spec = {
        "kind": "bumps", "observations": _observations(batch, rng),
        "centers": centre + half * rng.uniform(-0.8, 0.8, (batch, count, dim)),
        "heights": rng.uniform(0.5, 1.5, (batch, count)),
        "widths": float(np.mean(high - low)) * rng.uniform(0.08, 0.2, (batch, count)),
    }
    spec["true_max"] = np.array([_bumps_max(spec, b, low, high, rng) for b in range(batch)])
    return spec


def _bumps_max(spec: dict[str, Any], b: int, low: np.ndarray, high: np.ndarray,
               rng: np.random.Generator) -> float:
    """The maximum of one sum of bumps: mean-shift iterations (a fixed-point ascent that
    never decreases a sum of isotropic Gaussians) from every centre and from the best of
    many uniform samples, kept inside the box."""
    index = np.full(MC_SAMPLES, b)
    uniform = rng.uniform(low, high, (MC_SAMPLES, len(low)))
    values = q_values(spec, index, uniform)
    starts = np.concatenate([spec["centers"][b], uniform[np.argsort(values)[-20:]]])
    centers, heights, widths = spec["centers"][b], spec["heights"][b], spec["widths"][b]
    points = starts.copy()
    for _ in range(500):
        squared = ((points[:, None, :] - centers[None]) ** 2).sum(axis=2)
        weights = heights * np.exp(-squared / (2 * widths**2)) / widths**2  # [S, K]
        points = np.clip(weights @ centers / weights.sum(axis=1, keepdims=True), low, high)
    best = q_values(spec, np.full(len(points), b), points).max()
    return float(max(best, values.max()))


def linear(batch: int, low: np.ndarray, high: np.ndarray, seed: int) -> dict[str, Any]:
    """Q increasing in every action dimension (positive slopes): the maximum is the corner
    ``high``, where clipped samples pile up."""
    rng = np.random.default_rng(seed)
    slope = rng.uniform(0.5, 2.0, (batch, len(low)))
    offset = rng.normal(0.0, 1.0, batch)
    return {"kind": "linear", "observations": _observations(batch, rng), "slope": slope, "offset": offset,
            "true_max": offset + slope @ high.astype(np.float64)}


# -- tolerances and baselines ----------------------------------------------------------------
def uniform_gap_tolerances(spec: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int,
                           seed: int = 0) -> np.ndarray:
    """Per observation, a gap eps_b that random shooting with M = ``num_samples`` uniform
    samples exceeds with probability below FALSE_ALARM / B, so that a correct
    implementation fails the check (any observation over its tolerance) with probability
    below FALSE_ALARM.

    Derivation. Let p_b(eps) be the share of the box where Q(s_b, a) >= max - eps. The best
    of M independent uniform samples misses that region with probability
    (1 - p_b(eps))^M, which is at most FALSE_ALARM / B once p_b(eps) >= p_needed =
    1 - (FALSE_ALARM / B)^(1/M). p_b is estimated from MC_SAMPLES uniform samples, and
    eps_b is read off where the estimate reaches MC_SAFETY * p_needed. For the true p_b to
    still be below p_needed there, a binomial count would have to come out at twice its
    mean, which has probability below exp(-MC_SAMPLES * p_needed / 3) (Chernoff); over
    the cases here, MC_SAMPLES * p_needed >= 300, so that is below 1e-40. A margin of
    1e-6 (relative) covers float32 rounding of the returned action.
    """
    rng = np.random.default_rng(seed)
    batch = len(spec["true_max"])
    needed = 1.0 - (FALSE_ALARM / batch) ** (1.0 / num_samples)
    rank = math.ceil(MC_SAFETY * needed * MC_SAMPLES)
    if rank >= MC_SAMPLES or MC_SAMPLES * needed < 300:
        raise ValueError(f"num_samples={num_samples} is outside the range this estimate covers")
    tolerances = np.empty(batch)
    for b in range(batch):
        uniform = rng.uniform(low, high, (MC_SAMPLES, len(low)))
        gaps = np.sort(spec["true_max"][b] - q_values(spec, np.full(MC_SAMPLES, b), uniform))
        tolerances[b] = gaps[rank] + 1e-6 * (1.0 + abs(spec["true_max"][b]))
    return tolerances


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


# -- random_shooting -------------------------------------------------------------------------
def record_case(q: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int, seed: int,
                keep_samples: bool = True) -> dict[str, Any]:
    return case("random_shooting.record", golden=False, q=q, low=low, high=high, num_samples=num_samples,
                seed=seed, keep_samples=keep_samples)


def near_max_case(q: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int, seed: int) -> dict:
    spec = record_case(q, low, high, num_samples, seed, keep_samples=False)
    spec["tolerances"] = uniform_gap_tolerances(q, low, high, num_samples)
    return spec


def random_shooting_cases(visibility: str) -> dict[str, dict]:
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


# -- cem -------------------------------------------------------------------------------------
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


def cem_cases(visibility: str) -> dict[str, dict]:
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


BUILDERS = {"random_shooting": random_shooting_cases, "cem": cem_cases}
