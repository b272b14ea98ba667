"""A correct replay buffer, written differently from the reference: one numpy structured
array whose rows are whole transitions, written with a tuple and drawn with
``rng.choice(..., replace=True)``."""
from __future__ import annotations

import numpy as np
import torch

from dqkit.batch import Batch
from dqkit.checks import check_buffer_args, check_sample_args, check_transition


class ReplayBuffer:
    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_dim: int | None = None):
        self.capacity, self.obs_shape, self.action_dim = check_buffer_args(
            capacity, obs_shape, action_dim
        )
        action_field = ("action", np.int64) if self.action_dim is None else (
            "action", np.float32, (self.action_dim,))
        self.rows = np.zeros(self.capacity, dtype=[
            ("obs", np.float32, self.obs_shape),
            action_field,
            ("reward", np.float32),
            ("next_obs", np.float32, self.obs_shape),
            ("terminated", np.bool_),
            ("truncated", np.bool_),
        ])
        self.oldest = 0
        self.stored = 0

    def __len__(self) -> int:
        return self.stored

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        transition = check_transition(
            self.obs_shape, self.action_dim, obs, action, reward, next_obs, terminated, truncated
        )
        if self.stored < self.capacity:
            slot = self.stored
            self.stored += 1
        else:
            slot = self.oldest
            self.oldest = (self.oldest + 1) % self.capacity
        self.rows[slot] = tuple(transition)

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        check_sample_args(len(self), batch_size, rng)
        drawn = self.rows[rng.choice(self.stored, size=batch_size, replace=True)]

        def column(name: str, dtype=None) -> torch.Tensor:
            return torch.from_numpy(np.ascontiguousarray(drawn[name], dtype=dtype))

        return Batch(
            observations=column("obs"),
            actions=column("action"),
            rewards=column("reward"),
            next_observations=column("next_obs"),
            terminated=column("terminated", np.float32),
            truncated=column("truncated", np.float32),
        )
