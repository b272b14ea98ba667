"""The networks the homework uses: small MLPs for vector observations."""
from __future__ import annotations

from collections.abc import Sequence

from torch import nn


def mlp(input_dim: int, output_dim: int, hidden_sizes: Sequence[int] = (64, 64)) -> nn.Sequential:
    """A multilayer perceptron with ReLU between layers and a linear output.

    Maps float32 [B, input_dim] to float32 [B, output_dim].
    """
    layers: list[nn.Module] = []
    sizes = [input_dim, *hidden_sizes]
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    layers.append(nn.Linear(sizes[-1], output_dim))
    return nn.Sequential(*layers)


class QNetwork(nn.Module):
    """Q(s, .) for a discrete action space: observations [B, obs_dim] -> q_values [B, num_actions]."""

    def __init__(self, obs_dim: int, num_actions: int, hidden_sizes: Sequence[int] = (64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.net = mlp(obs_dim, num_actions, hidden_sizes)

    def forward(self, observations):
        return self.net(observations)
