"""Correct CEM with the other row order (the batch repeated M times, noise drawn
[M, B, A]), torch.maximum for the floor, and the best taken at the end from a history of
every iteration's samples."""
from __future__ import annotations

import torch

from dqkit.checks import check_action_bounds, check_cem_args, check_generator, check_observations


@torch.no_grad()
def cem_argmax(q_function, observations, low, high, rng, num_samples=64, num_elites=6, iterations=3,
               initial_std=None, min_std=1e-2):
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    check_generator(rng)
    std0 = check_cem_args(num_samples, num_elites, iterations, initial_std, min_std, low, high)
    action_dim = low.shape[0]
    mean = ((low + high) / 2).expand(batch_size, action_dim)
    std = std0.expand(batch_size, action_dim)
    floor = torch.full((action_dim,), float(min_std))
    history_actions, history_values = [], []
    tiled = observations.repeat(num_samples, 1)  # row m * B + b is observation b
    for _ in range(iterations):
        noise = torch.as_tensor(rng.standard_normal((num_samples, batch_size, action_dim)), dtype=torch.float32)
        samples = (mean + std * noise).clamp(min=low, max=high)  # [M, B, A]
        values = q_function(tiled, samples.reshape(-1, action_dim)).reshape(num_samples, batch_size)
        history_actions.append(samples)
        history_values.append(values)
        elite_index = values.argsort(dim=0, descending=True)[:num_elites]  # [K, B]
        elites = samples.gather(0, elite_index.unsqueeze(2).expand(-1, -1, action_dim))  # [K, B, A]
        mean = elites.mean(dim=0)
        std = torch.maximum(elites.std(dim=0, unbiased=False), floor)
    actions = torch.cat(history_actions)  # [iterations * M, B, A]
    values = torch.cat(history_values)
    best = values.argmax(dim=0)
    columns = torch.arange(batch_size)
    return actions[best, columns], values[best, columns]
