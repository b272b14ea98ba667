"""Probes for the student's ``n_step.py`` (runs in the worker)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.probes._convert import tensor_to_plain, with_graph
from autograder.worker import ProbeInputError


def n_step_targets(window_rewards: np.ndarray, window_terminated: np.ndarray,
                   window_truncated: np.ndarray, bootstrap_values: np.ndarray,
                   gamma: float) -> dict[str, Any]:
    import n_step

    result = n_step.n_step_targets(
        torch.as_tensor(window_rewards, dtype=torch.float32),
        torch.as_tensor(window_terminated, dtype=torch.float32),
        torch.as_tensor(window_truncated, dtype=torch.float32),
        with_graph(bootstrap_values), gamma)
    plain = tensor_to_plain(result, "n_step_targets(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    return plain


PROBES = {"n_step_targets": n_step_targets}


def chain_propagation(states: int, gamma: float, n: int, iterations: int, seed: int = 0) -> dict[str, Any]:
    """Tabular value iteration on a chain with the student's n_step_targets.

    One action moves right; leaving the last state ends the episode with reward 1. The
    stored data is one long stream of episodes, so a window that reaches the end of an
    episode continues into the next one (from state 0); those positions must be ignored.
    Each iteration sets V(s) to the N-step target of the window starting at s, with the
    bootstrap values read from the current table, which starts from values in [0, 0.1)
    drawn with ``seed``. Returns V after every iteration.
    """
    import n_step

    values = np.random.default_rng(seed).uniform(0.0, 0.1, states)
    history = []
    for _ in range(iterations):
        rewards = np.zeros((states, n))
        terminated = np.zeros((states, n))
        bootstrap = np.zeros((states, n))
        for start in range(states):
            state = start
            for k in range(n):
                last = state == states - 1
                rewards[start, k] = 1.0 if last else 0.0
                terminated[start, k] = 1.0 if last else 0.0
                next_state = 0 if last else state + 1
                bootstrap[start, k] = values[next_state] if not last else 123.0
                state = next_state
        result = n_step.n_step_targets(torch.as_tensor(rewards, dtype=torch.float32),
                                       torch.as_tensor(terminated, dtype=torch.float32),
                                       torch.zeros(states, n), torch.as_tensor(bootstrap, dtype=torch.float32),
                                       gamma)
        plain = tensor_to_plain(result, "n_step_targets(...)")
        if plain["shape"] != [states]:
            raise ProbeInputError(f"n_step_targets returned shape {plain['shape']}, expected [{states}]")
        values = plain["values"].astype(np.float64)
        history.append(values.copy())
    return {"history": np.stack(history)}


PROBES["chain_propagation"] = chain_propagation
