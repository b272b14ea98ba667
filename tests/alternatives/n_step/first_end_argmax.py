"""Correct N-step targets: the first end found with argmax over a padded end mask, then a
mask of the positions summed and a gather of the bootstrap."""
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
    ended = torch.logical_or(window_terminated.bool(), window_truncated.bool())
    # The window's last position counts as an end; argmax returns the first maximum.
    ended[:, -1] = True
    last = ended.to(torch.int8).argmax(dim=1)
    positions = torch.arange(window).expand(batch_size, window)
    summed = positions <= last.unsqueeze(1)
    powers = torch.pow(torch.full((window,), gamma, dtype=torch.float64), torch.arange(window))
    returns = (window_rewards.double() * powers * summed).sum(dim=1)
    rows = torch.arange(batch_size)
    alive = 1.0 - window_terminated[rows, last].double()
    bootstrap = bootstrap_values[rows, last].detach().double()
    return (returns + gamma ** (last + 1).double() * alive * bootstrap).float()
