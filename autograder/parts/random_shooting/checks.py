"""Checks of part random_shooting that the other maximizer (cem) does not share.

The statistical ones keep their false alarm below FALSE_ALARM
(``autograder/graders/statistics.py``):
- samples uniform in the box: the Dvoretzky-Kiefer-Wolfowitz inequality (:func:`check_uniform`);
- random shooting close to the maximum: a tolerance the budget allows, derived in
  ``autograder/parts/random_shooting/secret/cases.py`` (:func:`check_near_max`).
The checks both maximizers share are in ``autograder/graders/continuous.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.graders.continuous import expect_called
from autograder.graders.statistics import FALSE_ALARM, dkw_tolerance
from autograder.graders.support import fail
from autograder.shared.analytic_q import q_values


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


# -- random shooting: close to the maximum ----------------------------------------------------
def check_near_max(result: dict[str, Any], case: dict[str, Any], what: str) -> None:
    """Each observation's gap, max Q - Q(s_b, action returned), is within the tolerance its
    budget allows (``_secret_common.uniform_gap_tolerances``: a correct implementation
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


