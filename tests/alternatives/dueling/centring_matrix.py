"""Correct dueling head written as linear algebra: the advantages times the centring matrix
I - 11^T / A, plus V times a row of ones (an outer product); the heads applied with
torch.nn.functional.linear and the value column taken with squeeze(-1)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from dqkit.checks import check_dueling_inputs
from dqkit.networks import feature_trunk


def dueling_q_values(values: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    check_dueling_inputs(values, advantages)
    num_actions = advantages.shape[1]
    ones = torch.ones(num_actions, dtype=advantages.dtype)
    centring = torch.eye(num_actions, dtype=advantages.dtype) - torch.outer(ones, ones) / num_actions
    return torch.outer(values, ones) + advantages @ centring


class DuelingQNetwork(nn.Module):
    def __init__(self, obs_dim, num_actions, hidden_sizes=(64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.trunk = feature_trunk(obs_dim, hidden_sizes)
        self.value_head = nn.Linear(hidden_sizes[-1], 1)
        self.advantage_head = nn.Linear(hidden_sizes[-1], num_actions)

    def streams(self, observations):
        features = self.trunk(observations)
        values = F.linear(features, self.value_head.weight, self.value_head.bias).squeeze(-1)
        advantages = F.linear(features, self.advantage_head.weight, self.advantage_head.bias)
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
