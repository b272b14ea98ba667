"""Correct double-Q targets with advanced indexing and ``torch.where`` for terminal rows."""
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
    rows = torch.arange(rewards.shape[0])
    chosen = next_q_values_online.max(dim=1).indices
    evaluated = next_q_values_target.detach()[rows, chosen]
    return torch.where(terminated > 0.5, rewards, rewards + gamma * evaluated)
