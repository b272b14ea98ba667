"""The DDPG cases' fixed networks, built from plain data: the worker's probes run the
student's functions on them and the case builder computes the expected values with them."""
from __future__ import annotations

from typing import Any

import torch

from dqkit.networks import Actor, Critic


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
