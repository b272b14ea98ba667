"""Probes for the student's ``dqn.py`` (runs in the worker)."""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from autograder.probes._convert import tensor_to_plain, with_graph
from autograder.worker import ProbeInputError


def epsilon_greedy_counts(q_values: np.ndarray, epsilon: float, seed: int, repeats: int) -> dict[str, Any]:
    """Call epsilon_greedy ``repeats`` times with one generator; count actions per row, and
    keep every call's actions ([repeats, rows]) so the grader can look at the rows of one call
    together.

    Also calls it twice more with a fresh generator of the same seed, reseeding the global
    generators in between, to see whether the result depends only on ``rng``.
    """
    import dqn

    q = torch.as_tensor(q_values, dtype=torch.float32)
    rng = np.random.default_rng(seed)
    counts = np.zeros(q.shape, dtype=np.int64)
    per_call = np.zeros((repeats, q.shape[0]), dtype=np.int16)
    first = None
    for call in range(repeats):
        plain = tensor_to_plain(dqn.epsilon_greedy(q, epsilon, rng), "epsilon_greedy(...)")
        if first is None:
            first = plain
            if plain["dtype"] != "int64" or plain["shape"] != [q.shape[0]]:
                return {"layout": {"dtype": plain["dtype"], "shape": plain["shape"]}}
        actions = plain["values"]
        if np.any(actions < 0) or np.any(actions >= q.shape[1]):
            raise ProbeInputError(f"epsilon_greedy returned actions {actions[:8].tolist()} outside 0..{q.shape[1] - 1}")
        counts[np.arange(q.shape[0]), actions] += 1
        per_call[call] = actions
    replays = []
    for global_seed in (1, 2):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        replays.append(tensor_to_plain(dqn.epsilon_greedy(q, epsilon, np.random.default_rng(seed + 1)),
                                       "epsilon_greedy(...)")["values"])
    return {"layout": {"dtype": first["dtype"], "shape": first["shape"]}, "counts": counts,
            "actions": per_call, "replays": replays}


def linear_schedule(start: float, end: float, duration: int, steps: list[int]) -> list[float]:
    import dqn

    values = []
    for step in steps:
        value = dqn.linear_schedule(start, end, duration, step)
        if isinstance(value, torch.Tensor):
            value = value.item()
        if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool):
            raise ProbeInputError(f"linear_schedule returned a {type(value).__name__}; it should return a float")
        values.append(float(value))
    return values


def dqn_targets(rewards: np.ndarray, terminated: np.ndarray, next_q_values: np.ndarray,
                gamma: float) -> dict[str, Any]:
    import dqn

    result = dqn.dqn_targets(torch.as_tensor(rewards, dtype=torch.float32),
                             torch.as_tensor(terminated, dtype=torch.float32),
                             with_graph(next_q_values), gamma)
    plain = tensor_to_plain(result, "dqn_targets(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    return plain


def td_loss(q_values: np.ndarray, actions: np.ndarray, targets: np.ndarray, loss: str,
            huber_delta: float) -> dict[str, Any]:
    """The loss and its gradient with respect to q_values."""
    import dqn

    q = torch.as_tensor(q_values, dtype=torch.float32).clone().requires_grad_(True)
    value = dqn.td_loss(q, torch.as_tensor(actions, dtype=torch.int64),
                        torch.as_tensor(targets, dtype=torch.float32), loss, huber_delta)
    plain = tensor_to_plain(value, "td_loss(...)")
    if value.requires_grad and value.numel() == 1:
        value.backward()
        plain["grad"] = q.grad.detach().to(torch.float64).numpy().copy() if q.grad is not None else None
    else:
        plain["grad"] = None
    return plain


def update_step(sizes: list[int], state: dict[str, np.ndarray], observations: np.ndarray,
                actions: np.ndarray, targets: np.ndarray, learning_rate: float, loss: str,
                huber_delta: float, max_grad_norm: float) -> dict[str, Any]:
    """One update_q_network call with plain SGD on a fixed MLP; returns stats and new weights.

    Also returns what td_loss alone gives for the network's Q-values before the step with the
    same loss and huber_delta (None if it raises), so the grader can tell a wrong td_loss from
    an update_q_network that does not pass its settings on."""
    import dqn

    from dqkit.networks import mlp

    network = mlp(sizes[0], sizes[-1], sizes[1:-1])
    network.load_state_dict({name: torch.as_tensor(value) for name, value in state.items()})
    try:
        alone = dqn.td_loss(network(torch.as_tensor(observations, dtype=torch.float32)),
                            torch.as_tensor(actions, dtype=torch.int64),
                            torch.as_tensor(targets, dtype=torch.float32), loss, huber_delta)
        td_loss_alone = float(alone.detach().reshape(())) if isinstance(alone, torch.Tensor) else None
    except Exception:  # td_loss is judged by its own tests; update_q_network need not use it
        td_loss_alone = None
    optimizer = torch.optim.SGD(network.parameters(), lr=learning_rate)
    stats = dqn.update_q_network(network, optimizer, torch.as_tensor(observations, dtype=torch.float32),
                                 torch.as_tensor(actions, dtype=torch.int64),
                                 torch.as_tensor(targets, dtype=torch.float32), loss, huber_delta,
                                 max_grad_norm)
    if not isinstance(stats, dict):
        raise ProbeInputError(f"update_q_network returned a {type(stats).__name__}; it should return a dict")
    clean = {}
    for key, value in stats.items():
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        clean[str(key)] = float(value) if isinstance(value, (int, float, np.floating, np.integer)) else None
    weights = {name: tensor.detach().to(torch.float64).numpy().copy()
               for name, tensor in network.state_dict().items()}
    return {"stats": clean, "weights": weights, "td_loss_alone": td_loss_alone}


PROBES = {
    "epsilon_greedy_counts": epsilon_greedy_counts,
    "linear_schedule": linear_schedule,
    "dqn_targets": dqn_targets,
    "td_loss": td_loss,
    "update_step": update_step,
}


def fitted_q_chain(states: int, gamma: float, iterations: int, inner_steps: int,
                   learning_rate: float, seed: int = 0) -> dict[str, Any]:
    """Fitted Q-iteration with the student's dqn_targets and update_q_network on a chain.

    States 0 .. states-1, one-hot observations; action 1 moves right, action 0 left (state
    0 stays). Moving right from the last state ends the episode with reward 1 (its next
    observation is the last state's own one-hot, as environments that return the final
    observation do); every other reward is 0. The Q-network is a bias-free linear layer on
    the one-hot input, i.e. a table. Each iteration computes targets with a frozen copy,
    takes ``inner_steps`` SGD steps on all 2 * states transitions, then copies. The table
    starts from small random values drawn with ``seed``.
    """
    import dqn

    eye = torch.eye(states)
    obs, actions, rewards, next_obs, terminated = [], [], [], [], []
    for state in range(states):
        for action in (0, 1):
            last = state == states - 1 and action == 1
            next_state = state if last else (max(state - 1, 0) if action == 0 else state + 1)
            obs.append(eye[state])
            actions.append(action)
            rewards.append(1.0 if last else 0.0)
            next_obs.append(eye[next_state])
            terminated.append(1.0 if last else 0.0)
    obs, next_obs = torch.stack(obs), torch.stack(next_obs)
    actions = torch.tensor(actions, dtype=torch.int64)
    rewards, terminated = torch.tensor(rewards), torch.tensor(terminated)
    network = torch.nn.Linear(states, 2, bias=False)
    with torch.no_grad():
        network.weight.copy_(torch.as_tensor(np.random.default_rng(seed).uniform(-0.1, 0.1, (2, states))))
    target = torch.nn.Linear(states, 2, bias=False)
    target.load_state_dict(network.state_dict())
    optimizer = torch.optim.SGD(network.parameters(), lr=learning_rate)
    for _ in range(iterations):
        with torch.no_grad():
            next_q_values = target(next_obs)
        targets = dqn.dqn_targets(rewards, terminated, next_q_values, gamma)
        if not isinstance(targets, torch.Tensor) or targets.shape != rewards.shape:
            raise ProbeInputError(f"dqn_targets returned {type(targets).__name__} of shape "
                                  f"{list(getattr(targets, 'shape', []))}; expected a tensor [B]")
        for _ in range(inner_steps):
            dqn.update_q_network(network, optimizer, obs, actions, targets.detach(), "mse", 1.0, 1e6)
        target.load_state_dict(network.state_dict())
    q_table = network(eye).detach().to(torch.float64).numpy().copy()
    return {"q_values": q_table}


PROBES["fitted_q_chain"] = fitted_q_chain
