"""Correct DDPG exploration with the noise drawn one row at a time (rng.normal with the
noise's scale, A values per row) and clipped with np.clip; and ddpg_update passing its
arguments to ddpg_targets by keyword."""
import numpy as np
import torch
from dqkit.checks import check_action_bounds, check_noise_std, check_tau
from target_network import polyak_update


def exploration_actions(actor, observations, noise_std, low, high, rng):
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    with torch.no_grad():
        mu = actor(observations).numpy()
    noisy = np.stack([row + rng.normal(0.0, noise_std, size=row.shape[0]) for row in mu])
    return torch.as_tensor(np.clip(noisy, low.numpy(), high.numpy()), dtype=torch.float32)


def ddpg_update(actor, critic, target_actor, target_critic, actor_optimizer, critic_optimizer, batch, gamma, tau):
    tau = check_tau(tau)
    with torch.no_grad():
        q_values = critic(batch.observations, batch.actions)
    targets = ddpg_targets(rewards=batch.rewards, terminated=batch.terminated,
                           next_observations=batch.next_observations, target_actor=target_actor,
                           target_critic=target_critic, gamma=gamma)
    critic_loss_value = critic_loss(critic, batch.observations, batch.actions, targets)
    critic_optimizer.zero_grad()
    critic_loss_value.backward()
    critic_optimizer.step()
    actor_optimizer.zero_grad()
    actor_loss_value = actor_loss(actor, critic, batch.observations)
    actor_loss_value.backward()
    actor_optimizer.step()
    polyak_update(target_critic, critic, tau)
    polyak_update(target_actor, actor, tau)
    return {
        "losses/critic_loss": critic_loss_value.item(),
        "losses/actor_loss": actor_loss_value.item(),
        "losses/q_values": q_values.mean().item(),
    }
