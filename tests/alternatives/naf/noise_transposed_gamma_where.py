"""Correct NAF pieces: exploration noise drawn as one [A, B] array and transposed, clipped
with np.clip; the targets by torch.where on the terminal flag; update_naf evaluates V(s')
with the target network's value head under torch.no_grad() and Polyak-averages through
the module."""
import numpy as np
import torch
from torch import nn
from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_generator, check_naf_inputs, check_noise_std, check_tau
import target_network


def naf_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    check_gamma(gamma)
    check_naf_inputs(rewards=rewards, terminated=terminated, next_values=next_values)
    bootstrapped = rewards + gamma * next_values.detach()
    return torch.where(terminated > 0.5, rewards, bootstrapped)


def noisy_actions(mu: torch.Tensor, noise_std: float, low, high, rng: np.random.Generator) -> torch.Tensor:
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    check_generator(rng)
    rows, dims = mu.shape
    noise = rng.standard_normal((dims, rows)).T  # [B, A]
    noisy = mu.detach().numpy().astype(np.float64) + noise_std * noise
    return torch.as_tensor(np.clip(noisy, low.numpy(), high.numpy()), dtype=torch.float32)


def update_naf(network: NAFNetwork, target_network_: NAFNetwork, optimizer: torch.optim.Optimizer,
               batch: Batch, gamma: float, tau: float, max_grad_norm: float = 10.0) -> dict[str, float]:
    check_gamma(gamma)
    tau = check_tau(tau)
    with torch.no_grad():
        next_values = target_network_.value(batch.next_observations)
    targets = naf_targets(batch.rewards, batch.terminated, next_values, gamma)
    q_values = network(batch.observations, batch.actions)
    loss = nn.functional.mse_loss(q_values, targets)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(network.parameters(), max_grad_norm)
    optimizer.step()
    target_network.polyak_update(target_network_, network, tau)
    return {
        "losses/q_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.mean()),
        "losses/grad_norm": float(grad_norm),
    }
