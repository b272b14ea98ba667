"""Correct NAF pieces written with batched matrix products: L from a triangular mask and
cumulative indices, P by torch.bmm, the quadratic form by bmm twice, exploration noise drawn
one row at a time from rng."""
import copy
import numpy as np
import torch
from torch import nn
from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_generator, check_naf_inputs, check_noise_std, check_tau, check_triangle_entries
from target_network import polyak_update


def lower_triangular(entries: torch.Tensor, action_dim: int) -> torch.Tensor:
    check_triangle_entries(entries, action_dim)
    mask = torch.ones(action_dim, action_dim, dtype=torch.bool).tril()
    lower = torch.zeros(entries.shape[0], action_dim, action_dim).masked_scatter(
        mask.expand(entries.shape[0], -1, -1), entries)
    eye = torch.eye(action_dim, dtype=torch.bool)
    return torch.where(eye, lower.exp(), lower)


def naf_q_values(values: torch.Tensor, mu: torch.Tensor, lower: torch.Tensor,
                 actions: torch.Tensor) -> torch.Tensor:
    check_naf_inputs(values=values, mu=mu, lower=lower, actions=actions)
    precision = torch.bmm(lower, lower.permute(0, 2, 1))
    difference = (actions - mu)[:, :, None]
    quadratic = torch.bmm(difference.permute(0, 2, 1), torch.bmm(precision, difference))[:, 0, 0]
    return values - quadratic / 2


def naf_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_naf_inputs(rewards=rewards, terminated=terminated, next_values=next_values)
    return (rewards + gamma * next_values.detach() * (1 - terminated)).clone()


def noisy_actions(mu: torch.Tensor, noise_std: float, low, high, rng: np.random.Generator) -> torch.Tensor:
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    check_generator(rng)
    rows = [rng.normal(0.0, noise_std, size=mu.shape[1]) for _ in range(mu.shape[0])]
    noise = torch.tensor(np.array(rows), dtype=torch.float32).reshape(mu.shape)
    return (mu.detach() + noise).clamp(min=low, max=high)


def update_naf(network: NAFNetwork, target_network: NAFNetwork, optimizer: torch.optim.Optimizer,
               batch: Batch, gamma: float, tau: float, max_grad_norm: float = 10.0) -> dict[str, float]:
    check_gamma(gamma)
    tau = check_tau(tau)
    with torch.no_grad():
        next_values = target_network.value(batch.next_observations)
    targets = naf_targets(batch.rewards, batch.terminated, next_values, gamma)
    q_values = network(batch.observations, batch.actions)
    loss = torch.mean((q_values - targets) ** 2)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(network.parameters(), max_grad_norm)
    optimizer.step()
    polyak_update(target_network, network, tau)
    return {
        "losses/q_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.mean()),
        "losses/grad_norm": float(grad_norm),
    }
