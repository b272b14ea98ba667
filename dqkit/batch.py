"""The minibatch type that replay buffers return."""
from __future__ import annotations

from typing import NamedTuple

import torch


class Batch(NamedTuple):
    """A minibatch of ``B`` transitions; every field is a torch tensor, batch axis first.

    Attributes:
        observations: float32 [B, *obs_shape], the states s.
        actions: int64 [B] for a discrete action space, float32 [B, action_dim] for a
            continuous one.
        rewards: float32 [B].
        next_observations: float32 [B, *obs_shape], the states s' reached.
        terminated: float32 [B], 1.0 where s' is terminal (the episode ended because of the
            MDP, so the target must not bootstrap from s'), else 0.0.
        truncated: float32 [B], 1.0 where the episode was cut by a time limit at s'. The
            target still bootstraps there: the MDP did not end, we stopped watching. It is
            kept so that code looking at consecutive transitions (N-step returns) can tell
            where an episode stopped.
    """

    observations: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_observations: torch.Tensor
    terminated: torch.Tensor
    truncated: torch.Tensor
