"""Correct DDPG pieces with the noise made in numpy (np.clip on the actor's action plus
rng.standard_normal), targets by torch.where on the terminal flag, the losses as explicit
sums divided by B, the critic's gradients zeroed right after its step, and the targets
averaged actor first."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_noise_std, check_tau
from dqkit.continuous import LoopResult, LoopSettings, run_off_policy
from dqkit.envs import make_env
from dqkit.networks import Actor, Critic
from replay_buffer import ReplayBuffer
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


# -- provided: the agent and the training run --------------------------------------------------
@dataclass
class DDPGConfig:
    """Every setting of one DDPG run. The defaults solve Pendulum-v1 in a few seconds on a CPU."""

    env_id: str = "Pendulum-v1"
    """A gymnasium environment with a Box observation space and a Box action space."""
    seed: int = 0
    """Seeds torch (the networks' initial weights), the numpy Generator used for exploration
    and sampling, and the env."""
    total_steps: int = 20_000
    """Budget of environment steps."""
    hidden_sizes: tuple[int, ...] = (64, 64)
    """Hidden layer sizes of the actor and of the critic."""
    buffer_capacity: int = 100_000
    """Replay buffer size (transitions)."""
    batch_size: int = 128
    """Transitions per gradient step."""
    learning_starts: int = 1_000
    """Steps of uniformly random actions before the first gradient step."""
    actor_learning_rate: float = 1e-3
    """Adam's learning rate for the actor."""
    critic_learning_rate: float = 1e-3
    """Adam's learning rate for the critic."""
    gamma: float = 0.99
    """Discount."""
    tau: float = 0.005
    """Polyak weight on the online networks (1 is a hard copy; the paper's 0.999 is 1 - tau)."""
    noise_std: float = 0.2
    """Standard deviation of the exploration noise, in action units (Pendulum's torque box
    is [-2, 2], so 0.2 is a tenth of its half-range)."""
    eval_every: int = 1_000
    """Environment steps between greedy evaluations (from ``learning_starts`` on)."""
    eval_episodes: int = 10
    """Episodes per greedy evaluation."""
    solved_return: float | None = -200.0
    """Stop once the mean greedy return reaches this (None: never stop early)."""
    log_every: int = 1_000
    """Environment steps between log rows of the last update's stats."""
    log_path: str | None = None
    """CSV file for the metrics (None: keep them in memory only)."""
    progress: bool = True
    """Show a tqdm progress bar."""


class DDPGAgent:
    """DDPG in the agent protocol of ``dqkit.continuous``: ``act`` explores with your
    ``exploration_actions`` (or acts greedily with ``rng=None``), ``update`` is your
    ``ddpg_update``."""

    def __init__(self, actor: Actor, critic: Critic, config: DDPGConfig, low: np.ndarray, high: np.ndarray):
        self.actor, self.critic = actor, critic
        # The targets start as exact copies and are never trained directly: no gradients.
        self.target_actor = copy.deepcopy(actor).requires_grad_(False)
        self.target_critic = copy.deepcopy(critic).requires_grad_(False)
        self.actor_optimizer = torch.optim.Adam(actor.parameters(), lr=config.actor_learning_rate)
        self.critic_optimizer = torch.optim.Adam(critic.parameters(), lr=config.critic_learning_rate)
        self.config, self.low, self.high = config, low, high

    def act(self, observations: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
        """numpy float32 [E, obs_dim] -> numpy float32 [E, A]; greedy when ``rng`` is None."""
        observations = torch.as_tensor(observations, dtype=torch.float32)
        if rng is None:
            with torch.no_grad():
                return self.actor(observations).numpy()
        return exploration_actions(self.actor, observations, self.config.noise_std, self.low, self.high,
                                   rng).numpy()

    def update(self, batch: Batch, rng: np.random.Generator) -> dict[str, float]:
        return ddpg_update(self.actor, self.critic, self.target_actor, self.target_critic,
                           self.actor_optimizer, self.critic_optimizer, batch, self.config.gamma,
                           self.config.tau)


def train(config: DDPGConfig) -> LoopResult:
    """Train DDPG as set by ``config`` with the shared off-policy loop; returns its result
    (evaluations, ``solved_at``, logged metrics)."""
    torch.manual_seed(config.seed)
    env = make_env(config.env_id, config.seed)
    obs_dim, action_dim = env.observation_space.shape[0], env.action_space.shape[0]
    low = env.action_space.low.astype(np.float32)
    high = env.action_space.high.astype(np.float32)
    env.close()
    actor = Actor(obs_dim, low, high, config.hidden_sizes)
    critic = Critic(obs_dim, action_dim, config.hidden_sizes)
    agent = DDPGAgent(actor, critic, config, low, high)
    buffer = ReplayBuffer(config.buffer_capacity, (obs_dim,), action_dim)
    settings = LoopSettings(
        env_id=config.env_id, seed=config.seed, total_steps=config.total_steps,
        batch_size=config.batch_size, learning_starts=config.learning_starts,
        eval_every=config.eval_every, eval_episodes=config.eval_episodes,
        solved_return=config.solved_return, log_every=config.log_every, log_path=config.log_path,
        progress=config.progress)
    return run_off_policy(agent, buffer, settings, description="DDPG")
