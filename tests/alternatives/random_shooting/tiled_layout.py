"""Correct random shooting with the other row order: samples drawn [M, B, A] with
rng.uniform, the batch repeated M times (row m * B + b is observation b), and the
argmax over the first axis."""
from __future__ import annotations

import torch

from dqkit.checks import check_action_bounds, check_count, check_generator, check_observations


@torch.no_grad()
def random_shooting(q_function, observations, low, high, num_samples, rng):
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    num_samples = check_count(num_samples, "num_samples")
    check_generator(rng)
    action_dim = low.shape[0]
    draws = rng.uniform(low.numpy(), high.numpy(), size=(num_samples, batch_size, action_dim))
    samples = torch.as_tensor(draws, dtype=torch.float32)  # [M, B, A]
    values = q_function(observations.repeat(num_samples, 1), samples.reshape(-1, action_dim))
    values = values.reshape(num_samples, batch_size)
    best = values.argmax(dim=0)  # [B]
    columns = torch.arange(batch_size)
    return samples[best, columns], values[best, columns]
