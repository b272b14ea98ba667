"""Correct DDPG pieces written with loops: the noise drawn one action dimension at a time
(a column of B normals each) and clipped row by row with torch.clamp, the targets and the
critic's loss computed row by row, and each network's gradient computed with
torch.autograd.grad and written into its .grad before its optimizer steps (so the actor's
loss never touches the critic's .grad), the targets averaged through the module."""
import torch
from dqkit.checks import check_action_bounds, check_gamma, check_noise_std, check_tau
import target_network


def ddpg_targets(rewards, terminated, next_observations, target_actor, target_critic, gamma):
    check_gamma(gamma)
    with torch.no_grad():
        values = target_critic(next_observations, target_actor(next_observations))
        rows = []
        for k in range(rewards.shape[0]):
            done = bool(terminated[k] > 0.5)
            rows.append(rewards[k] if done else rewards[k] + gamma * values[k])
    return torch.stack(rows).to(torch.float32)


def critic_loss(critic, observations, actions, targets):
    q_values = critic(observations, actions)
    total = torch.zeros((), dtype=torch.float32)
    for k in range(q_values.shape[0]):
        total = total + (q_values[k] - targets[k]) ** 2
    return total / q_values.shape[0]


def actor_loss(actor, critic, observations):
    return -(critic(observations, actor(observations)).mean())


def exploration_actions(actor, observations, noise_std, low, high, rng):
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    with torch.no_grad():
        mu = actor(observations)
    columns = [torch.as_tensor(rng.standard_normal(mu.shape[0]), dtype=torch.float32) for _ in range(mu.shape[1])]
    noisy = mu + noise_std * torch.stack(columns, dim=1)
    return torch.stack([torch.clamp(row, low, high) for row in noisy])


def ddpg_update(actor, critic, target_actor, target_critic, actor_optimizer, critic_optimizer, batch, gamma, tau):
    tau = check_tau(tau)
    with torch.no_grad():
        q_values = critic(batch.observations, batch.actions)
    targets = ddpg_targets(batch.rewards, batch.terminated, batch.next_observations, target_actor, target_critic, gamma)
    critic_loss_value = critic_loss(critic, batch.observations, batch.actions, targets)
    critic_parameters = list(critic.parameters())
    for parameter, grad in zip(critic_parameters, torch.autograd.grad(critic_loss_value, critic_parameters)):
        parameter.grad = grad
    critic_optimizer.step()

    actor_loss_value = actor_loss(actor, critic, batch.observations)
    actor_parameters = list(actor.parameters())
    # Only the actor's gradient is computed: the critic's .grad is never touched.
    for parameter, grad in zip(actor_parameters, torch.autograd.grad(actor_loss_value, actor_parameters)):
        parameter.grad = grad
    actor_optimizer.step()

    for target, online in ((target_critic, critic), (target_actor, actor)):
        target_network.polyak_update(target, online, tau)
    return {
        "losses/critic_loss": float(critic_loss_value),
        "losses/actor_loss": float(actor_loss_value),
        "losses/q_values": float(q_values.mean()),
    }
