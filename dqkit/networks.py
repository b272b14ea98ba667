"""The networks the homework uses: small MLPs for vector observations (and their hidden
layers alone, as a trunk that several heads share), Q-networks for discrete actions, and a
critic and an actor for continuous ones."""
from __future__ import annotations

from collections.abc import Sequence

import torch
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


def feature_trunk(input_dim: int, hidden_sizes: Sequence[int] = (64, 64)) -> nn.Sequential:
    """The hidden layers of :func:`mlp` without its output layer: a Linear and a ReLU per
    hidden size. Maps float32 [B, input_dim] to features float32 [B, hidden_sizes[-1]],
    which several heads can share (the dueling part's value and advantage streams)."""
    if not hidden_sizes:
        raise ValueError("a feature trunk needs at least one hidden layer")
    layers: list[nn.Module] = []
    sizes = [input_dim, *hidden_sizes]
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers)


class QNetwork(nn.Module):
    """Q(s, .) for a discrete action space: observations [B, obs_dim] -> q_values [B, num_actions]."""

    def __init__(self, obs_dim: int, num_actions: int, hidden_sizes: Sequence[int] = (64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.net = mlp(obs_dim, num_actions, hidden_sizes)

    def forward(self, observations):
        return self.net(observations)


class Critic(nn.Module):
    """Q(s, a) for a continuous action space: observations [B, obs_dim] and actions
    [B, action_dim] (both float32) -> q_values float32 [B]."""

    def __init__(self, obs_dim: int, action_dim: int, hidden_sizes: Sequence[int] = (64, 64)):
        super().__init__()
        self.obs_dim, self.action_dim = obs_dim, action_dim
        self.net = mlp(obs_dim + action_dim, 1, hidden_sizes)

    def forward(self, observations, actions):
        return self.net(torch.cat([observations, actions], dim=1)).squeeze(1)


class Actor(nn.Module):
    """A deterministic policy mu(s) inside the action box: observations float32
    [B, obs_dim] -> actions float32 [B, action_dim], squashed by tanh onto [low, high]."""

    def __init__(self, obs_dim: int, low, high, hidden_sizes: Sequence[int] = (64, 64)):
        super().__init__()
        low = torch.as_tensor(low, dtype=torch.float32)
        high = torch.as_tensor(high, dtype=torch.float32)
        self.obs_dim, self.action_dim = obs_dim, int(low.shape[0])
        self.net = mlp(obs_dim, self.action_dim, hidden_sizes)
        # Buffers, not parameters: they move with the module and are copied by hard_update.
        self.register_buffer("centre", (high + low) / 2)
        self.register_buffer("half_range", (high - low) / 2)

    def forward(self, observations):
        return self.centre + self.half_range * torch.tanh(self.net(observations))


def conv_trunk(stack: int, height: int, width: int) -> tuple[nn.Sequential, int]:
    """The convolutional layers of the pixels part's Q-network, and the number of features
    they give per state: float32 [B, stack, height, width] -> [B, 32, h, w], h and w what two
    convolutions (16 filters 4x4, then 32 filters 3x3, both with stride 2 and each followed
    by a ReLU) leave of the frame. A smaller cousin of the DQN paper's three layers,
    sized for frames of a few dozen pixels a side."""
    layers = nn.Sequential(nn.Conv2d(stack, 16, kernel_size=4, stride=2), nn.ReLU(),
                           nn.Conv2d(16, 32, kernel_size=3, stride=2), nn.ReLU())
    h, w = ((height - 4) // 2 + 1 - 3) // 2 + 1, ((width - 4) // 2 + 1 - 3) // 2 + 1
    if h < 1 or w < 1:
        raise ValueError(f"frames of {height} x {width} pixels are too small for the convolutional trunk "
                         "(it needs at least 8 x 8)")
    return layers, 32 * h * w
