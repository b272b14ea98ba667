"""Part "dqn_loop": the deep Q-learning training loop.

Lecture: "Putting it together", "A more general view" (lecture_notes/04_dqn.md). Three
processes run at their own rates:
  1. data collection: act epsilon-greedily, store each transition in the replay buffer;
  2. target update: copy (hard, every ``target_update_every`` steps) or average (Polyak,
     after every gradient step) the online network into the target network;
  3. Q-regression: every ``train_every`` environment steps, take ``gradient_steps``
     minibatch gradient steps towards targets computed with the target network.
Online Q-learning, DQN and fitted Q-iteration are settings of this one loop (see the notes).

Your task: fill in the ``TODO(student)`` blocks of ``train``. It must call the functions
imported below by these names (the grader swaps in recording versions of them to check
when and how often each process runs). Check yourself with
    python -m autograder check dqn_loop
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from dqkit.envs import evaluate, make_env
from dqkit.metrics import CsvLogger
from dqkit.networks import QNetwork
from double_dqn import double_dqn_targets
from dqn import dqn_targets, epsilon_greedy, linear_schedule, update_q_network
from replay_buffer import ReplayBuffer
from target_network import hard_update, polyak_update


@dataclass
class DQNConfig:
    """Every setting of one DQN run. The defaults solve CartPole-v1 quickly on a CPU."""

    env_id: str = "CartPole-v1"
    """A gymnasium environment with a Box observation space and a Discrete action space."""
    seed: int = 0
    """Seeds torch, the numpy Generator used for exploration and sampling, and the env."""
    total_steps: int = 30_000
    """Budget of environment steps."""
    hidden_sizes: tuple[int, ...] = (128, 128)
    """Hidden layer sizes of the Q-network."""
    buffer_capacity: int = 50_000
    """Replay buffer size (transitions)."""
    batch_size: int = 64
    """Transitions per gradient step."""
    learning_starts: int = 1_000
    """Environment steps of pure collection before the first gradient step."""
    train_every: int = 1
    """F: environment steps between rounds of gradient steps (process 3's rate)."""
    gradient_steps: int = 1
    """K: gradient steps per round."""
    target_update: str = "polyak"
    """"hard": copy every ``target_update_every`` env steps; "polyak": average after every gradient step."""
    target_update_every: int = 500
    """C: environment steps between hard target updates (process 2's rate)."""
    tau: float = 0.01
    """Polyak weight on the online network (1 is a hard copy)."""
    gamma: float = 0.99
    """Discount. (0.98 learns to balance sooner but often never learns to keep the cart
    on the track: running off it comes later than its horizon sees.)"""
    double_q: bool = True
    """Use double Q-learning targets (the double_dqn part) instead of the DQN max."""
    learning_rate_start: float = 1e-3
    """Adam's learning rate at step 0, decayed linearly to ``learning_rate_end``."""
    learning_rate_end: float = 1e-4
    """Learning rate at the end of ``learning_rate_decay_steps``."""
    learning_rate_decay_steps: int = 30_000
    """Steps the learning-rate schedule takes."""
    epsilon_start: float = 1.0
    """Exploration probability at step 0."""
    epsilon_end: float = 0.05
    """Exploration probability from ``epsilon_decay_steps`` on."""
    epsilon_decay_steps: int = 5_000
    """Steps over which epsilon decays linearly."""
    loss: str = "huber"
    """"huber" or "mse"."""
    huber_delta: float = 1.0
    """Where the Huber loss turns linear."""
    max_grad_norm: float = 10.0
    """Gradient-norm clipping threshold."""
    eval_every: int = 500
    """Environment steps between greedy evaluations (after ``learning_starts``)."""
    log_every: int = 1_000
    """Environment steps between log rows of the last gradient step's stats."""
    eval_episodes: int = 5
    """Episodes per greedy evaluation."""
    solved_return: float | None = 475.0
    """Stop once the mean greedy evaluation return reaches this (None: never stop early)."""
    log_path: str | None = None
    """CSV file for the metrics (None: keep them in memory only). With a path such as
    "runs/NAME.csv", the run also writes TensorBoard events and a checkpoint of the trained
    Q-network to the run folder "runs/NAME/" (see ``dqkit/metrics.py``)."""
    progress: bool = True
    """Show a tqdm progress bar."""


@dataclass
class TrainResult:
    """What ``train`` returns."""

    q_network: nn.Module
    """The trained online network."""
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    """(env steps so far, mean greedy return) for every evaluation."""
    solved_at: int | None = None
    """Env steps at the first evaluation reaching ``solved_return``; None if never."""
    env_steps: int = 0
    """Environment steps taken."""
    gradient_steps: int = 0
    """Gradient steps taken."""
    logger: CsvLogger | None = None
    """All logged metrics (``logger.rows``)."""


def compute_targets(batch, q_network: nn.Module, target_network: nn.Module, gamma: float,
                    double_q: bool) -> torch.Tensor:
    """Targets [B] for a Batch: DQN or double-DQN, with the target network, no gradient."""
    with torch.no_grad():
        next_q_values_target = target_network(batch.next_observations)
        if double_q:
            next_q_values_online = q_network(batch.next_observations)
            return double_dqn_targets(batch.rewards, batch.terminated, next_q_values_online,
                                      next_q_values_target, gamma)
        return dqn_targets(batch.rewards, batch.terminated, next_q_values_target, gamma)


def greedy_policy(q_network: nn.Module):
    """observations (numpy float32 [E, obs_dim]) -> argmax_a Q(s, a), int64 numpy [E]."""
    def act(observations: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return q_network(torch.as_tensor(observations)).argmax(dim=1).numpy()
    return act


def train(config: DQNConfig) -> TrainResult:
    """Train a DQN agent as set by ``config``; see the module docstring for the structure."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    env = make_env(config.env_id, config.seed)
    q_network = QNetwork(env.observation_space.shape[0], int(env.action_space.n), config.hidden_sizes)
    target_network = copy.deepcopy(q_network)
    target_network.requires_grad_(False)
    # fused: Adam's whole update in one kernel, a third of a gradient step's time saved on a CPU
    optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate_start, fused=True)
    buffer = ReplayBuffer(config.buffer_capacity, env.observation_space.shape)
    logger = CsvLogger(config.log_path)
    result = TrainResult(q_network=q_network, logger=logger)
    episode_return = 0.0
    stats: dict[str, float] = {}

    obs, _ = env.reset(seed=config.seed)
    for step in tqdm(range(config.total_steps), disable=not config.progress, desc="DQN", unit="step"):
        epsilon = linear_schedule(config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps, step)

        # Process 1: collect one transition.
        ### BEGIN SOLUTION: act epsilon-greedily with the online network, step the env (keep reward, terminated, truncated), store the transition, then set obs = next_obs (the reset at an episode's end is done just below)
        with torch.no_grad():
            q_values = q_network(torch.as_tensor(obs, dtype=torch.float32).unsqueeze(0))
        action = int(epsilon_greedy(q_values, epsilon, rng)[0])
        next_obs, reward, terminated, truncated, _ = env.step(action)
        # The buffer keeps terminated and truncated apart: only termination stops bootstrapping.
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        # Easy to forget: without this line the agent keeps acting from the first state.
        obs = next_obs
        ### END SOLUTION
        episode_return += float(reward)
        if terminated or truncated:
            logger.log(step + 1, **{"charts/episodic_return": episode_return, "charts/epsilon": epsilon})
            episode_return = 0.0
            obs, _ = env.reset()

        # Process 3 (and Polyak's process 2): regression towards the targets.
        if step + 1 >= config.learning_starts and (step + 1) % config.train_every == 0:
            learning_rate = linear_schedule(config.learning_rate_start, config.learning_rate_end,
                                            config.learning_rate_decay_steps, step)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate
            ### BEGIN SOLUTION: take config.gradient_steps steps: sample a batch, compute targets, update the Q-network; with target_update == "polyak", polyak_update after each step
            for _ in range(config.gradient_steps):
                batch = buffer.sample(config.batch_size, rng)
                targets = compute_targets(batch, q_network, target_network, config.gamma, config.double_q)
                stats = update_q_network(q_network, optimizer, batch.observations, batch.actions,
                                         targets, config.loss, config.huber_delta, config.max_grad_norm)
                result.gradient_steps += 1
                if config.target_update == "polyak":
                    polyak_update(target_network, q_network, config.tau)
            ### END SOLUTION
        if stats and (step + 1) % config.log_every == 0:
            logger.log(step + 1, **stats, **{"charts/learning_rate": optimizer.param_groups[0]["lr"]})

        # Process 2 for hard updates: a fresh copy every target_update_every steps.
        ### BEGIN SOLUTION: with target_update == "hard", hard_update every config.target_update_every environment steps
        if config.target_update == "hard" and (step + 1) % config.target_update_every == 0:
            hard_update(target_network, q_network)
        ### END SOLUTION

        if step + 1 >= config.learning_starts and (step + 1) % config.eval_every == 0:
            mean_return = float(np.mean(evaluate(greedy_policy(q_network), config.env_id,
                                                 config.eval_episodes, seed=10_000 + config.seed)))
            result.evaluations.append((step + 1, mean_return))
            logger.log(step + 1, **{"charts/eval_return": mean_return})
            if config.solved_return is not None and mean_return >= config.solved_return:
                result.solved_at = step + 1
                result.env_steps = step + 1
                break
        result.env_steps = step + 1
    env.close()
    logger.close()
    logger.save_checkpoint({"q_network": q_network})  # only with a log_path: for `python -m autograder watch`
    return result
