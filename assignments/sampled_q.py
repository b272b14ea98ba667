"""Part "sampled_q": Q-learning with continuous actions, the max taken by sampling (QT-Opt).

Lecture: "Q-learning with stochastic optimization" (lecture_notes/07_continuous_actions.md).
Your random_shooting and cem parts approximate max_a Q(s, a) over a box of actions. Here
they take the place of the two maxima of Q-learning, as in QT-Opt (Kalashnikov et al.,
2018), with a critic Q_phi(s, a) and its target copy Q_phi':

    acting:   a = argmax_a Q_phi(s, a) + Gaussian noise, clipped to [low, high]
    target:   y = r + gamma * (1 - terminated) * max_a' Q_phi'(s', a')     (no gradient)
    loss    = mean over the batch of (Q_phi(s, a) - y)^2
    then one gradient step on phi and the Polyak update  phi' <- tau * phi + (1 - tau) * phi'.

Both maxima go through ``maximize`` below, which calls your ``cem_argmax`` (or your
``random_shooting``, a setting). Use ``maximize`` and ``polyak_update`` by these names: the
grader swaps in stand-ins that record how they are called (and a maximizer whose answer it
knows), so most tests judge this part even while cem is unfinished. A target costs
B * M * iterations critic evaluations where DQN's costs one forward pass of B rows: that
price is why the sample counts stay small.

Your task: fill in the ``TODO(student)`` blocks. Check yourself with
    python -m autograder check sampled_q
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from cem import cem_argmax
from dqkit.batch import Batch
from dqkit.checks import (check_action_bounds, check_gamma, check_generator, check_observations,
                          check_per_transition, check_same_batch)
from dqkit.continuous import LoopResult, loop_settings, run_off_policy
from dqkit.envs import make_env
from dqkit.networks import Critic
from random_shooting import random_shooting
from replay_buffer import ReplayBuffer
from target_network import polyak_update


@dataclass(frozen=True)
class Maximizer:
    """How ``maximize`` approximates max_a Q(s, a)."""

    method: str = "cem"
    """"cem" (your cem_argmax) or "random_shooting" (your random_shooting)."""
    num_samples: int = 64
    """M: actions evaluated per observation (per iteration, for CEM)."""
    num_elites: int = 6
    """CEM only: how many of the best samples the Gaussian is refit to."""
    iterations: int = 3
    """CEM only: rounds of sample, evaluate, refit."""


def maximize(q_function, observations: torch.Tensor, low, high, rng: np.random.Generator,
             maximizer: Maximizer) -> tuple[torch.Tensor, torch.Tensor]:
    """argmax_a and max_a of ``q_function(s, a)`` for each observation, by your maximizer.

    Args:
        q_function: a critic, observations float32 [N, obs_dim] and actions float32
            [N, A] -> float32 [N].
        observations: float32 [B, obs_dim].
        low, high: float32 [A], the action box.
        rng: numpy Generator, the maximizer's only source of randomness.
        maximizer: which method, with how many samples.

    Returns:
        actions float32 [B, A] inside the box, and values float32 [B] = Q(s, actions),
        both without an autograd graph.
    """
    if maximizer.method == "cem":
        return cem_argmax(q_function, observations, low, high, rng, num_samples=maximizer.num_samples,
                          num_elites=maximizer.num_elites, iterations=maximizer.iterations)
    if maximizer.method == "random_shooting":
        return random_shooting(q_function, observations, low, high, maximizer.num_samples, rng)
    raise ValueError(f"maximizer.method must be 'cem' or 'random_shooting', got {maximizer.method!r}")


def sampled_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_observations: torch.Tensor,
                    target_critic, low, high, rng: np.random.Generator, gamma: float,
                    maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    """The targets ``r + gamma * (1 - terminated) * max_a' Q_target(s', a')``, the max over
    the action box approximated by ``maximize`` on the TARGET critic.

    No gradient flows through a target: the result carries no autograd graph.

    Args:
        rewards: float32 [B].
        terminated: float32 [B], 1.0 where s' is terminal (then the target is just r).
        next_observations: float32 [B, obs_dim], the states s'.
        target_critic: the target critic Q_phi', (observations, actions) -> float32 [N].
        low, high: float32 [A], the action box.
        rng: numpy Generator for the maximizer.
        gamma: discount in [0, 1].
        maximizer: passed on to ``maximize``.

    Returns:
        float32 [B], no autograd graph.
    """
    gamma = check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_observations=next_observations)
    check_observations(next_observations)
    # TODO(student): approximate max_a' Q_target(s', a') with maximize on target_critic at next_observations, mask it with (1 - terminated), discount, add the reward (no gradient)
    raise NotImplementedError("sampled_q: approximate max_a' Q_target(s', a') with maximize on target_critic at next_observations, mask it with (1 - terminated), discount, add the reward (no gradient)")


def choose_actions(critic, observations: torch.Tensor, low, high, rng: np.random.Generator,
                   exploration_std: float, maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    """Exploring actions: the maximizer's action on ``critic`` plus Gaussian noise,
    clipped to the box.

    The noise of action dimension j has standard deviation
    ``exploration_std * (high[j] - low[j]) / 2``: exploration_std is a fraction of the
    box's half-width, so one setting suits any box. ``exploration_std = 0`` is the greedy
    action. All randomness (maximizer and noise) comes from ``rng``.

    Args:
        critic: the online critic Q_phi, (observations, actions) -> float32 [N].
        observations: float32 [E, obs_dim].
        low, high: float32 [A], the action box.
        rng: numpy Generator (not np.random, not torch).
        exploration_std: noise scale >= 0, in half-widths of the box.
        maximizer: passed on to ``maximize``.

    Returns:
        float32 [E, A], inside [low, high].
    """
    low, high = check_action_bounds(low, high)
    check_observations(observations)
    check_generator(rng)
    if isinstance(exploration_std, bool) or not isinstance(exploration_std, (int, float)) or not exploration_std >= 0:
        raise ValueError(f"exploration_std must be a number >= 0, got {exploration_std!r}")
    # Clip after adding the noise: near the edge of the box the optimum is often on it
    # (full torque), and clipped noise keeps those actions legal without moving the mean inward.
    # TODO(student): take the maximizer's action on critic for each observation, add noise rng.standard_normal * exploration_std * (high - low) / 2 (float32), and clip to [low, high]
    raise NotImplementedError("sampled_q: take the maximizer's action on critic for each observation, add noise rng.standard_normal * exploration_std * (high - low) / 2 (float32), and clip to [low, high]")


def update_critic(critic: nn.Module, target_critic: nn.Module, optimizer: torch.optim.Optimizer,
                  batch: Batch, low, high, rng: np.random.Generator, gamma: float, tau: float,
                  maximizer: Maximizer = Maximizer(), max_grad_norm: float = 10.0) -> dict[str, float]:
    """One gradient step of the critic towards sampled targets, then the target update.

    Args:
        critic: the online critic Q_phi, (observations, actions) -> float32 [B].
        target_critic: its target copy Q_phi' (same architecture).
        optimizer: the optimizer over critic's parameters.
        batch: a ``Batch`` with continuous actions float32 [B, A].
        low, high: float32 [A], the action box.
        rng: numpy Generator for the maximizer.
        gamma: discount in [0, 1].
        tau: Polyak weight on the ONLINE critic (1 is a hard copy).
        maximizer: passed on to ``sampled_targets``.
        max_grad_norm: the gradient's global L2 norm is clipped to this before the step.

    Returns:
        Stats of this step: ``losses/critic_loss`` (the loss before the step),
        ``losses/q_values`` (mean Q(s, a) of the stored actions), ``losses/targets`` (mean
        target) and ``losses/grad_norm`` (the gradient norm before clipping).
    """
    # TODO(student): compute the targets with sampled_targets (target critic, next observations), q_values = critic(observations, actions) [B], and the mean squared error between them
    raise NotImplementedError("sampled_q: compute the targets with sampled_targets (target critic, next observations), q_values = critic(observations, actions) [B], and the mean squared error between them")
    # A [B, 1] next to a [B] broadcasts into a [B, B] loss that still trains, badly.
    check_per_transition(batch.rewards.shape[0], q_values=q_values, targets=targets)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(critic.parameters(), max_grad_norm)
    optimizer.step()
    # After the step, so the target moves towards the critic just improved.
    # TODO(student): move target_critic towards critic with your polyak_update (tau is the weight on the online critic)
    raise NotImplementedError("sampled_q: move target_critic towards critic with your polyak_update (tau is the weight on the online critic)")
    return {
        "losses/critic_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.detach().mean()),
        "losses/grad_norm": float(grad_norm),
    }


# -- provided: the agent and the run ----------------------------------------------------------
@dataclass
class SampledQConfig:
    """Every setting of one run. With seeds 0 to 7 the defaults reach a mean greedy return of
    -200 on Pendulum-v1 in 4,000 to 7,000 steps (about -150 over 100 random starts). 16 samples
    and 2 rounds keep a target at B * 32 critic evaluations: for a 1-D action that is plenty,
    and a gradient step takes a few milliseconds on one core."""

    env_id: str = "Pendulum-v1"
    """A gymnasium environment with a Box observation space and a Box action space."""
    seed: int = 0
    """Seeds torch (the critic's initial weights), the numpy Generator used for exploration,
    sampling and the maximizer, and the env."""
    total_steps: int = 20_000
    """Budget of environment steps."""
    hidden_sizes: tuple[int, ...] = (64, 64)
    """Hidden layer sizes of the critic."""
    buffer_capacity: int = 100_000
    """Replay buffer size (transitions)."""
    batch_size: int = 64
    """Transitions per gradient step."""
    learning_starts: int = 1_000
    """Steps of uniformly random actions before the first gradient step."""
    gamma: float = 0.99
    """Discount."""
    tau: float = 0.005
    """Polyak weight on the online critic (1 is a hard copy)."""
    learning_rate: float = 1e-3
    """Adam's learning rate for the critic."""
    max_grad_norm: float = 10.0
    """Gradient-norm clipping threshold."""
    maximizer: Maximizer = field(default_factory=lambda: Maximizer("cem", num_samples=16, num_elites=3,
                                                                    iterations=2))
    """The max over actions, in the targets and when acting."""
    exploration_std: float = 0.1
    """Std of the acting noise, in half-widths of the action box."""
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
    "runs/NAME.csv", the run also writes TensorBoard events and a checkpoint of the critic and
    its target network to the run folder "runs/NAME/" (see ``dqkit/metrics.py``)."""
    progress: bool = True
    """Show a tqdm progress bar."""


class SampledQAgent:
    """The agent ``run_off_policy`` drives: acts with ``choose_actions`` and learns with
    ``update_critic``."""

    def __init__(self, critic: nn.Module, low: np.ndarray, high: np.ndarray, config: SampledQConfig):
        self.critic, self.target_critic = critic, copy.deepcopy(critic)
        self.optimizer = torch.optim.Adam(critic.parameters(), lr=config.learning_rate)
        self.low, self.high, self.config = low, high, config

    def act(self, observations: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
        # Evaluation (rng=None) must be deterministic: a fixed generator for the maximizer, no noise.
        explore = rng is not None
        rng = rng if explore else np.random.default_rng(0)
        with torch.no_grad():
            actions = choose_actions(self.critic, torch.as_tensor(observations, dtype=torch.float32),
                                     self.low, self.high, rng,
                                     self.config.exploration_std if explore else 0.0, self.config.maximizer)
        return actions.numpy()

    def update(self, batch: Batch, rng: np.random.Generator) -> dict[str, float]:
        config = self.config
        return update_critic(self.critic, self.target_critic, self.optimizer, batch, self.low, self.high, rng,
                             config.gamma, config.tau, config.maximizer, config.max_grad_norm)


def train(config: SampledQConfig) -> LoopResult:
    """Sampling-based Q-learning on ``config.env_id`` with the shared off-policy loop; returns
    its result (evaluations, ``solved_at``, logged metrics)."""
    torch.manual_seed(config.seed)
    env = make_env(config.env_id, config.seed)  # only to read the shapes and the box
    obs_shape = env.observation_space.shape
    low = env.action_space.low.astype(np.float32)
    high = env.action_space.high.astype(np.float32)
    env.close()
    critic = Critic(int(np.prod(obs_shape)), len(low), config.hidden_sizes)
    agent = SampledQAgent(critic, low, high, config)
    buffer = ReplayBuffer(config.buffer_capacity, obs_shape, len(low))
    settings = loop_settings(config)
    return run_off_policy(agent, buffer, settings, description="sampled_q")
