"""The off-policy loop for continuous actions, shared by the sampled_q, naf and ddpg parts.

Each of those parts defines an *agent*: an object with two methods,

    act(observations, rng) -> actions
        observations: numpy float32 [E, obs_dim]; returns numpy float32 [E, action_dim]
        inside the action box. With a numpy Generator ``rng`` it explores (its noise comes
        from ``rng``); with ``rng=None`` it acts greedily and deterministically, which is
        how it is evaluated.
    update(batch, rng) -> dict[str, float]
        one gradient step on a ``Batch`` (target-network updates included); returns the
        step's statistics under namespaced names (``losses/critic_loss``, ...).

and the loop below runs the three processes of the lecture's general view with that agent:
collect one transition per environment step (uniformly random actions for the first
``learning_starts`` steps, then the agent's exploring action), regress on one minibatch
per step once ``learning_starts`` transitions are stored, and evaluate greedily every
``eval_every`` steps, stopping early once the evaluation reaches ``solved_return``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

import numpy as np
from tqdm.auto import tqdm

from dqkit.batch import Batch
from dqkit.envs import evaluate, make_env
from dqkit.metrics import CsvLogger


EVALUATION_SEED = 10_000
"""Episode k of every greedy evaluation starts from ``reset(seed=EVALUATION_SEED + k)``."""


class Agent(Protocol):
    def act(self, observations: np.ndarray, rng: np.random.Generator | None) -> np.ndarray: ...

    def update(self, batch: Batch, rng: np.random.Generator) -> dict[str, float]: ...


@dataclass
class LoopSettings:
    """How long and how the loop runs; the agent's own settings live in its part's config."""

    env_id: str = "Pendulum-v1"
    """A gymnasium environment with Box observations and a Box action space."""
    seed: int = 0
    """Seeds torch, the numpy Generator for exploration and sampling, and the env."""
    total_steps: int = 20_000
    """Budget of environment steps."""
    batch_size: int = 128
    """Transitions per gradient step."""
    learning_starts: int = 1_000
    """Steps of uniformly random actions before the first gradient step."""
    eval_every: int = 1_000
    """Environment steps between greedy evaluations (from ``learning_starts`` on)."""
    eval_episodes: int = 10
    """Episodes per greedy evaluation, from the same start states in every run."""
    solved_return: float | None = -200.0
    """Stop once the mean greedy return reaches this (None: never stop early)."""
    log_every: int = 1_000
    """Environment steps between log rows of the last gradient step's statistics."""
    log_path: str | None = None
    """CSV file for the metrics (None: keep them in memory only). With a path such as
    "runs/NAME.csv", the run also writes TensorBoard events and a checkpoint of the agent's
    networks to the run folder "runs/NAME/" (see ``dqkit/metrics.py``)."""
    progress: bool = True
    """Show a tqdm progress bar."""


def loop_settings(config: Any) -> LoopSettings:
    """The ``LoopSettings`` of a part's config: its fields of the same names (every part's
    config repeats them, so that each config reads whole at its call site)."""
    return LoopSettings(**{setting.name: getattr(config, setting.name) for setting in fields(LoopSettings)})


@dataclass
class LoopResult:
    """What ``run_off_policy`` returns."""

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
    agent: Any = None
    """The trained agent."""


def greedy(agent: Agent) -> Callable[[np.ndarray], np.ndarray]:
    """The agent's deterministic policy, in the form ``dqkit.envs.evaluate`` takes."""
    return lambda observations: agent.act(observations, None)


def run_off_policy(agent: Agent, buffer: Any, settings: LoopSettings, description: str = "train") -> LoopResult:
    """Train ``agent`` on ``settings.env_id``, storing transitions in ``buffer`` (a
    ``ReplayBuffer`` from the replay_buffer part, made for this env's shapes).

    Every random number of the loop comes from ``np.random.default_rng(settings.seed)``
    and the env's seed; the caller seeds torch (``torch.manual_seed(settings.seed)``)
    before building the agent's networks, so a whole run is reproducible.
    """
    rng = np.random.default_rng(settings.seed)
    env = make_env(settings.env_id, settings.seed)
    low = env.action_space.low.astype(np.float32)
    high = env.action_space.high.astype(np.float32)
    logger = CsvLogger(settings.log_path)
    result = LoopResult(logger=logger, agent=agent)
    episode_return = 0.0
    stats: dict[str, float] = {}

    obs, _ = env.reset(seed=settings.seed)
    steps = tqdm(range(settings.total_steps), disable=not settings.progress, desc=description, unit="step")
    for step in steps:
        # Process 1: collect. Random actions first, so the first batches cover the action box.
        if step < settings.learning_starts:
            action = rng.uniform(low, high).astype(np.float32)
        else:
            action = np.asarray(agent.act(np.asarray(obs, dtype=np.float32)[None], rng),
                                dtype=np.float32).reshape(low.shape)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        obs = next_obs
        episode_return += float(reward)
        if terminated or truncated:
            logger.log(step + 1, **{"charts/episodic_return": episode_return})
            episode_return = 0.0
            obs, _ = env.reset()

        # Processes 2 and 3: one gradient step per environment step (the agent averages
        # its target networks inside update).
        if step + 1 >= settings.learning_starts:
            stats = agent.update(buffer.sample(settings.batch_size, rng), rng)
            result.gradient_steps += 1
            if (step + 1) % settings.log_every == 0:
                logger.log(step + 1, **stats)

        if step + 1 >= settings.learning_starts and (step + 1) % settings.eval_every == 0:
            # The same start states for every run, whatever its seed: Pendulum's return depends
            # strongly on where the pendulum starts, and start states tied to the training seed
            # would make some seeds look unsolved only because their evaluation starts are hard.
            mean_return = float(np.mean(evaluate(greedy(agent), settings.env_id, settings.eval_episodes,
                                                 seed=EVALUATION_SEED)))
            result.evaluations.append((step + 1, mean_return))
            logger.log(step + 1, **{"charts/eval_return": mean_return})
            steps.set_postfix(eval_return=f"{mean_return:.0f}")
            if settings.solved_return is not None and mean_return >= settings.solved_return:
                result.solved_at = step + 1
                result.env_steps = step + 1
                break
        result.env_steps = step + 1
    env.close()
    logger.close()
    logger.save_checkpoint(vars(agent))  # only with a log_path: the agent's networks, targets included
    return result
