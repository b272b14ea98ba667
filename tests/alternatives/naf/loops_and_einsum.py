"""Correct NAF pieces written with loops and einsum: L filled entry by entry, the
quadratic form as an einsum, the target with torch.where, numpy's normal and clip for the
noise, and the loss with F.mse_loss on targets detached by hand."""
import copy
import numpy as np
import torch
from torch import nn
from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_generator, check_naf_inputs, check_noise_std, check_tau, check_triangle_entries
from target_network import polyak_update


def lower_triangular(entries: torch.Tensor, action_dim: int) -> torch.Tensor:
    check_triangle_entries(entries, action_dim)
    count = 0
    lower = torch.zeros(entries.shape[0], action_dim, action_dim, dtype=entries.dtype)
    for row in range(action_dim):
        for column in range(row + 1):
            entry = entries[:, count]
            lower[:, row, column] = torch.exp(entry) if row == column else entry
            count += 1
    return lower


def naf_q_values(values: torch.Tensor, mu: torch.Tensor, lower: torch.Tensor,
                 actions: torch.Tensor) -> torch.Tensor:
    check_naf_inputs(values=values, mu=mu, lower=lower, actions=actions)
    precision = torch.einsum("bij,bkj->bik", lower, lower)
    difference = actions - mu
    return values - 0.5 * torch.einsum("bi,bij,bj->b", difference, precision, difference)


def naf_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_naf_inputs(rewards=rewards, terminated=terminated, next_values=next_values)
    bootstrap = torch.where(terminated > 0.5, torch.zeros_like(next_values), gamma * next_values)
    return (rewards + bootstrap).detach()


def noisy_actions(mu: torch.Tensor, noise_std: float, low, high, rng: np.random.Generator) -> torch.Tensor:
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    check_generator(rng)
    noisy = rng.normal(mu.detach().cpu().numpy(), noise_std)
    return torch.as_tensor(np.clip(noisy, low.numpy(), high.numpy()), dtype=torch.float32)


def update_naf(network: NAFNetwork, target_network: NAFNetwork, optimizer: torch.optim.Optimizer,
               batch: Batch, gamma: float, tau: float, max_grad_norm: float = 10.0) -> dict[str, float]:
    check_gamma(gamma)
    tau = check_tau(tau)
    next_values = target_network.value(batch.next_observations).detach()
    targets = naf_targets(batch.rewards, batch.terminated, next_values, gamma)
    q_values = network(batch.observations, batch.actions)
    loss = nn.functional.mse_loss(q_values, targets)
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
