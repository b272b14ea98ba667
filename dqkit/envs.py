"""Environment helpers: seeded construction and greedy evaluation."""
from __future__ import annotations

from collections.abc import Callable

import gymnasium as gym
import numpy as np

NOISY_CORRIDOR = "dqkit/NoisyCorridor-v0"
if NOISY_CORRIDOR not in gym.registry:  # the overestimation demo (dqkit.demos.NoisyCorridor)
    gym.register(NOISY_CORRIDOR, entry_point="dqkit.demos:NoisyCorridor")


def make_env(env_id: str, seed: int) -> gym.Env:
    """``gym.make(env_id)`` with its action space seeded. Seed the episodes themselves with
    the first ``env.reset(seed=seed)``; later resets continue that stream."""
    env = gym.make(env_id)
    env.action_space.seed(seed)
    return env


def evaluate(policy: Callable[[np.ndarray], np.ndarray], env_id: str, episodes: int,
             seed: int) -> list[float]:
    """Run a deterministic policy for ``episodes`` episodes and return each one's
    undiscounted return.

    The episodes run side by side, so ``policy`` is called once per time step on the
    observations of the episodes still running: float32 [E, *obs_shape] -> actions [E]
    (ints, or [E, action_dim] floats). Episode k starts from ``reset(seed=seed + k)``,
    so the same seed gives the same start states.
    """
    envs = [gym.make(env_id) for _ in range(episodes)]
    observations = [env.reset(seed=seed + k)[0] for k, env in enumerate(envs)]
    returns = [0.0] * episodes
    running = list(range(episodes))
    while running:
        actions = policy(np.stack([observations[k] for k in running]).astype(np.float32))
        still_running = []
        for k, action in zip(running, actions):
            action = action.item() if np.ndim(action) == 0 else np.asarray(action)
            observations[k], reward, terminated, truncated, _ = envs[k].step(action)
            returns[k] += float(reward)
            if not (terminated or truncated):
                still_running.append(k)
        running = still_running
    for env in envs:
        env.close()
    return returns
