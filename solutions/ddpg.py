"""Part "ddpg": deep deterministic policy gradient (Lillicrap et al., 2016).

Lecture: "Q-learning with continuous actions", option 3: "learn an approximate maximizer"
(lecture_notes/07_continuous_actions.md). Instead of searching for max_a Q(s, a) at every
step, train a second network, the actor mu_theta(s), to output the maximizing action, by
gradient ascent on Q_phi(s, mu_theta(s)): the chain rule runs through the critic into the
actor. Then max_a Q(s, a) ~ Q(s, mu(s)) costs one forward pass. One update, for a minibatch
of transitions (s, a, r, s'):

    targets  y = r + gamma * (1 - terminated) * Q_phi'(s', mu_theta'(s'))   (no gradient)
    critic:  one step on  mean over the batch of (Q_phi(s, a) - y)^2
    actor:   one step on  -mean over the batch of Q_phi(s, mu_theta(s))    (critic fixed)
    targets: phi' <- tau * phi + (1 - tau) * phi',  theta' <- tau * theta + (1 - tau) * theta'

Both target networks (primed) lag behind their online networks by Polyak averaging, with
``tau`` the weight on the ONLINE network, as everywhere in this kit. The actor is
deterministic, so exploration adds Gaussian noise to its action and clips to the box.

Your task: fill in the ``TODO(student)`` blocks (``ddpg_targets``, ``critic_loss``,
``actor_loss``, ``exploration_actions`` and ``ddpg_update``). The agent and ``train`` are
provided and use your functions, your ``polyak_update`` (target_network part) and your
``ReplayBuffer`` (replay_buffer part). Check yourself with
    python -m autograder check ddpg
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dqkit.batch import Batch
from dqkit.checks import (check_action_batch, check_action_bounds, check_gamma, check_generator,
                          check_noise_std, check_observations, check_same_batch, check_tau)
from dqkit.continuous import LoopResult, loop_settings, run_off_policy
from dqkit.envs import make_env
from dqkit.networks import Actor, Critic
from replay_buffer import ReplayBuffer
from target_network import polyak_update


def ddpg_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_observations: torch.Tensor,
                 target_actor: nn.Module, target_critic: nn.Module, gamma: float) -> torch.Tensor:
    """The critic's regression targets ``r + gamma * (1 - terminated) * Q_targ(s', mu_targ(s'))``.

    The target actor stands in for the max over actions: mu_targ(s') is the action the
    target critic should rate best. No gradient flows through a target, and the target
    networks receive none.

    Args:
        rewards: float32 [B].
        terminated: float32 [B], 1.0 where s' is terminal (then the target is just r).
        next_observations: float32 [B, obs_dim], the states s'.
        target_actor: observations [B, obs_dim] -> actions float32 [B, A].
        target_critic: (observations [B, obs_dim], actions [B, A]) -> Q-values float32 [B].
        gamma: discount in [0, 1].

    Returns:
        float32 [B], no autograd graph.
    """
    check_gamma(gamma)
    check_observations(next_observations)
    check_same_batch(rewards=rewards, terminated=terminated, next_observations=next_observations)
    ### BEGIN SOLUTION: under torch.no_grad(), evaluate the target critic at (s', target_actor(s')), mask it with (1 - terminated), discount, add the reward
    with torch.no_grad():
        next_q_values = target_critic(next_observations, target_actor(next_observations))
    return rewards + gamma * (1.0 - terminated) * next_q_values
    ### END SOLUTION


def critic_loss(critic: nn.Module, observations: torch.Tensor, actions: torch.Tensor,
                targets: torch.Tensor) -> torch.Tensor:
    """The critic's regression loss: mean over the batch of ``(Q(s, a) - y)^2``, at the
    actions that were taken (the batch's actions, not the actor's).

    Args:
        critic: (observations [B, obs_dim], actions [B, A]) -> Q-values float32 [B].
        observations: float32 [B, obs_dim].
        actions: float32 [B, A], the actions taken.
        targets: float32 [B], the targets y (no graph).

    Returns:
        A float32 scalar tensor (0-dimensional), differentiable with respect to the
        critic's parameters.
    """
    batch_size = check_observations(observations)
    check_action_batch(actions, batch_size)
    check_same_batch(observations=observations, targets=targets)
    ### BEGIN SOLUTION: evaluate the critic at the taken actions (shape [B]) and average the squared difference to the targets
    q_values = critic(observations, actions)
    return torch.mean((q_values - targets) ** 2)
    ### END SOLUTION


def actor_loss(actor: nn.Module, critic: nn.Module, observations: torch.Tensor) -> torch.Tensor:
    """The actor's loss ``-mean over the batch of Q(s, mu(s))``.

    Minimizing it is gradient ascent on Q(s, mu(s)): the gradient flows through the critic
    into the actor (the chain rule dQ/da * dmu/dtheta). It reaches the critic's parameters
    too; the actor's optimizer steps only the actor, so the critic stays as it is.

    Args:
        actor: observations [B, obs_dim] -> actions float32 [B, A].
        critic: (observations [B, obs_dim], actions [B, A]) -> Q-values float32 [B].
        observations: float32 [B, obs_dim].

    Returns:
        A float32 scalar tensor (0-dimensional), differentiable with respect to the
        actor's parameters.
    """
    check_observations(observations)
    ### BEGIN SOLUTION: evaluate the critic at (s, actor(s)) with autograd on, and return minus its mean
    return -critic(observations, actor(observations)).mean()
    ### END SOLUTION


def exploration_actions(actor: nn.Module, observations: torch.Tensor, noise_std: float, low, high,
                        rng: np.random.Generator) -> torch.Tensor:
    """Exploring actions: the actor's action plus Gaussian noise, clipped to the box.

        a = clip(mu(s) + noise_std * z, low, high),   z ~ N(0, I), one z per row and dimension.

    Args:
        actor: observations [B, obs_dim] -> actions float32 [B, A].
        observations: float32 [B, obs_dim].
        noise_std: the noise's standard deviation, in action units (> 0).
        low, high: float32 [A], the action box (tensors or arrays); low < high.
        rng: numpy Generator: every random number comes from it (not np.random, not torch).

    Returns:
        float32 [B, A] inside [low, high], no autograd graph.
    """
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    noise_std = check_noise_std(noise_std)
    check_generator(rng)
    # Clip, do not resample: the environment only accepts actions inside the box, and an
    # optimum on the boundary (full torque) stays reachable.
    ### BEGIN SOLUTION: compute mu(s) without a graph, add noise_std * standard normal noise of shape [B, A] drawn from rng, clip to [low, high]
    with torch.no_grad():
        actions = actor(observations)
    noise = torch.as_tensor(rng.standard_normal((batch_size, low.shape[0])), dtype=torch.float32)
    return torch.clamp(actions + noise_std * noise, low, high)
    ### END SOLUTION


def ddpg_update(actor: nn.Module, critic: nn.Module, target_actor: nn.Module, target_critic: nn.Module,
                actor_optimizer: torch.optim.Optimizer, critic_optimizer: torch.optim.Optimizer,
                batch: Batch, gamma: float, tau: float) -> dict[str, float]:
    """One DDPG update on a minibatch: a critic step, then an actor step, then both targets.

    Args:
        actor, critic: the online networks (see ``actor_loss`` for their shapes).
        target_actor, target_critic: their lagging copies, used only for the targets.
        actor_optimizer: optimizer over the actor's parameters only.
        critic_optimizer: optimizer over the critic's parameters only.
        batch: a ``Batch`` of B transitions with continuous actions (float32 [B, A]).
        gamma: discount in [0, 1].
        tau: Polyak weight on the ONLINE networks, in [0, 1].

    Returns:
        Stats of this update: ``losses/critic_loss`` and ``losses/actor_loss`` (each before
        its step) and ``losses/q_values`` (mean Q(s, a) of the batch's actions, before the
        critic step).
    """
    tau = check_tau(tau)
    with torch.no_grad():  # for the stats only
        q_values = critic(batch.observations, batch.actions)
    ### BEGIN SOLUTION: compute the targets with ddpg_targets (target networks) and critic_loss_value with critic_loss on the batch; take one critic_optimizer step (zero_grad, backward, step)
    targets = ddpg_targets(batch.rewards, batch.terminated, batch.next_observations,
                           target_actor, target_critic, gamma)
    critic_loss_value = critic_loss(critic, batch.observations, batch.actions, targets)
    critic_optimizer.zero_grad()
    critic_loss_value.backward()
    critic_optimizer.step()
    ### END SOLUTION
    # The actor's backward() also fills the critic's .grad. Harmless if only actor_optimizer
    # steps now and the critic's step zeroes its gradients before its own backward().
    ### BEGIN SOLUTION: compute actor_loss_value with actor_loss and the critic just updated; take one actor_optimizer step (zero_grad, backward, step); never step the critic here
    actor_loss_value = actor_loss(actor, critic, batch.observations)
    actor_optimizer.zero_grad()
    actor_loss_value.backward()
    actor_optimizer.step()
    ### END SOLUTION
    ### BEGIN SOLUTION: move target_critic towards critic and target_actor towards actor with polyak_update(target, online, tau)
    polyak_update(target_critic, critic, tau)
    polyak_update(target_actor, actor, tau)
    ### END SOLUTION
    return {
        "losses/critic_loss": float(critic_loss_value.detach()),
        "losses/actor_loss": float(actor_loss_value.detach()),
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
    """CSV file for the metrics (None: keep them in memory only). With a path such as
    "runs/NAME.csv", the run also writes TensorBoard events and a checkpoint of the actor, the
    critic and both target networks to the run folder "runs/NAME/" (see ``dqkit/metrics.py``)."""
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
    settings = loop_settings(config)
    return run_off_policy(agent, buffer, settings, description="DDPG")
