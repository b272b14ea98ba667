"""Analytic Q-functions for the continuous-action parts, and a critic that records its calls.

The maximizers of ``random_shooting.py`` and ``cem.py`` get a ``q_function`` to maximize.
Here it is a closed-form function of (s, a) whose maximum over the action box is known, so
a grader can tell how close a result came. Each observation s_b of a case has its own
function, so an action evaluated with the wrong observation shows. A spec (plain data from
a fixture case) is one of:

- ``quadratic``: Q(s_b, a) = offset_b - (a - optimum_b)^T curvature_b (a - optimum_b), with
  ``curvature`` [B, A, A] symmetric positive definite and ``optimum`` [B, A] inside the box:
  a concave bowl whose top is offset_b.
- ``bumps``: Q(s_b, a) = sum_k heights_bk exp(-|a - centers_bk|^2 / (2 widths_bk^2)), with
  ``centers`` [B, K, A]: K local maxima, one of them global.
- ``linear``: Q(s_b, a) = offset_b + slope_b . a, maximal at a corner of the box.

Every spec has ``observations`` [B, obs_dim] (distinct rows) and ``true_max`` [B], the
maximum over the box (computed by the fixture builder). The same numpy code serves the
recording critic in the worker and the grader's own evaluation of returned actions.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.worker import ProbeInputError

if TYPE_CHECKING:
    import torch

# torch is imported where it is used: the grader imports q_values from here, and a self-check
# of random_shooting or cem would otherwise wait for torch in the grader as well as in the worker.

# Rows of q_function's observations must equal one of the case's observations this closely.
MATCH_TOLERANCE = 1e-6


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


def observation_index(table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row, the index of the equal observation in ``table`` [B, obs_dim], or -1."""
    distances = np.abs(rows[:, None, :] - table[None, :, :]).max(axis=2)  # [N, B]
    index = distances.argmin(axis=1)
    return np.where(distances[np.arange(len(rows)), index] <= MATCH_TOLERANCE, index, -1)


class RecordingCritic:
    """The ``q_function`` handed to the student's maximizer.

    It accepts what a critic network accepts (float32 tensors [N, obs_dim] and [N, A]),
    returns float32 [N], and records every call: how many rows, whether autograd was on,
    which observation each row was (by value), and optionally the actions and the values
    returned. Like a network with parameters, its output carries an autograd graph unless
    it is called under ``torch.no_grad()``.
    """

    def __init__(self, spec: dict[str, Any], keep_samples: bool = True):
        import torch

        self.spec, self.keep_samples = spec, keep_samples
        self.table = np.asarray(spec["observations"], dtype=np.float64)
        self.action_dim = action_dim(spec)
        self.calls: list[dict[str, Any]] = []
        self._weight = torch.zeros((), requires_grad=True)

    def __call__(self, observations: Any, actions: Any) -> torch.Tensor:
        import torch

        for name, value in (("observations", observations), ("actions", actions)):
            if type(value) is not torch.Tensor:
                raise ProbeInputError(f"q_function takes torch tensors, but {name} is a "
                                      f"{type(value).__module__}.{type(value).__qualname__}")
            if value.dtype != torch.float32:
                raise ProbeInputError(
                    f"q_function takes float32 tensors, like a critic network; {name} has dtype {value.dtype}. "
                    "numpy draws float64: convert the samples with torch.as_tensor(..., dtype=torch.float32).")
        if observations.dim() != 2 or actions.dim() != 2 or observations.shape[0] != actions.shape[0]:
            raise ProbeInputError(
                f"q_function takes observations [N, obs_dim] and actions [N, action_dim] with the same N; "
                f"it got {list(observations.shape)} and {list(actions.shape)}. Flatten the samples to "
                "[B * M, action_dim] and repeat each observation once per sample.")
        rows = observations.detach().cpu().to(torch.float64).numpy()
        if rows.shape[1] != self.table.shape[1]:
            raise ProbeInputError(f"q_function got observations with {rows.shape[1]} features; these "
                                  f"observations have {self.table.shape[1]}.")
        index = observation_index(self.table, rows)
        if np.any(index < 0):
            bad = int(np.flatnonzero(index < 0)[0])
            raise ProbeInputError(
                f"q_function got an observation (row {bad}: {np.round(rows[bad], 4).tolist()}) that is none of "
                "the observations passed to your function: pass the observations themselves, each repeated "
                "once per sample.")
        if actions.shape[1] != self.action_dim:
            raise ProbeInputError(f"q_function got actions with {actions.shape[1]} entries; this action box has "
                                  f"{self.action_dim} dimensions.")
        samples = actions.detach().cpu().to(torch.float64).numpy()
        values = q_values(self.spec, index, samples).astype(np.float32)
        record: dict[str, Any] = {"rows": int(rows.shape[0]), "grad_enabled": torch.is_grad_enabled(),
                                  "index": index.astype(np.int64)}
        if self.keep_samples:
            record["actions"], record["values"] = samples, values.astype(np.float64)
        self.calls.append(record)
        result = torch.as_tensor(values)
        if torch.is_grad_enabled():
            result = result + self._weight  # a graph, as a network's output would have
        return result


def observations_of(spec: dict[str, Any]) -> torch.Tensor:
    """The case's observations as the float32 tensor [B, obs_dim] a maximizer is given."""
    import torch

    return torch.as_tensor(np.asarray(spec["observations"], dtype=np.float32))


def result_pair(result: Any, what: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (actions, values) a maximizer returned, as plain data."""
    from autograder.probes._convert import tensor_to_plain

    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ProbeInputError(f"{what} should return a pair (actions, values); it returned a "
                              f"{type(result).__name__}")
    return tensor_to_plain(result[0], f"{what}'s actions"), tensor_to_plain(result[1], f"{what}'s values")


def mean_gap(spec: dict[str, Any], actions: np.ndarray) -> float:
    """The average over observations of true_max_b - Q(s_b, actions[b]) (actions [B, A])."""
    index = np.arange(len(spec["true_max"]))
    return float(np.mean(spec["true_max"] - q_values(spec, index, actions)))
