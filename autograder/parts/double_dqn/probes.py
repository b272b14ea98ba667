"""Probes for the student's ``double_dqn.py`` (runs in the worker)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.probes._convert import tensor_to_plain, with_graph
from autograder.worker import ProbeInputError


def double_dqn_targets(rewards: np.ndarray, terminated: np.ndarray, next_q_values_online: np.ndarray,
                       next_q_values_target: np.ndarray, gamma: float) -> dict[str, Any]:
    import double_dqn

    result = double_dqn.double_dqn_targets(
        torch.as_tensor(rewards, dtype=torch.float32), torch.as_tensor(terminated, dtype=torch.float32),
        with_graph(next_q_values_online), with_graph(next_q_values_target), gamma)
    plain = tensor_to_plain(result, "double_dqn_targets(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    return plain


PROBES = {"double_dqn_targets": double_dqn_targets}


def overestimation(trials: int, actions: int, true_value: float, noise: float, samples: int,
                   seed: int) -> dict[str, Any]:
    """Maximization bias, after Sutton & Barto's example 6.7: from state A, moving left
    reaches B (reward 0, gamma 1), whose ``actions`` actions all end the episode with
    reward ~ N(true_value, noise^2). Two networks estimate Q(B, .) from independent samples
    (``samples`` rewards per action each), as an online and a target network trained on
    different data would. Returns the mean over ``trials`` of the student's double-Q
    target for (A, left), and of the DQN target (max of the target estimates) for comparison."""
    import double_dqn

    rng = np.random.default_rng(seed)
    online = rng.normal(true_value, noise, (trials, actions, samples)).mean(axis=2)
    target = rng.normal(true_value, noise, (trials, actions, samples)).mean(axis=2)
    zeros = torch.zeros(trials)
    result = double_dqn.double_dqn_targets(zeros, zeros, torch.as_tensor(online, dtype=torch.float32),
                                           torch.as_tensor(target, dtype=torch.float32), 1.0)
    plain = tensor_to_plain(result, "double_dqn_targets(...)")
    if plain["shape"] != [trials]:
        raise ProbeInputError(f"double_dqn_targets returned shape {plain['shape']}, expected [{trials}]")
    return {"double_mean": float(plain["values"].mean()), "dqn_mean": float(target.max(axis=1).mean()),
            "standard_error": float(noise / np.sqrt(samples) / np.sqrt(trials))}


PROBES["overestimation"] = overestimation
