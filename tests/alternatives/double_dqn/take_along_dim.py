"""Correct double-Q targets with ``torch.take_along_dim`` under ``torch.no_grad()``."""
from __future__ import annotations

import torch

from dqkit.checks import check_gamma, check_same_batch


def double_dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor,
                       next_q_values_online: torch.Tensor, next_q_values_target: torch.Tensor,
                       gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated,
                     next_q_values_online=next_q_values_online,
                     next_q_values_target=next_q_values_target)
    with torch.no_grad():
        best_actions = torch.argmax(next_q_values_online, dim=-1, keepdim=True)
        next_values = torch.take_along_dim(next_q_values_target, best_actions, dim=-1)[:, 0]
        return rewards + gamma * (1 - terminated) * next_values
