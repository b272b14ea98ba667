"""Correct dueling head: the mean as a sum divided by the number of actions, V expanded to
[B, A] explicitly; the value stream indexed down to [B]."""
from __future__ import annotations

import torch
from torch import nn

from dqkit.checks import check_dueling_inputs
from dqkit.networks import feature_trunk


def dueling_q_values(values: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    check_dueling_inputs(values, advantages)
    num_actions = advantages.shape[1]
    mean_advantage = advantages.sum(dim=1, keepdim=True) / num_actions
    return values.unsqueeze(-1).expand(-1, num_actions) + advantages - mean_advantage


class DuelingQNetwork(nn.Module):
    def __init__(self, obs_dim, num_actions, hidden_sizes=(64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.trunk = feature_trunk(obs_dim, hidden_sizes)
        self.value_head = nn.Linear(hidden_sizes[-1], 1)
        self.advantage_head = nn.Linear(hidden_sizes[-1], num_actions)

    def streams(self, observations):
        features = self.trunk(observations)
        values = self.value_head(features)[:, 0]
        return values, self.advantage_head(features)

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
