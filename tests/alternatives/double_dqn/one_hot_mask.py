"""Correct double-Q targets: a one-hot mask of the online argmax picks the target value."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from dqkit.checks import check_gamma, check_same_batch


def double_dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor,
                       next_q_values_online: torch.Tensor, next_q_values_target: torch.Tensor,
                       gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated,
                     next_q_values_online=next_q_values_online,
                     next_q_values_target=next_q_values_target)
    num_actions = next_q_values_online.shape[1]
    mask = F.one_hot(next_q_values_online.argmax(dim=1), num_actions).to(next_q_values_target.dtype)
    next_values = (mask * next_q_values_target).sum(dim=1)
    not_done = 1.0 - terminated
    return (rewards + gamma * not_done * next_values).detach()
