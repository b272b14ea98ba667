"""A correct replay buffer, written differently from the reference: a Python list of
slots, the write position derived from a count of adds, and one ``rng.integers`` call
per draw in a plain loop."""
from __future__ import annotations

import numpy as np
import torch

from dqkit.batch import Batch
from dqkit.checks import Transition, check_buffer_args, check_sample_args, check_transition


class ReplayBuffer:
    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_dim: int | None = None):
        self.capacity, self.obs_shape, self.action_dim = check_buffer_args(
            capacity, obs_shape, action_dim
        )
        self.slots: list[Transition | None] = [None] * self.capacity
        self.added = 0

    def __len__(self) -> int:
        return min(self.added, self.capacity)

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        self.slots[self.added % self.capacity] = check_transition(
            self.obs_shape, self.action_dim, obs, action, reward, next_obs, terminated, truncated
        )
        self.added += 1

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        check_sample_args(len(self), batch_size, rng)
        observations, actions, rewards, next_observations, terminated, truncated = [], [], [], [], [], []
        for _ in range(batch_size):
            row = self.slots[int(rng.integers(len(self)))]
            observations.append(row.obs)
            actions.append(row.action)
            rewards.append(row.reward)
            next_observations.append(row.next_obs)
            terminated.append(1.0 if row.terminated else 0.0)
            truncated.append(1.0 if row.truncated else 0.0)
        action_dtype = torch.int64 if self.action_dim is None else torch.float32
        return Batch(
            observations=torch.tensor(np.array(observations), dtype=torch.float32),
            actions=torch.tensor(np.array(actions), dtype=action_dtype),
            rewards=torch.tensor(rewards, dtype=torch.float32),
            next_observations=torch.tensor(np.array(next_observations), dtype=torch.float32),
            terminated=torch.tensor(terminated, dtype=torch.float32),
            truncated=torch.tensor(truncated, dtype=torch.float32),
        )
