"""Networks the grader builds itself: the DDPG cases' fixed networks, built from plain data
(the worker's probes run the student's functions on them and the case builder computes the
expected values with them), and the grader's own dueling Q-network, which the learning
check of part dueling loads the trained parameters into."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from dqkit.networks import Actor, Critic, feature_trunk


def build_actor(spec: dict[str, Any]) -> Actor:
    """An ``Actor`` with the weights of ``spec`` = {obs_dim, low, high, hidden, state}."""
    actor = Actor(spec["obs_dim"], spec["low"], spec["high"], spec["hidden"])
    actor.load_state_dict({name: torch.as_tensor(value, dtype=torch.float32) for name, value in spec["state"].items()})
    return actor


def build_critic(spec: dict[str, Any]) -> Critic:
    """A ``Critic`` with the weights of ``spec`` = {obs_dim, action_dim, hidden, state}."""
    critic = Critic(spec["obs_dim"], spec["action_dim"], spec["hidden"])
    critic.load_state_dict({name: torch.as_tensor(value, dtype=torch.float32) for name, value in spec["state"].items()})
    return critic


class GraderDuelingQ(nn.Module):
    """The grader's own dueling Q-network, with the parameters of the dueling part's
    ``DuelingQNetwork`` (``trunk.*``, ``value_head.*``, ``advantage_head.*``): trained
    parameters are loaded into it and its greedy policy is measured, so the verdict never
    depends on the student's ``forward``. observations float32 [B, obs_dim] -> float32
    [B, num_actions], each state's advantages centred on their mean over its actions and
    added to its value. (The greedy action depends on the advantage stream only: the value
    and the mean are the same for every action of a state.)"""

    def __init__(self, obs_dim: int, num_actions: int, hidden_sizes: tuple[int, ...]):
        super().__init__()
        self.trunk = feature_trunk(obs_dim, hidden_sizes)
        self.value_head = nn.Linear(hidden_sizes[-1], 1)
        self.advantage_head = nn.Linear(hidden_sizes[-1], num_actions)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        hidden = self.trunk(observations)
        advantage = self.advantage_head(hidden)
        return self.value_head(hidden) + (advantage - advantage.mean(1, keepdim=True))  # [B, 1] + [B, A]
