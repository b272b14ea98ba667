"""Correct N-step targets by the backward recursion G_k = r_k + gamma * (what follows k),
where what follows is the bootstrap (unless terminated) if the episode ended at k or the
window ends there, and G_(k+1) otherwise; vectorized over the batch with ``torch.where``."""
from __future__ import annotations

import torch

from dqkit.checks import check_gamma, check_same_batch


def n_step_targets(window_rewards: torch.Tensor, window_terminated: torch.Tensor,
                   window_truncated: torch.Tensor, bootstrap_values: torch.Tensor,
                   gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_same_batch(window_rewards=window_rewards, window_terminated=window_terminated,
                     window_truncated=window_truncated, bootstrap_values=bootstrap_values)
    with torch.no_grad():
        window = window_rewards.shape[1]
        stopped_bootstrap = (1.0 - window_terminated) * bootstrap_values
        returns = window_rewards[:, -1] + gamma * stopped_bootstrap[:, -1]
        for k in range(window - 2, -1, -1):
            ended = (window_terminated[:, k] > 0) | (window_truncated[:, k] > 0)
            after = torch.where(ended, stopped_bootstrap[:, k], returns)
            returns = window_rewards[:, k] + gamma * after
        return returns
