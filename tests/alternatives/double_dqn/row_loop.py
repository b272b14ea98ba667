"""Correct double-Q targets, one row at a time."""
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
    targets = []
    for reward, done, online_row, target_row in zip(rewards.tolist(), terminated.tolist(),
                                                    next_q_values_online.tolist(),
                                                    next_q_values_target.tolist()):
        best = max(range(len(online_row)), key=online_row.__getitem__)
        targets.append(reward if done else reward + gamma * target_row[best])
    return torch.tensor(targets, dtype=torch.float32)
