"""Correct DQN pieces built on ``torch.where``: the terminal case of the target, the two
branches of the Huber loss written by hand, and the explore-or-exploit choice."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dqkit.checks import check_epsilon, check_gamma, check_same_batch


def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> torch.Tensor:
    check_epsilon(epsilon)
    batch_size, num_actions = q_values.shape
    explore = torch.as_tensor(rng.uniform(size=batch_size) < epsilon)
    random_actions = torch.as_tensor(rng.integers(num_actions, size=batch_size), dtype=torch.int64)
    return torch.where(explore, random_actions, q_values.detach().argmax(dim=1).cpu())


def linear_schedule(start: float, end: float, duration: int, step: int) -> float:
    if duration <= 0 or step < 0:
        raise ValueError(f"need duration > 0 and step >= 0, got duration={duration}, step={step}")
    return float(np.interp(step, [0, duration], [start, end]))


def dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_q_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_q_values=next_q_values)
    with torch.no_grad():
        bootstrapped = rewards + gamma * next_q_values.amax(dim=1)
        return torch.where(terminated.bool(), rewards, bootstrapped)


def td_loss(q_values: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
            loss: str = "huber", huber_delta: float = 1.0) -> torch.Tensor:
    if loss not in ("huber", "mse"):
        raise ValueError(f"loss must be 'huber' or 'mse', got {loss!r}")
    if huber_delta <= 0:
        raise ValueError(f"huber_delta must be positive, got {huber_delta}")
    check_same_batch(q_values=q_values, actions=actions, targets=targets)
    errors = q_values[torch.arange(len(actions)), actions] - targets
    if loss == "mse":
        return errors.pow(2).mean()
    size = errors.abs()
    return torch.where(size <= huber_delta, 0.5 * errors**2, huber_delta * (size - 0.5 * huber_delta)).mean()


def update_q_network(q_network: nn.Module, optimizer: torch.optim.Optimizer,
                     observations: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
                     loss: str = "huber", huber_delta: float = 1.0,
                     max_grad_norm: float = 10.0) -> dict[str, float]:
    q_values = q_network.forward(observations)
    loss_value = td_loss(q_values, actions, targets, loss, huber_delta)
    optimizer.zero_grad()
    loss_value.backward()
    grad_norm = nn.utils.clip_grad_norm_(q_network.parameters(), max_grad_norm)
    optimizer.step()
    with torch.no_grad():
        taken = q_values.gather(1, actions.long().unsqueeze(1))
    return {
        "losses/td_loss": float(loss_value.detach()),
        "losses/q_values": float(taken.mean()),
        "losses/targets": float(targets.mean()),
        "losses/grad_norm": float(grad_norm),
    }
