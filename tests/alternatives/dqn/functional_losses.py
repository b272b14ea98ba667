"""Correct DQN pieces from torch.nn.functional: Huber as delta * smooth_l1_loss(beta=delta),
MSE as mse_loss, Q(s, a) by one-hot masking; epsilon-greedy that draws a random action only
for the rows that explore."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dqkit.checks import check_epsilon, check_gamma, check_same_batch


def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> torch.Tensor:
    check_epsilon(epsilon)
    actions = q_values.argmax(dim=1).to(torch.int64).cpu().clone()
    explorers = np.flatnonzero(rng.random(q_values.shape[0]) < epsilon)
    if explorers.size:
        actions[torch.as_tensor(explorers)] = torch.as_tensor(
            rng.choice(q_values.shape[1], size=explorers.size), dtype=torch.int64)
    return actions


def linear_schedule(start: float, end: float, duration: int, step: int) -> float:
    if duration <= 0 or step < 0:
        raise ValueError(f"need duration > 0 and step >= 0, got duration={duration}, step={step}")
    progress = np.clip(step / duration, 0.0, 1.0)
    return float((1.0 - progress) * start + progress * end)


def dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_q_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_q_values=next_q_values)
    best, _ = torch.max(next_q_values, dim=1)
    return (rewards + gamma * best * (1 - terminated)).detach()


def td_loss(q_values: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
            loss: str = "huber", huber_delta: float = 1.0) -> torch.Tensor:
    if loss not in ("huber", "mse"):
        raise ValueError(f"loss must be 'huber' or 'mse', got {loss!r}")
    if huber_delta <= 0:
        raise ValueError(f"huber_delta must be positive, got {huber_delta}")
    check_same_batch(q_values=q_values, actions=actions, targets=targets)
    one_hot = F.one_hot(actions.long(), q_values.shape[1]).to(q_values.dtype)
    taken = (q_values * one_hot).sum(dim=1)
    if loss == "mse":
        return F.mse_loss(taken, targets)
    return huber_delta * F.smooth_l1_loss(taken, targets, beta=huber_delta)


def update_q_network(q_network: nn.Module, optimizer: torch.optim.Optimizer,
                     observations: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
                     loss: str = "huber", huber_delta: float = 1.0,
                     max_grad_norm: float = 10.0) -> dict[str, float]:
    q_values = q_network(observations)
    loss_value = td_loss(q_values, actions, targets.detach(), loss, huber_delta)
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
