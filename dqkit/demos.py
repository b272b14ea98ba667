"""Small problems the notebooks and the notes' figures share: a corridor with noisy rewards
for overestimation, a sparse-reward chain for N-step targets, and concave quadratics in a
box for the maximizers."""
from __future__ import annotations

from collections.abc import Callable

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces


class NoisyCorridor(gym.Env):
    """A corridor of ``length`` cells walked left to right, one cell per step, whatever the
    action; the episode terminates after the last cell. Every one of the ``actions`` actions
    pays a reward drawn from N(0, ``noise``^2), so every action of every cell is worth exactly
    0 and any estimate above 0 is overestimation. Observation: the one-hot cell, float32
    [length]. Registered as ``dqkit/NoisyCorridor-v0`` (10 cells, 16 actions, noise 2)."""

    def __init__(self, length: int = 10, actions: int = 16, noise: float = 2.0):
        self.length, self.noise = length, noise
        self.observation_space = spaces.Box(0.0, 1.0, (length,), np.float32)
        self.action_space = spaces.Discrete(actions)
        self.cell = 0

    def observation(self) -> np.ndarray:
        one_hot = np.zeros(self.length, dtype=np.float32)
        one_hot[self.cell] = 1.0
        return one_hot

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.cell = 0
        return self.observation(), {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"NoisyCorridor: action {action!r} is not in {self.action_space}")
        reward = float(self.np_random.normal(0.0, self.noise))
        self.cell += 1
        terminated = self.cell == self.length
        observation = np.zeros(self.length, dtype=np.float32) if terminated else self.observation()
        return observation, reward, terminated, False, {}


def start_value(q_network: torch.nn.Module, env_id: str, seed: int = 0) -> float:
    """The network's estimate of the start state's value, max_a Q(s_0, a)."""
    env = gym.make(env_id)
    observation, _ = env.reset(seed=seed)
    env.close()
    with torch.no_grad():
        return float(q_network(torch.as_tensor(observation, dtype=torch.float32).unsqueeze(0)).max())


def discounted_return(q_network: torch.nn.Module, env_id: str, gamma: float, episodes: int,
                      seed: int = 0) -> float:
    """The mean discounted return the greedy policy of ``q_network`` actually collects from
    the start state, over ``episodes`` episodes (episode k starts from reset(seed=seed + k))."""
    env = gym.make(env_id)
    total = 0.0
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        discount, done = 1.0, False
        while not done:
            with torch.no_grad():
                action = int(q_network(torch.as_tensor(observation, dtype=torch.float32).unsqueeze(0)).argmax())
            observation, reward, terminated, truncated, _ = env.step(action)
            total += discount * float(reward)
            discount *= gamma
            done = terminated or truncated
    env.close()
    return total / episodes


def chain_windows(values: np.ndarray, n: int) -> tuple[torch.Tensor, ...]:
    """The N-step windows of a chain whose one action moves right; leaving the last state
    ends the episode with reward 1, and the next episode starts at state 0 (the stored stream
    runs on past the end). Row s is the window starting at state s; bootstrap values come
    from ``values`` [states]. Returns rewards, terminated, truncated, bootstrap_values, each
    float32 [states, n], in the order ``n_step_targets`` takes them."""
    states = len(values)
    rewards, terminated, bootstrap = (np.zeros((states, n)) for _ in range(3))
    for start in range(states):
        state = start
        for k in range(n):
            last = state == states - 1
            rewards[start, k] = terminated[start, k] = float(last)
            next_state = 0 if last else state + 1
            bootstrap[start, k] = 0.0 if last else values[next_state]
            state = next_state
    return tuple(torch.as_tensor(array, dtype=torch.float32)
                 for array in (rewards, terminated, np.zeros((states, n)), bootstrap))


class RotatedQuadratics:
    """Q(s, a) = -1/2 (a - a*(s))^T C (a - a*(s)) on [-1, 1]^A, with one rotated curvature C
    (eigenvalues 30 / 3^k: 30, 10, 3.3, 1.1, ...; a long diagonal ridge) and a different optimum a*(s) per
    observation; the observation is the optimum's index. The true maximum is 0."""

    def __init__(self, batch: int, dimension: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        rotation, _ = np.linalg.qr(rng.normal(size=(dimension, dimension)))
        eigenvalues = 30.0 / np.power(3.0, np.arange(dimension))
        self.curvature = rotation @ np.diag(eigenvalues) @ rotation.T
        self.optima = rng.uniform(-0.6, 0.6, (batch, dimension))
        self.low = -np.ones(dimension, dtype=np.float32)
        self.high = np.ones(dimension, dtype=np.float32)
        self.observations = torch.arange(batch, dtype=torch.float32).unsqueeze(1)
        self._curvature = torch.as_tensor(self.curvature, dtype=torch.float32)
        self._optima = torch.as_tensor(self.optima, dtype=torch.float32)

    def q_function(self, observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        offsets = actions - self._optima[observations[:, 0].long()]
        return -0.5 * ((offsets @ self._curvature) * offsets).sum(dim=1)

    def gap(self, index: int, actions: np.ndarray) -> np.ndarray:
        offsets = np.asarray(actions) - self.optima[index]
        return 0.5 * np.einsum("ni,ij,nj->n", offsets, self.curvature, offsets)

    def cma_gap(self, index: int, budget: int, population: int = 10) -> float:
        """The gap CMA-ES (from ``cma``) leaves on observation ``index`` with ``budget``
        evaluations, in generations of ``population``."""
        import cma

        search = cma.CMAEvolutionStrategy(np.zeros(len(self.low)), 0.5, {
            "bounds": [list(self.low), list(self.high)], "popsize": population, "maxfevals": budget,
            "verbose": -9, "seed": index + 1})
        while not search.stop():
            candidates = search.ask()
            search.tell(candidates, list(self.gap(index, candidates)))
        return float(search.result.fbest)


def maximizer_gaps(problem: RotatedQuadratics, budgets: list[int], random_shooting: Callable,
                   cem_argmax: Callable, rng: np.random.Generator) -> dict[str, list[float]]:
    """Mean gap to the true maximum of random shooting, CEM (4 rounds, elites a tenth of the
    samples) and CMA-ES, each with ``budget`` critic evaluations per observation."""
    gaps: dict[str, list[float]] = {"random shooting": [], "CEM (4 rounds)": [], "CMA-ES": []}
    for budget in budgets:
        _, values = random_shooting(problem.q_function, problem.observations, problem.low, problem.high, budget, rng)
        gaps["random shooting"].append(float(-values.mean()))
        samples = budget // 4
        _, values = cem_argmax(problem.q_function, problem.observations, problem.low, problem.high, rng,
                               num_samples=samples, num_elites=max(2, samples // 10), iterations=4)
        gaps["CEM (4 rounds)"].append(float(-values.mean()))
        gaps["CMA-ES"].append(float(np.mean([problem.cma_gap(index, budget)
                                             for index in range(len(problem.optima))])))
    return gaps
