"""Correct NAF pieces written through norms: L from a strictly lower part plus
diag_embed(exp(diagonal)), (a - mu)^T L L^T (a - mu) as the squared norm of L^T (a - mu),
and the noise clipped with torch.minimum / torch.maximum."""
import copy
import numpy as np
import torch
from torch import nn
from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_generator, check_naf_inputs, check_noise_std, check_tau, check_triangle_entries
from target_network import polyak_update


def lower_triangular(entries: torch.Tensor, action_dim: int) -> torch.Tensor:
    check_triangle_entries(entries, action_dim)
    rows, columns = torch.tril_indices(action_dim, action_dim)
    on_diagonal = rows == columns
    strict = torch.zeros(entries.shape[0], action_dim, action_dim)
    batch_index = torch.arange(entries.shape[0]).unsqueeze(1)  # [B, 1], broadcast against [1, K]
    below = (batch_index, rows[~on_diagonal].unsqueeze(0), columns[~on_diagonal].unsqueeze(0))
    strict = strict.index_put(below, entries[:, ~on_diagonal])
    return strict + torch.diag_embed(torch.exp(entries[:, on_diagonal]))


def naf_q_values(values: torch.Tensor, mu: torch.Tensor, lower: torch.Tensor,
                 actions: torch.Tensor) -> torch.Tensor:
    check_naf_inputs(values=values, mu=mu, lower=lower, actions=actions)
    projected = torch.bmm(lower.transpose(1, 2), (actions - mu).unsqueeze(-1)).squeeze(-1)
    return values - 0.5 * projected.pow(2).sum(dim=1)


def naf_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_naf_inputs(rewards=rewards, terminated=terminated, next_values=next_values)
    alive = 1.0 - terminated
    with torch.no_grad():
        return rewards + gamma * alive * next_values


def noisy_actions(mu: torch.Tensor, noise_std: float, low, high, rng: np.random.Generator) -> torch.Tensor:
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    check_generator(rng)
    shape = (mu.shape[0], mu.shape[1])
    noise = torch.from_numpy(rng.standard_normal(size=shape).astype(np.float32))
    return torch.maximum(torch.minimum(mu.detach() + noise * noise_std, high), low)


def update_naf(network: NAFNetwork, target_network: NAFNetwork, optimizer: torch.optim.Optimizer,
               batch: Batch, gamma: float, tau: float, max_grad_norm: float = 10.0) -> dict[str, float]:
    check_gamma(gamma)
    tau = check_tau(tau)
    with torch.no_grad():
        targets = naf_targets(batch.rewards, batch.terminated,
                              target_network.value(batch.next_observations), gamma)
    q_values = network(batch.observations, batch.actions)
    errors = q_values - targets
    loss = (errors * errors).sum() / errors.numel()
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(network.parameters(), max_grad_norm)
    optimizer.step()
    with torch.no_grad():
        for target_parameter, online_parameter in zip(target_network.parameters(), network.parameters()):
            target_parameter.mul_(1 - tau).add_(tau * online_parameter)
    return {
        "losses/q_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.mean()),
        "losses/grad_norm": float(grad_norm),
    }
