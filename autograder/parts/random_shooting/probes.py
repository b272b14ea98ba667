"""Probes for the student's ``random_shooting.py`` (runs in the worker)."""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from autograder.probes._analytic_q import RecordingCritic, observations_of, result_pair


def record(q: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int, seed: int,
           keep_samples: bool = True) -> dict[str, Any]:
    """One call on the analytic Q-function ``q``; the result and every q_function call."""
    import random_shooting

    critic = RecordingCritic(q, keep_samples)
    result = random_shooting.random_shooting(critic, observations_of(q), low, high, num_samples,
                                             np.random.default_rng(seed))
    actions, values = result_pair(result, "random_shooting(...)")
    return {"actions": actions, "values": values, "calls": critic.calls}


def replays(q: dict[str, Any], low: np.ndarray, high: np.ndarray, num_samples: int, seed: int) -> dict[str, Any]:
    """Three calls: generator seeds (seed, seed, seed + 1), the global generators of numpy,
    torch and random reseeded to (1, 2, 1) before each, so a result that depends on
    anything but ``rng`` shows."""
    import random_shooting

    runs = []
    for rng_seed, global_seed in ((seed, 1), (seed, 2), (seed + 1, 1)):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        result = random_shooting.random_shooting(RecordingCritic(q, keep_samples=False), observations_of(q),
                                                 low, high, num_samples, np.random.default_rng(rng_seed))
        actions, values = result_pair(result, "random_shooting(...)")
        runs.append({"actions": actions["values"], "values": values["values"]})
    return {"runs": runs}


PROBES = {"record": record, "replays": replays}
