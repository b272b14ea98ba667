"""Correct DDPG pieces in functional form: F.mse_loss for the critic, detach() instead of
torch.no_grad() for the targets, rng.normal with a scale and torch.minimum/maximum for the
noise, the critic frozen (requires_grad off) during the actor step, and the Polyak update
written inline over the parameters."""
import numpy as np
import torch
import torch.nn.functional as F
from dqkit.checks import check_action_bounds, check_gamma, check_noise_std, check_tau


def ddpg_targets(rewards, terminated, next_observations, target_actor, target_critic, gamma):
    check_gamma(gamma)
    bootstrap = target_critic(next_observations, target_actor(next_observations)).detach()
    return (rewards + gamma * bootstrap * (1 - terminated)).detach()


def critic_loss(critic, observations, actions, targets):
    return F.mse_loss(critic(observations, actions), targets)


def actor_loss(actor, critic, observations):
    return torch.mean(-critic(observations, actor(observations)))


def exploration_actions(actor, observations, noise_std, low, high, rng):
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    with torch.no_grad():
        mu = actor(observations)
    noise = torch.from_numpy(rng.normal(0.0, noise_std, size=tuple(mu.shape)).astype(np.float32))
    return torch.maximum(torch.minimum(mu + noise, high), low)


def _average(target, online, tau):
    with torch.no_grad():
        for target_parameter, online_parameter in zip(target.parameters(), online.parameters()):
            target_parameter.mul_(1 - tau).add_(tau * online_parameter)


def ddpg_update(actor, critic, target_actor, target_critic, actor_optimizer, critic_optimizer, batch, gamma, tau):
    tau = check_tau(tau)
    with torch.no_grad():
        q_values = critic(batch.observations, batch.actions)
    targets = ddpg_targets(batch.rewards, batch.terminated, batch.next_observations, target_actor, target_critic, gamma)
    critic_loss_value = critic_loss(critic, batch.observations, batch.actions, targets)
    critic_optimizer.zero_grad()
    critic_loss_value.backward()
    critic_optimizer.step()

    critic.requires_grad_(False)
    try:
        actor_loss_value = actor_loss(actor, critic, batch.observations)
        actor_optimizer.zero_grad()
        actor_loss_value.backward()
        actor_optimizer.step()
    finally:
        critic.requires_grad_(True)

    _average(target_actor, actor, tau)
    _average(target_critic, critic, tau)
    return {
        "losses/critic_loss": critic_loss_value.item(),
        "losses/actor_loss": actor_loss_value.item(),
        "losses/q_values": q_values.mean().item(),
    }
