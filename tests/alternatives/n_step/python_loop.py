"""Correct N-step targets with a Python loop over rows and window positions."""
from __future__ import annotations

import torch

from dqkit.checks import check_gamma, check_same_batch


def n_step_targets(window_rewards: torch.Tensor, window_terminated: torch.Tensor,
                   window_truncated: torch.Tensor, bootstrap_values: torch.Tensor,
                   gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(window_rewards=window_rewards, window_terminated=window_terminated,
                     window_truncated=window_truncated, bootstrap_values=bootstrap_values)
    batch_size, window = window_rewards.shape
    targets = []
    for b in range(batch_size):
        target, discount = 0.0, 1.0
        for k in range(window):
            target += discount * float(window_rewards[b, k])
            discount *= gamma
            terminated = bool(window_terminated[b, k])
            if terminated or bool(window_truncated[b, k]) or k == window - 1:
                if not terminated:
                    target += discount * float(bootstrap_values[b, k])
                break
        targets.append(target)
    return torch.tensor(targets, dtype=torch.float32)
