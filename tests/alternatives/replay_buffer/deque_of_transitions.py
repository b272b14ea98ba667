"""A correct replay buffer, written differently from the reference: a ``deque`` with
``maxlen`` drops the oldest transition by itself, and ``rng.choice`` draws the indices."""
from __future__ import annotations

from collections import deque

import numpy as np
import torch

from dqkit.batch import Batch
from dqkit.checks import Transition, check_buffer_args, check_sample_args, check_transition


class ReplayBuffer:
    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_dim: int | None = None):
        self.capacity, self.obs_shape, self.action_dim = check_buffer_args(
            capacity, obs_shape, action_dim
        )
        self.transitions: deque[Transition] = deque(maxlen=self.capacity)

    def __len__(self) -> int:
        return len(self.transitions)

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        self.transitions.append(check_transition(
            self.obs_shape, self.action_dim, obs, action, reward, next_obs, terminated, truncated
        ))

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        check_sample_args(len(self), batch_size, rng)
        rows = [self.transitions[i] for i in rng.choice(len(self), size=batch_size)]
        if self.action_dim is None:
            actions = torch.tensor([row.action for row in rows], dtype=torch.int64)
        else:
            actions = torch.as_tensor(np.stack([row.action for row in rows]))
        return Batch(
            observations=torch.as_tensor(np.stack([row.obs for row in rows])),
            actions=actions,
            rewards=torch.tensor([row.reward for row in rows], dtype=torch.float32),
            next_observations=torch.as_tensor(np.stack([row.next_obs for row in rows])),
            terminated=torch.tensor([row.terminated for row in rows], dtype=torch.float32),
            truncated=torch.tensor([row.truncated for row in rows], dtype=torch.float32),
        )
