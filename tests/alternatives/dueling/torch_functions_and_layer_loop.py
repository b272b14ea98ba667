"""Correct dueling head from torch functions (torch.add, torch.sub, torch.mean with
positional arguments, a view to [B, 1]), and streams that run the trunk's layers one by one."""
from __future__ import annotations

import torch
from torch import nn

from dqkit.checks import check_dueling_inputs
from dqkit.networks import feature_trunk


def dueling_q_values(values: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    check_dueling_inputs(values, advantages)
    centred = torch.sub(advantages, torch.mean(advantages, 1, True))
    return torch.add(values.view(-1, 1), centred)


class DuelingQNetwork(nn.Module):
    def __init__(self, obs_dim, num_actions, hidden_sizes=(64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.trunk = feature_trunk(obs_dim, hidden_sizes)
        self.value_head = nn.Linear(hidden_sizes[-1], 1)
        self.advantage_head = nn.Linear(hidden_sizes[-1], num_actions)

    def streams(self, observations):
        features = observations
        for layer in self.trunk:
            features = layer(features)
        values = self.value_head(features).flatten()
        advantages = self.advantage_head(features)
        return values, advantages

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
