"""A correct replay buffer, written differently from the reference: torch tensors as
storage, flags kept as bool and converted when sampled, a write position reset by an
``if`` and a ``full`` flag, and indices from ``rng.random``."""
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
        if self.action_dim is None:
            self.actions = torch.zeros(self.capacity, dtype=torch.int64)
        else:
            self.actions = torch.zeros((self.capacity, self.action_dim), dtype=torch.float32)
        self.observations = torch.zeros((self.capacity, *self.obs_shape), dtype=torch.float32)
        self.next_observations = torch.zeros((self.capacity, *self.obs_shape), dtype=torch.float32)
        self.rewards = torch.zeros(self.capacity, dtype=torch.float32)
        self.terminated = torch.zeros(self.capacity, dtype=torch.bool)
        self.truncated = torch.zeros(self.capacity, dtype=torch.bool)
        self.position = 0
        self.full = False

    def __len__(self) -> int:
        return self.capacity if self.full else self.position

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        transition = check_transition(
            self.obs_shape, self.action_dim, obs, action, reward, next_obs, terminated, truncated
        )
        self.observations[self.position] = torch.from_numpy(transition.obs)
        self.actions[self.position] = torch.as_tensor(transition.action)
        self.rewards[self.position] = transition.reward
        self.next_observations[self.position] = torch.from_numpy(transition.next_obs)
        self.terminated[self.position] = transition.terminated
        self.truncated[self.position] = transition.truncated
        self.position += 1
        if self.position == self.capacity:
            self.position = 0
            self.full = True

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        check_sample_args(len(self), batch_size, rng)
        # rng.random() is in [0, 1), so the floor is one of 0..len-1, each with probability 1/len.
        indices = torch.from_numpy(np.floor(rng.random(batch_size) * len(self)).astype(np.int64))
        return Batch(
            observations=self.observations[indices],
            actions=self.actions[indices],
            rewards=self.rewards[indices],
            next_observations=self.next_observations[indices],
            terminated=self.terminated[indices].float(),
            truncated=self.truncated[indices].float(),
        )
