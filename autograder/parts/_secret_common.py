"""What several parts' case builders (``autograder/parts/<part>/secret/cases.py``) share.

Secret, like the builders: :func:`case` (one fixture case), :func:`f32`, and the analytic
Q-functions over an action box that the continuous-action parts maximize
(``autograder/probes/_analytic_q.py`` evaluates them in the worker), with the tolerance that
random shooting's budget allows (:func:`uniform_gap_tolerances`). Each function has its
own optimum per observation; the builders also compute what a grader needs to judge a
stochastic result without the reference: the true maximum of each function.
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


def case(probe: str, golden: bool = True, **args: Any) -> dict[str, Any]:
    """One fixture case; ``golden=False`` stores no result (its test judges a property)."""
    return {"probe": probe, "args": args, "golden": golden}


def f32(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


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


