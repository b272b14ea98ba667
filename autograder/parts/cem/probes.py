"""Probes for the student's ``cem.py`` (runs in the worker)."""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from autograder.probes._analytic_q import RecordingCritic, mean_gap, observations_of, result_pair


def _cem(critic: RecordingCritic, q: dict[str, Any], low: np.ndarray, high: np.ndarray, seed: int,
         settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    import cem

    result = cem.cem_argmax(critic, observations_of(q), low, high, np.random.default_rng(seed), **settings)
    return result_pair(result, "cem_argmax(...)")


def record(q: dict[str, Any], low: np.ndarray, high: np.ndarray, seed: int, settings: dict[str, Any],
           keep_samples: bool = True) -> dict[str, Any]:
    """One call on the analytic Q-function ``q``; the result and every q_function call.
    ``settings`` are cem_argmax's keyword arguments (num_samples, num_elites, ...)."""
    critic = RecordingCritic(q, keep_samples)
    actions, values = _cem(critic, q, low, high, seed, settings)
    return {"actions": actions, "values": values, "calls": critic.calls}


def gaps(q: dict[str, Any], low: np.ndarray, high: np.ndarray, settings: dict[str, Any],
         seeds: list[int]) -> dict[str, Any]:
    """One run per seed; for each, the average over observations of true max - Q(s, action
    returned). Stops at the first run whose result has the wrong dtype or shape."""
    batch_size, action_dim = np.shape(q["observations"])[0], len(low)
    expected = {"actions": ("float32", [batch_size, action_dim]), "values": ("float32", [batch_size])}
    results = []
    for seed in seeds:
        actions, values = _cem(RecordingCritic(q, keep_samples=False), q, low, high, seed, settings)
        layout = {"actions": (actions["dtype"], actions["shape"]), "values": (values["dtype"], values["shape"])}
        if layout != expected:
            return {"layout": {key: list(value) for key, value in layout.items()}}
        results.append(mean_gap(q, actions["values"]))
    return {"gaps": np.asarray(results, dtype=np.float64)}


def replays(q: dict[str, Any], low: np.ndarray, high: np.ndarray, seed: int, settings: dict[str, Any]) -> dict[str, Any]:
    """Three runs: generator seeds (seed, seed, seed + 1), the global generators of numpy,
    torch and random reseeded to (1, 2, 1) before each."""
    runs = []
    for rng_seed, global_seed in ((seed, 1), (seed, 2), (seed + 1, 1)):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        actions, values = _cem(RecordingCritic(q, keep_samples=False), q, low, high, rng_seed, settings)
        runs.append({"actions": actions["values"], "values": values["values"]})
    return {"runs": runs}


PROBES = {"record": record, "gaps": gaps, "replays": replays}
