"""Correct CEM with the search state in float64 numpy: rng.normal with per-row means and
stds, np.clip, elites by argsort, np.std (divides by K), and the best sample found at the
end from everything evaluated."""
from __future__ import annotations

import numpy as np
import torch

from dqkit.checks import check_action_bounds, check_cem_args, check_generator, check_observations


@torch.no_grad()
def cem_argmax(q_function, observations, low, high, rng, num_samples=64, num_elites=6, iterations=3,
               initial_std=None, min_std=1e-2):
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    check_generator(rng)
    std0 = check_cem_args(num_samples, num_elites, iterations, initial_std, min_std, low, high)
    low, high = low.numpy().astype(np.float64), high.numpy().astype(np.float64)
    action_dim = len(low)
    mean = np.tile((low + high) / 2, (batch_size, 1))
    std = np.tile(std0.numpy().astype(np.float64), (batch_size, 1))
    repeated = observations.repeat_interleave(num_samples, dim=0)
    seen_actions, seen_values = [], []
    for _ in range(iterations):
        draws = rng.normal(mean[:, None, :], std[:, None, :], size=(batch_size, num_samples, action_dim))
        samples = np.clip(draws, low, high).astype(np.float32)
        values = q_function(repeated, torch.from_numpy(samples.reshape(-1, action_dim)))
        values = values.numpy().reshape(batch_size, num_samples)
        seen_actions.append(samples)
        seen_values.append(values)
        order = np.argsort(-values, axis=1)[:, :num_elites]
        elites = np.take_along_axis(samples.astype(np.float64), order[:, :, None], axis=1)
        mean = elites.mean(axis=1)
        std = np.maximum(elites.std(axis=1), min_std)
    all_actions = np.concatenate(seen_actions, axis=1)  # [B, iterations * M, A]
    all_values = np.concatenate(seen_values, axis=1)
    best = all_values.argmax(axis=1)
    rows = np.arange(batch_size)
    return torch.from_numpy(all_actions[rows, best].copy()), torch.from_numpy(all_values[rows, best].copy())
