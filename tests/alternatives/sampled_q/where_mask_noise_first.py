"""Part "sampled_q" (a correct alternative: torch.where mask, noise drawn first, critics wrapped in lambdas)."""
import copy
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
    ### BEGIN SOLUTION: approximate max_a' Q_target(s', a') with maximize on target_critic at next_observations, mask it with (1 - terminated), discount, add the reward (no gradient)
    def q_target(obs, act):
        return target_critic(obs, act)

    _, best_values = maximize(q_target, next_observations, low, high, rng, maximizer)
    best_values = best_values.detach()
    return torch.where(terminated > 0.5, rewards, rewards + gamma * best_values)


def choose_actions(critic, observations: torch.Tensor, low, high, rng: np.random.Generator,
                   exploration_std: float, maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    low, high = check_action_bounds(low, high)
    check_observations(observations)
    check_generator(rng)
    if isinstance(exploration_std, bool) or not isinstance(exploration_std, (int, float)) or not exploration_std >= 0:
        raise ValueError(f"exploration_std must be a number >= 0, got {exploration_std!r}")
    # Clip after adding the noise: near the edge of the box the optimum is often on it
    # (full torque), and clipped noise keeps those actions legal without moving the mean inward.
    ### BEGIN SOLUTION: take the maximizer's action on critic for each observation, add noise rng.standard_normal * exploration_std * (high - low) / 2 (float32), and clip to [low, high]
    count, dims = observations.shape[0], low.shape[0]
    standard = torch.from_numpy(rng.standard_normal((count, dims)).astype(np.float32))
    greedy, _ = maximize(lambda obs, act: critic(obs, act), observations, low, high, rng, maximizer)
    half_width = (high - low) / 2
    return torch.minimum(torch.maximum(greedy + standard * half_width * exploration_std, low), high)


def update_critic(critic: nn.Module, target_critic: nn.Module, optimizer: torch.optim.Optimizer,
                  batch: Batch, low, high, rng: np.random.Generator, gamma: float, tau: float,
                  maximizer: Maximizer = Maximizer(), max_grad_norm: float = 10.0) -> dict[str, float]:
    ### BEGIN SOLUTION: compute the targets with sampled_targets (target critic, next observations), q_values = critic(observations, actions) [B], and the mean squared error between them
    with torch.no_grad():
        targets = sampled_targets(batch.rewards, batch.terminated, batch.next_observations, target_critic,
                                  low, high, rng, gamma, maximizer)
    q_values = critic(batch.observations, batch.actions)
    errors = q_values - targets
    loss = (errors * errors).sum() / errors.shape[0]
    ### END SOLUTION
    # A [B, 1] next to a [B] broadcasts into a [B, B] loss that still trains, badly.
    check_per_transition(batch.rewards.shape[0], q_values=q_values, targets=targets)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(critic.parameters(), max_grad_norm)
    optimizer.step()
    # After the step, so the target moves towards the critic just improved.
    ### BEGIN SOLUTION: move target_critic towards critic with your polyak_update (tau is the weight on the online critic)
    polyak_update(target_critic, critic, tau)
    ### END SOLUTION
    return {
        "losses/critic_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.detach().mean()),
        "losses/grad_norm": float(grad_norm),
    }
