"""The analytic Q-functions of the continuous-action cases, in numpy: the worker's recording
critic (``autograder/probes/_analytic_q.py``, which describes the specs) and the grader's
evaluation of the actions a maximizer returned both compute Q with these functions."""
from __future__ import annotations

from typing import Any

import numpy as np


def q_values(spec: dict[str, Any], index: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Q(s_index[n], actions[n]) in float64 for each row n: index int [N], actions [N, A]."""
    actions = np.asarray(actions, dtype=np.float64)
    if spec["kind"] == "quadratic":
        offsets = actions - spec["optimum"][index]
        return spec["offset"][index] - np.einsum("ni,nij,nj->n", offsets, spec["curvature"][index], offsets)
    if spec["kind"] == "bumps":
        squared = ((actions[:, None, :] - spec["centers"][index]) ** 2).sum(axis=2)  # [N, K]
        widths = spec["widths"][index]
        return (spec["heights"][index] * np.exp(-squared / (2 * widths**2))).sum(axis=1)
    if spec["kind"] == "linear":
        return spec["offset"][index] + (spec["slope"][index] * actions).sum(axis=1)
    raise ValueError(f"unknown Q-function kind {spec['kind']!r}")


def action_dim(spec: dict[str, Any]) -> int:
    """A, the length of an action, for a spec."""
    key = {"quadratic": "optimum", "bumps": "centers", "linear": "slope"}[spec["kind"]]
    return int(np.shape(spec[key])[-1])
