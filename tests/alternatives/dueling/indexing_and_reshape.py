"""Correct dueling head with None-indexing instead of unsqueeze/keepdim, and the value
stream made [B] with a reshape."""
from __future__ import annotations

import torch
from torch import nn

from dqkit.checks import check_dueling_inputs
from dqkit.networks import feature_trunk


def dueling_q_values(values: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    check_dueling_inputs(values, advantages)
    mean_advantage = advantages.mean(dim=-1)
    return values[:, None] + (advantages - mean_advantage[:, None])


class DuelingQNetwork(nn.Module):
    def __init__(self, obs_dim, num_actions, hidden_sizes=(64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.trunk = feature_trunk(obs_dim, hidden_sizes)
        self.value_head = nn.Linear(hidden_sizes[-1], 1)
        self.advantage_head = nn.Linear(hidden_sizes[-1], num_actions)

    def streams(self, observations):
        hidden = self.trunk(observations)
        return self.value_head(hidden).reshape(-1), self.advantage_head(hidden)

    def forward(self, observations):
        return dueling_q_values(*self.streams(observations))


def train(config):
    import dqn_loop

    plain = dqn_loop.QNetwork
    dqn_loop.QNetwork = DuelingQNetwork
    try:
        return dqn_loop.train(config)
    finally:
        dqn_loop.QNetwork = plain
