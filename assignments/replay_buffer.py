"""Part "replay_buffer": a fixed-capacity store of transitions, sampled uniformly.

Lecture: "Another solution: replay buffers" (lecture_notes/02_replay_buffers.md).
Online Q-learning updates on each transition as it arrives, so consecutive updates see
strongly correlated states. A replay buffer keeps the most recent transitions, from any
policy (Q-learning is off-policy), and the update trains on minibatches drawn uniformly
from it: the samples are no longer correlated and the gradient averages over a batch.

Your task: fill in the ``TODO(student)`` blocks of ``ReplayBuffer``. Check yourself with
    python -m autograder check replay_buffer
"""
from __future__ import annotations

import numpy as np
import torch

from dqkit.batch import Batch
from dqkit.checks import check_buffer_args, check_sample_args, check_transition


class ReplayBuffer:
    """A first-in-first-out store of at most ``capacity`` transitions.

    When the buffer is full, adding a transition overwrites the oldest one. Sampling draws
    ``batch_size`` stored transitions uniformly at random, with replacement, from the
    numpy Generator the caller passes, so a seeded generator gives a reproducible batch.

    Why the buffer keeps ``terminated`` as the bootstrap mask, not ``terminated or
    truncated``: gymnasium's ``env.step`` returns ``terminated`` when the MDP reached a
    terminal state (no future reward, so the target is just ``r``) and ``truncated`` when
    a time limit stopped the episode (the state still has a future, so the target must
    bootstrap from ``s'``). Masking truncated steps would teach the network that every
    state near the time limit is worth nothing. ``truncated`` is stored too, so that code
    reading consecutive transitions (N-step returns) knows where an episode stopped.

    Example:
        buffer = ReplayBuffer(capacity=10_000, obs_shape=(4,))
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        batch = buffer.sample(64, rng)  # batch.rewards is float32 [64]
    """

    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_dim: int | None = None):
        """Create an empty buffer.

        Args:
            capacity: the most transitions kept; the oldest is overwritten first.
            obs_shape: the shape of one observation, e.g. ``(4,)`` for CartPole.
            action_dim: None for a discrete action space (actions are ints), else the
                length of the action vector of a continuous action space.
        """
        self.capacity, self.obs_shape, self.action_dim = check_buffer_args(
            capacity, obs_shape, action_dim
        )
        # TODO(student): allocate storage for `capacity` transitions and a write position
        raise NotImplementedError("replay_buffer: allocate storage for `capacity` transitions and a write position")

    def __len__(self) -> int:
        """The number of transitions stored: ``min(number added, capacity)``."""
        # TODO(student): return how many transitions are stored
        raise NotImplementedError("replay_buffer: return how many transitions are stored")

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        """Store one transition, overwriting the oldest one if the buffer is full.

        Args:
            obs: the observation s, array-like [*obs_shape].
            action: an int (discrete actions) or array-like [action_dim] (continuous).
            reward: the reward r, a float.
            next_obs: the observation s' after the step, array-like [*obs_shape].
            terminated: bool from ``env.step``: s' is a terminal state.
            truncated: bool from ``env.step``: a time limit cut the episode at s'.
        """
        transition = check_transition(
            self.obs_shape, self.action_dim, obs, action, reward, next_obs, terminated, truncated
        )
        # TODO(student): write `transition` into the slot at the write position, then advance the position (wrapping around at capacity)
        raise NotImplementedError("replay_buffer: write `transition` into the slot at the write position, then advance the position (wrapping around at capacity)")

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """Draw ``batch_size`` stored transitions uniformly at random, with replacement.

        Args:
            batch_size: B, the number of transitions to draw. It may exceed ``len(self)``
                since draws are with replacement.
            rng: the numpy Generator to draw from. Use it and nothing else (not
                ``np.random.*``, not ``torch.randint``): the same seed must give the same batch.

        Returns:
            A ``Batch`` (see ``dqkit/batch.py``): observations and next_observations float32
            [B, *obs_shape]; actions int64 [B] (discrete) or float32 [B, action_dim];
            rewards, terminated and truncated float32 [B].
        """
        check_sample_args(len(self), batch_size, rng)
        # TODO(student): draw B indices uniformly from the stored transitions and return a Batch of tensors built from them
        raise NotImplementedError("replay_buffer: draw B indices uniformly from the stored transitions and return a Batch of tensors built from them")
