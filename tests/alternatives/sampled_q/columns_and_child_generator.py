"""Part "sampled_q" (a correct alternative: exploration noise drawn one action dimension at a
time, as [A, E] then transposed; update_critic validates the box into tensors and hands the
maximizer a child generator spawned from rng; the targets' mask by torch.where)."""
import numpy as np
import torch
from torch import nn
from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_generator, check_observations, check_per_transition, check_same_batch
from target_network import polyak_update


def sampled_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_observations: torch.Tensor,
                    target_critic, low, high, rng: np.random.Generator, gamma: float,
                    maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    gamma = check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_observations=next_observations)
    check_observations(next_observations)
    with torch.no_grad():
        _, best = maximize(target_critic, next_observations, low, high, rng, maximizer)
    bootstrapped = rewards + gamma * best
    return torch.where(terminated > 0.5, rewards, bootstrapped)


def choose_actions(critic, observations: torch.Tensor, low, high, rng: np.random.Generator,
                   exploration_std: float, maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    low, high = check_action_bounds(low, high)
    check_observations(observations)
    check_generator(rng)
    if isinstance(exploration_std, bool) or not isinstance(exploration_std, (int, float)) or not exploration_std >= 0:
        raise ValueError(f"exploration_std must be a number >= 0, got {exploration_std!r}")
    greedy, _ = maximize(critic, observations, low, high, rng, maximizer)
    count, dims = greedy.shape
    by_dimension = np.stack([rng.standard_normal(count) for _ in range(dims)])  # [A, E]
    noise = torch.as_tensor(by_dimension.T.copy(), dtype=torch.float32)
    sigma = exploration_std * (high - low) / 2
    return torch.clamp(greedy + noise * sigma, min=low, max=high)


def update_critic(critic: nn.Module, target_critic: nn.Module, optimizer: torch.optim.Optimizer,
                  batch: Batch, low, high, rng: np.random.Generator, gamma: float, tau: float,
                  maximizer: Maximizer = Maximizer(), max_grad_norm: float = 10.0) -> dict[str, float]:
    low, high = check_action_bounds(low, high)
    child = rng.spawn(1)[0]  # still drawn from rng: the same seed gives the same child
    targets = sampled_targets(batch.rewards, batch.terminated, batch.next_observations, target_critic,
                              low, high, child, gamma, maximizer)
    q_values = critic(batch.observations, batch.actions)
    loss = ((q_values - targets) ** 2).mean()
    check_per_transition(batch.rewards.shape[0], q_values=q_values, targets=targets)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(critic.parameters(), max_grad_norm)
    optimizer.step()
    polyak_update(target_critic, critic, tau)
    return {
        "losses/critic_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.detach().mean()),
        "losses/grad_norm": float(grad_norm),
    }
