"""Part "naf": Q-learning with continuous actions by normalized advantage functions (NAF).

Lecture: "Q-learning with continuous actions", option 2: "easily maximizable Q-functions"
(lecture_notes/07_continuous_actions.md; Gu et al. 2016). Instead of searching for
max_a Q(s, a), choose a form of Q whose maximum is known in closed form. One network
outputs, for each state s, a value V(s), an action mu(s) and the entries of a
lower-triangular matrix L(s) with a positive diagonal; with P(s) = L(s) L(s)^T,

    Q(s, a) = V(s) - 1/2 (a - mu(s))^T P(s) (a - mu(s)).

P is symmetric positive definite, so the advantage term is <= 0 and zero only at a = mu(s):

    argmax_a Q(s, a) = mu(s)        max_a Q(s, a) = V(s).

The Q-learning target r + gamma * max_a' Q_target(s', a') is therefore just
r + gamma * V_target(s'), and the greedy policy is mu(s): no sampling, no optimizer.

Your task: fill in the ``TODO(student)`` blocks (``lower_triangular``, ``naf_q_values``,
``naf_targets``, ``noisy_actions`` and ``update_naf``). The network, the agent and
``train`` are provided and use your functions. Check yourself with
    python -m autograder check naf
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from dqkit.batch import Batch
from dqkit.checks import (check_action_bounds, check_gamma, check_generator, check_naf_inputs,
                          check_noise_std, check_tau, check_triangle_entries)
from dqkit.continuous import LoopResult, loop_settings, run_off_policy
from dqkit.networks import mlp
from replay_buffer import ReplayBuffer
from target_network import polyak_update


def lower_triangular(entries: torch.Tensor, action_dim: int) -> torch.Tensor:
    """Build the lower-triangular matrices L(s) from the network's raw outputs.

    Convention (the grader checks it exactly): the A(A+1)/2 entries of each row fill the
    lower triangle, diagonal included, in the order of ``torch.tril_indices(A, A)``, i.e.
    row by row: L[0,0], L[1,0], L[1,1], L[2,0], L[2,1], L[2,2], ... Then the diagonal is
    made positive with exp (L[i,i] = exp(raw entry)); the entries below the diagonal are
    kept as they are and the strict upper triangle is zero.

    Why exp: a positive diagonal makes L invertible, so P = L L^T is positive definite
    (not merely semi-definite) and mu(s) is the only maximizer.

    Args:
        entries: float32 [B, A(A+1)/2], the raw outputs of the network's L head.
        action_dim: A >= 1.

    Returns:
        L: float32 [B, A, A], lower-triangular with a positive diagonal, differentiable
        with respect to ``entries``.
    """
    check_triangle_entries(entries, action_dim)
    ### BEGIN SOLUTION: scatter the entries into the lower triangle in torch.tril_indices order, then replace the diagonal by exp of itself
    rows, columns = torch.tril_indices(action_dim, action_dim)
    lower = entries.new_zeros(entries.shape[0], action_dim, action_dim)
    lower[:, rows, columns] = entries
    diagonal = torch.arange(action_dim)
    # Indexing copies, so the diagonal's raw values are read before they are overwritten.
    lower[:, diagonal, diagonal] = torch.exp(lower[:, diagonal, diagonal])
    return lower
    ### END SOLUTION


def naf_q_values(values: torch.Tensor, mu: torch.Tensor, lower: torch.Tensor,
                 actions: torch.Tensor) -> torch.Tensor:
    """Q(s, a) = V(s) - 1/2 (a - mu(s))^T P(s) (a - mu(s)) with P(s) = L(s) L(s)^T.

    Args:
        values: float32 [B], V(s).
        mu: float32 [B, A], mu(s), the greedy action.
        lower: float32 [B, A, A], L(s) from ``lower_triangular``.
        actions: float32 [B, A], the actions a to evaluate.

    Returns:
        float32 [B], differentiable with respect to values, mu and lower.
    """
    check_naf_inputs(values=values, mu=mu, lower=lower, actions=actions)
    ### BEGIN SOLUTION: form P = L L^T, then the quadratic form (a - mu)^T P (a - mu) per row, and subtract half of it from V
    precision = lower @ lower.transpose(1, 2)  # P: [B, A, A], symmetric positive definite
    difference = (actions - mu).unsqueeze(2)  # [B, A, 1]
    quadratic = (difference.transpose(1, 2) @ precision @ difference).reshape(-1)  # [B]
    return values - 0.5 * quadratic
    ### END SOLUTION


def naf_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    """The NAF targets ``r + gamma * (1 - terminated) * V_target(s')``.

    max_a' Q_target(s', a') = V_target(s'), so no maximization is needed. No gradient
    flows through a target: the result is detached, even if ``next_values`` carries a graph.

    Args:
        rewards: float32 [B].
        terminated: float32 [B], 1.0 where s' is terminal (then the target is just r).
        next_values: float32 [B], V(s') from the TARGET network.
        gamma: discount in [0, 1].

    Returns:
        float32 [B], no autograd graph.
    """
    check_gamma(gamma)
    check_naf_inputs(rewards=rewards, terminated=terminated, next_values=next_values)
    ### BEGIN SOLUTION: mask next_values with (1 - terminated), discount, add the reward; detach
    return rewards + gamma * (1.0 - terminated) * next_values.detach()
    ### END SOLUTION


def noisy_actions(mu: torch.Tensor, noise_std: float, low, high, rng: np.random.Generator) -> torch.Tensor:
    """Exploring actions: mu plus independent Gaussian noise, clipped to the action box.

    Each entry is mu[b, j] + noise_std * z with z ~ N(0, 1) drawn from ``rng`` (not
    np.random, not torch), then clipped to [low[j], high[j]].

    Args:
        mu: float32 [B, A], the greedy actions (no autograd graph needed).
        noise_std: the noise's standard deviation in action units (> 0).
        low, high: float32 [A], the action box (tensors or arrays); low < high.
        rng: numpy Generator, the only source of randomness.

    Returns:
        float32 [B, A] inside [low, high].
    """
    low, high = check_action_bounds(low, high)
    noise_std = check_noise_std(noise_std)
    check_generator(rng)
    ### BEGIN SOLUTION: draw standard normal noise of mu's shape from rng, scale it by noise_std, add it to mu and clip to [low, high]
    noise = torch.as_tensor(rng.standard_normal(tuple(mu.shape)), dtype=torch.float32)
    return torch.clamp(mu.detach() + noise_std * noise, low, high)
    ### END SOLUTION


class NAFNetwork(nn.Module):
    """V(s), mu(s) and L(s), each from its own MLP, and Q(s, a) from them.

    observations float32 [B, obs_dim] -> V [B], mu [B, A] (squashed by tanh onto
    [low, high]) and the A(A+1)/2 raw entries of L. Separate networks, not one shared trunk:
    V must fit returns in the hundreds, and trunk features shared with mu would then push
    mu's tanh into saturation, where its gradient vanishes.
    """

    def __init__(self, obs_dim: int, low, high, hidden_sizes: Sequence[int] = (64, 64)):
        super().__init__()
        low, high = check_action_bounds(low, high)
        self.obs_dim, self.action_dim = obs_dim, int(low.shape[0])
        self.value_net = mlp(obs_dim, 1, hidden_sizes)
        self.mu_net = mlp(obs_dim, self.action_dim, hidden_sizes)
        self.entries_net = mlp(obs_dim, self.action_dim * (self.action_dim + 1) // 2, hidden_sizes)
        # Buffers, not parameters: they move with the module and are copied by the target updates.
        self.register_buffer("centre", (high + low) / 2)
        self.register_buffer("half_range", (high - low) / 2)

    def value(self, observations: torch.Tensor) -> torch.Tensor:
        """V(s) = max_a Q(s, a), float32 [B]."""
        return self.value_net(observations).squeeze(1)

    def greedy_actions(self, observations: torch.Tensor) -> torch.Tensor:
        """mu(s) = argmax_a Q(s, a), float32 [B, A] inside the action box."""
        return self.centre + self.half_range * torch.tanh(self.mu_net(observations))

    def heads(self, observations: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """V float32 [B], mu float32 [B, A] and L float32 [B, A, A] for observations [B, obs_dim]."""
        lower = lower_triangular(self.entries_net(observations), self.action_dim)
        return self.value(observations), self.greedy_actions(observations), lower

    def forward(self, observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Q(s, a), float32 [B], for observations [B, obs_dim] and actions [B, A]."""
        values, mu, lower = self.heads(observations)
        return naf_q_values(values, mu, lower, actions)


def update_naf(network: NAFNetwork, target_network: NAFNetwork, optimizer: torch.optim.Optimizer,
               batch: Batch, gamma: float, tau: float, max_grad_norm: float = 10.0) -> dict[str, float]:
    """One NAF gradient step on a minibatch, then a Polyak update of the target network.

    1. targets y = r + gamma * (1 - terminated) * V_target(s'), from the TARGET network
       (``target_network.value``), without gradient (``naf_targets``);
    2. loss = mean over the batch of (Q(s, a) - y)**2, with Q(s, a) = ``network(s, a)`` at the
       actions the batch took (not at mu(s));
    3. (provided) one optimizer step with the gradient's norm clipped to ``max_grad_norm``;
    4. after that step, ``polyak_update(target_network, network, tau)``: tau is the weight on
       the online network, target <- tau * online + (1 - tau) * target.

    Args:
        network: the online NAFNetwork, trained by ``optimizer``.
        target_network: its slowly moving copy, the same architecture.
        optimizer: the optimizer over ``network``'s parameters.
        batch: a ``Batch`` with continuous actions: observations [B, obs_dim], actions
            [B, A], rewards, terminated [B] (float32).
        gamma: discount in [0, 1].
        tau: Polyak weight on the online network, in [0, 1].
        max_grad_norm: the gradient's global L2 norm is clipped to this before the step.

    Returns:
        Stats of this step: ``losses/q_loss`` (the loss before the step),
        ``losses/q_values`` (mean Q(s, a)), ``losses/targets`` (mean target),
        ``losses/grad_norm`` (the gradient norm before clipping).
    """
    check_gamma(gamma)
    tau = check_tau(tau)
    ### BEGIN SOLUTION: compute the targets from target_network.value(next_observations) with naf_targets, Q(s, a) = network(observations, actions), and the mean squared error
    with torch.no_grad():
        next_values = target_network.value(batch.next_observations)
    targets = naf_targets(batch.rewards, batch.terminated, next_values, gamma)
    q_values = network(batch.observations, batch.actions)
    loss = torch.mean((q_values - targets) ** 2)
    ### END SOLUTION
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(network.parameters(), max_grad_norm)
    optimizer.step()
    ### BEGIN SOLUTION: move the target network towards the online one with polyak_update (after the optimizer step)
    polyak_update(target_network, network, tau)
    ### END SOLUTION
    return {
        "losses/q_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.mean()),
        "losses/grad_norm": float(grad_norm),
    }


@dataclass
class NAFConfig:
    """Every setting of one NAF run. The defaults solve Pendulum-v1 quickly on a CPU."""

    env_id: str = "Pendulum-v1"
    """A gymnasium environment with a Box observation space and a Box action space."""
    seed: int = 0
    """Seeds torch (the network's initial weights), the numpy Generator used for exploration
    and sampling, and the env."""
    total_steps: int = 20_000
    """Budget of environment steps."""
    hidden_sizes: tuple[int, ...] = (64, 64)
    """Hidden layer sizes of the shared trunk."""
    buffer_capacity: int = 100_000
    """Replay buffer size (transitions)."""
    batch_size: int = 128
    """Transitions per gradient step."""
    learning_starts: int = 1_000
    """Steps of uniformly random actions before the first gradient step."""
    learning_rate: float = 1e-3
    """Adam's step size."""
    gamma: float = 0.99
    """Discount."""
    tau: float = 0.005
    """Polyak weight on the online network, applied after every gradient step."""
    noise_scale: float = 0.1
    """Exploration noise std as a fraction of the action box's half-range."""
    max_grad_norm: float = 10.0
    """The gradient's global norm is clipped to this."""
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
    "runs/NAME.csv", the run also writes TensorBoard events and a checkpoint of the NAF network
    and its target network to the run folder "runs/NAME/" (see ``dqkit/metrics.py``)."""
    progress: bool = True
    """Show a tqdm progress bar."""


class NAFAgent:
    """The NAF agent for ``run_off_policy``: acts with mu(s) (plus noise when exploring)
    and learns with ``update_naf``."""

    def __init__(self, network: NAFNetwork, config: NAFConfig):
        self.network = network
        self.target_network = copy.deepcopy(network)
        self.optimizer = torch.optim.Adam(network.parameters(), lr=config.learning_rate)
        self.config = config
        self.low, self.high = network.centre - network.half_range, network.centre + network.half_range
        self.noise_std = float(config.noise_scale * network.half_range.max())

    def act(self, observations: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
        """Greedy mu(s) when ``rng`` is None, else mu(s) plus clipped Gaussian noise from ``rng``."""
        with torch.no_grad():
            mu = self.network.greedy_actions(torch.as_tensor(observations, dtype=torch.float32))
        if rng is None:
            return mu.numpy()
        return noisy_actions(mu, self.noise_std, self.low, self.high, rng).numpy()

    def update(self, batch: Batch, rng: np.random.Generator) -> dict[str, float]:
        return update_naf(self.network, self.target_network, self.optimizer, batch,
                          self.config.gamma, self.config.tau, self.config.max_grad_norm)


def train(config: NAFConfig) -> LoopResult:
    """Train NAF with ``config`` and return the loop's result (evaluations, solved_at, ...)."""
    torch.manual_seed(config.seed)
    env = gym.make(config.env_id)  # only to read the spaces
    obs_dim = int(np.prod(env.observation_space.shape))
    low, high = env.action_space.low, env.action_space.high
    env.close()
    network = NAFNetwork(obs_dim, low, high, config.hidden_sizes)
    buffer = ReplayBuffer(config.buffer_capacity, env.observation_space.shape, int(low.shape[0]))
    settings = loop_settings(config)
    return run_off_policy(NAFAgent(network, config), buffer, settings, description="naf")

