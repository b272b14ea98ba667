"""Correct random shooting written with Python loops: the rows are built pair by pair
(still one q_function call), and each observation's best is found by scanning."""
from __future__ import annotations

import torch

from dqkit.checks import check_action_bounds, check_count, check_generator, check_observations


@torch.no_grad()
def random_shooting(q_function, observations, low, high, num_samples, rng):
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    num_samples = check_count(num_samples, "num_samples")
    check_generator(rng)
    observation_rows, action_rows = [], []
    for b in range(batch_size):
        for _ in range(num_samples):
            u = torch.tensor(rng.random(low.shape[0]), dtype=torch.float32)
            observation_rows.append(observations[b])
            action_rows.append(low + (high - low) * u)
    values = q_function(torch.stack(observation_rows), torch.stack(action_rows)).tolist()
    best_actions, best_values = [], []
    for b in range(batch_size):
        rows = range(b * num_samples, (b + 1) * num_samples)
        best = max(rows, key=lambda k: values[k])
        best_actions.append(action_rows[best])
        best_values.append(values[best])
    return torch.stack(best_actions), torch.tensor(best_values, dtype=torch.float32)
