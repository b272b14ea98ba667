"""Correct DDPG pieces with the noise made in numpy (np.clip on the actor's action plus
rng.standard_normal), targets by torch.where on the terminal flag, the losses as explicit
sums divided by B, the critic's gradients zeroed right after its step, and the targets
averaged actor first."""
import numpy as np
import torch
from dqkit.checks import check_action_bounds, check_gamma, check_noise_std, check_tau
from target_network import polyak_update


@torch.no_grad()
def ddpg_targets(rewards, terminated, next_observations, target_actor, target_critic, gamma):
    check_gamma(gamma)
    next_actions = target_actor(next_observations)
    bootstrapped = rewards + gamma * target_critic(next_observations, next_actions)
    return torch.where(terminated > 0.5, rewards, bootstrapped)


def critic_loss(critic, observations, actions, targets):
    errors = critic(observations, actions) - targets
    return (errors * errors).sum() / errors.shape[0]


def actor_loss(actor, critic, observations):
    values = critic(observations, actor(observations))
    return -values.sum() / values.shape[0]


def exploration_actions(actor, observations, noise_std, low, high, rng):
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    with torch.no_grad():
        mu = actor(observations).numpy()
    noisy = mu + noise_std * rng.standard_normal(mu.shape)
    return torch.as_tensor(np.clip(noisy, low.numpy(), high.numpy()), dtype=torch.float32)


def ddpg_update(actor, critic, target_actor, target_critic, actor_optimizer, critic_optimizer, batch, gamma, tau):
    tau = check_tau(tau)
    with torch.no_grad():
        q_values = critic(batch.observations, batch.actions)
    targets = ddpg_targets(batch.rewards, batch.terminated, batch.next_observations, target_actor, target_critic, gamma)
    critic_loss_value = critic_loss(critic, batch.observations, batch.actions, targets)
    critic_optimizer.zero_grad(set_to_none=False)
    critic_loss_value.backward()
    critic_optimizer.step()
    critic_optimizer.zero_grad()

    actor_optimizer.zero_grad()
    actor_loss_value = actor_loss(actor, critic, batch.observations)
    actor_loss_value.backward()
    actor_optimizer.step()
    critic_optimizer.zero_grad()  # the actor's backward filled them; leave nothing behind

    polyak_update(target_actor, actor, tau)
    polyak_update(target_critic, critic, tau)
    return {
        "losses/critic_loss": float(critic_loss_value),
        "losses/actor_loss": float(actor_loss_value),
        "losses/q_values": float(q_values.mean()),
    }
