"""Correct random shooting computed in float64 numpy and cast once: observations picked
with an index tensor, the best sample taken with gather."""
from __future__ import annotations

import numpy as np
import torch

from dqkit.checks import check_action_bounds, check_count, check_generator, check_observations


@torch.no_grad()
def random_shooting(q_function, observations, low, high, num_samples, rng):
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    num_samples = check_count(num_samples, "num_samples")
    check_generator(rng)
    action_dim = low.shape[0]
    low64, high64 = low.numpy().astype(np.float64), high.numpy().astype(np.float64)
    flat = low64 + (high64 - low64) * rng.random((batch_size * num_samples, action_dim))
    flat = np.minimum(flat, high64).astype(np.float32)  # float32 rounding must not leave the box
    owner = torch.arange(batch_size).repeat_interleave(num_samples)
    values = q_function(observations[owner], torch.from_numpy(flat)).view(batch_size, num_samples)
    best = values.argmax(dim=1, keepdim=True)  # [B, 1]
    samples = torch.from_numpy(flat).view(batch_size, num_samples, action_dim)
    best_actions = samples.gather(1, best.unsqueeze(2).expand(-1, -1, action_dim)).squeeze(1)
    return best_actions, values.gather(1, best).squeeze(1)
