"""Correct CEM whose refit loops over the observations: torch.sort per row, torch.std with
its default normalisation (divides by K - 1), a Python comparison for the best so far.
Sampling and evaluation stay batched, one q_function call per iteration."""
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
    means = [(low + high) / 2 for _ in range(batch_size)]
    stds = [std0.clone() for _ in range(batch_size)]
    best_actions = [None] * batch_size
    best_values = [float("-inf")] * batch_size
    for _ in range(iterations):
        noise = torch.tensor(rng.standard_normal((batch_size, num_samples, action_dim)), dtype=torch.float32)
        samples = torch.stack([torch.max(torch.min(means[b] + stds[b] * noise[b], high), low)
                               for b in range(batch_size)])
        values = q_function(observations.repeat_interleave(num_samples, dim=0),
                            samples.reshape(-1, action_dim)).reshape(batch_size, num_samples)
        for b in range(batch_size):
            sorted_values, order = torch.sort(values[b], descending=True)
            if sorted_values[0].item() > best_values[b]:
                best_values[b] = sorted_values[0].item()
                best_actions[b] = samples[b, order[0]]
            elites = samples[b, order[:num_elites]]
            means[b] = elites.mean(dim=0)
            spread = elites.std(dim=0) if num_elites > 1 else torch.zeros(action_dim)
            stds[b] = torch.clamp(spread, min=min_std)
    return torch.stack(best_actions), torch.tensor(best_values, dtype=torch.float32)
