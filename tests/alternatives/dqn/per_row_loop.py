"""Correct DQN pieces written row by row: epsilon-greedy with a Python loop and
``rng.choice``; targets and losses with explicit per-row loops over the batch."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dqkit.checks import check_epsilon, check_gamma, check_same_batch


def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> torch.Tensor:
    check_epsilon(epsilon)
    actions = []
    for row in q_values:
        if rng.random() < epsilon:
            actions.append(int(rng.choice(len(row))))
        else:
            actions.append(int(torch.argmax(row)))
    return torch.tensor(actions, dtype=torch.int64)


def linear_schedule(start: float, end: float, duration: int, step: int) -> float:
    if duration <= 0 or step < 0:
        raise ValueError(f"need duration > 0 and step >= 0, got duration={duration}, step={step}")
    if step >= duration:
        return end
    return start + (end - start) * step / duration


def dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_q_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_q_values=next_q_values)
    targets = torch.empty_like(rewards)
    with torch.no_grad():
        for row in range(len(rewards)):
            bootstrap = 0.0 if terminated[row] else gamma * next_q_values[row].max()
            targets[row] = rewards[row] + bootstrap
    return targets


def td_loss(q_values: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
            loss: str = "huber", huber_delta: float = 1.0) -> torch.Tensor:
    if loss not in ("huber", "mse"):
        raise ValueError(f"loss must be 'huber' or 'mse', got {loss!r}")
    if huber_delta <= 0:
        raise ValueError(f"huber_delta must be positive, got {huber_delta}")
    check_same_batch(q_values=q_values, actions=actions, targets=targets)
    terms = []
    for row in range(len(targets)):
        error = q_values[row, actions[row]] - targets[row]
        if loss == "mse":
            terms.append(error**2)
        elif error.abs() <= huber_delta:
            terms.append(0.5 * error**2)
        else:
            terms.append(huber_delta * (error.abs() - 0.5 * huber_delta))
    return torch.stack(terms).mean()


def update_q_network(q_network: nn.Module, optimizer: torch.optim.Optimizer,
                     observations: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
                     loss: str = "huber", huber_delta: float = 1.0,
                     max_grad_norm: float = 10.0) -> dict[str, float]:
    q_values = q_network(observations)
    loss_value = td_loss(q_values, actions, targets, loss=loss, huber_delta=huber_delta)
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
