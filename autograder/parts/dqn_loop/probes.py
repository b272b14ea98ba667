"""Probes for the student's ``dqn_loop.py`` (runs in the worker).

``schedule`` runs the student's ``train`` on a counting environment with every function
the loop imports replaced by a recording stand-in (no learning happens), and returns what
the loop did: which transitions it stored, which actions it took, when it took gradient
steps (and with which settings) and updated the target network, and the gradient steps
its ``TrainResult`` reports. ``learn`` runs the real thing, with the student's own parts,
and returns the trained network's parameters.
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch

from autograder.probes._training import Milestones, trained_parameters
from dqkit.batch import Batch

COUNTING_ENV = "GraderCounting-v0"


class CountingEnv(gym.Env):
    """Observation [episode, t]; even episodes terminate after 6 steps, odd ones are
    truncated after 4 (a time limit). Reward 100 * episode + t. Counts every step."""

    observation_space = gym.spaces.Box(-1e6, 1e6, shape=(2,), dtype=np.float32)
    action_space = gym.spaces.Discrete(2)
    steps_taken = 0
    log: list[dict[str, Any]] = []

    def __init__(self):
        self.episode, self.t = -1, 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.episode, self.t = self.episode + 1, 0
        CountingEnv.log.append({"event": "reset", "episode": self.episode, "at": CountingEnv.steps_taken})
        return np.array([self.episode, 0], dtype=np.float32), {}

    def step(self, action):
        CountingEnv.steps_taken += 1
        self.t += 1
        reward = float(100 * self.episode + self.t)
        terminated = self.episode % 2 == 0 and self.t == 6
        truncated = self.episode % 2 == 1 and self.t == 4
        CountingEnv.log.append({"event": "step", "action": int(action), "at": CountingEnv.steps_taken})
        return np.array([self.episode, self.t], dtype=np.float32), reward, terminated, truncated, {}


if COUNTING_ENV not in gym.registry:
    gym.register(id=COUNTING_ENV, entry_point=CountingEnv)


def _plain(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64).numpy().copy()
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    if isinstance(value, str):
        return value[:100]
    return repr(value)[:100]


class _Recorder:
    def __init__(self):
        self.calls: dict[str, list[dict[str, Any]]] = {}

    def add(self, name: str, **fields: Any) -> None:
        self.calls.setdefault(name, []).append({"at": CountingEnv.steps_taken, **fields})


def _stand_ins(recorder: _Recorder) -> dict[str, Any]:
    """Replacements for everything the loop imports; none of them learns anything."""

    class RecordingBuffer:
        def __init__(self, capacity, obs_shape, action_dim=None):
            recorder.add("buffer_init", capacity=_plain(capacity))
            self.items: list[tuple] = []

        def add(self, obs, action, reward, next_obs, terminated, truncated):
            recorder.add("add", obs=_plain(np.asarray(obs, dtype=np.float64)), action=_plain(action),
                         reward=_plain(reward), next_obs=_plain(np.asarray(next_obs, dtype=np.float64)),
                         terminated=_plain(terminated), truncated=_plain(truncated))
            self.items.append((np.asarray(obs, np.float32), int(action), float(reward),
                               np.asarray(next_obs, np.float32), float(terminated), float(truncated)))

        def __len__(self):
            return len(self.items)

        def sample(self, batch_size, rng):
            recorder.add("sample", batch_size=_plain(batch_size))
            rows = [self.items[-1 - (k % len(self.items))] for k in range(batch_size)]
            columns = list(zip(*rows))
            return Batch(torch.as_tensor(np.stack(columns[0])), torch.as_tensor(columns[1], dtype=torch.int64),
                         torch.as_tensor(columns[2], dtype=torch.float32), torch.as_tensor(np.stack(columns[3])),
                         torch.as_tensor(columns[4], dtype=torch.float32),
                         torch.as_tensor(columns[5], dtype=torch.float32))

    def epsilon_greedy(q_values, epsilon, rng):
        recorder.add("epsilon_greedy", epsilon=_plain(epsilon), rows=int(q_values.shape[0]))
        action = len(recorder.calls["epsilon_greedy"]) % 2
        return torch.full((q_values.shape[0],), action, dtype=torch.int64)

    def linear_schedule(start, end, duration, step):
        # Distinct per step, so the grader can tell which step's value reached epsilon_greedy.
        return float(step) * 1e-6

    def dqn_targets(rewards, terminated, next_q_values, gamma):
        recorder.add("dqn_targets", rows=int(rewards.shape[0]), gamma=_plain(gamma))
        return torch.zeros_like(rewards)

    def double_dqn_targets(rewards, terminated, next_q_values_online, next_q_values_target, gamma):
        recorder.add("double_dqn_targets", rows=int(rewards.shape[0]), gamma=_plain(gamma))
        return torch.zeros_like(rewards)

    def update_q_network(q_network, optimizer, observations, actions, targets, loss="huber",
                         huber_delta=1.0, max_grad_norm=10.0):
        recorder.add("update", rows=int(observations.shape[0]), network=id(q_network), loss=_plain(loss),
                     huber_delta=_plain(huber_delta), max_grad_norm=_plain(max_grad_norm))
        return {"losses/td_loss": 0.0, "losses/q_values": 0.0, "losses/targets": 0.0, "losses/grad_norm": 0.0}

    def hard_update(target_network, online_network):
        recorder.add("hard_update", target=id(target_network), online=id(online_network))

    def polyak_update(target_network, online_network, tau):
        recorder.add("polyak_update", tau=_plain(tau), target=id(target_network), online=id(online_network))

    return {"ReplayBuffer": RecordingBuffer, "epsilon_greedy": epsilon_greedy,
            "linear_schedule": linear_schedule, "dqn_targets": dqn_targets,
            "double_dqn_targets": double_dqn_targets, "update_q_network": update_q_network,
            "hard_update": hard_update, "polyak_update": polyak_update}


def schedule(config: dict[str, Any]) -> dict[str, Any]:
    """Run ``train`` on the counting environment with recording stand-ins."""
    import dqn_loop

    recorder = _Recorder()
    originals = {}
    for name, stand_in in _stand_ins(recorder).items():
        originals[name] = getattr(dqn_loop, name, None)
        setattr(dqn_loop, name, stand_in)
    CountingEnv.steps_taken = 0
    CountingEnv.log = []
    try:
        settings = dict(config, env_id=COUNTING_ENV, progress=False, solved_return=None,
                        eval_every=10**9, log_path=None)
        result = dqn_loop.train(dqn_loop.DQNConfig(**settings))
    finally:
        for name, original in originals.items():
            setattr(dqn_loop, name, original)
    # What train reports about itself, to compare with what the stand-ins recorded.
    counted = getattr(result, "gradient_steps", None)
    return {"calls": recorder.calls, "env_log": CountingEnv.log, "env_steps": CountingEnv.steps_taken,
            "result": {"gradient_steps": counted if type(counted) is int else _plain(counted)}}


def learn(config: dict[str, Any], milestones: list = ()) -> dict[str, Any]:
    """Train with the student's own parts; send back the trained Q-network's parameters (or
    those of the moment a failed milestone stopped the run)."""
    import dqn_loop

    def network_of(result: Any) -> Any:
        return getattr(result, "q_network", None)

    what = "TrainResult.q_network"
    watch = Milestones("dqn_loop", config, milestones, dqn_loop, dqn_loop.train, network_of, what)
    return trained_parameters(dqn_loop.train, dqn_loop.DQNConfig(**dict(config, progress=False, log_path=None)),
                              network_of, what, watch)


PROBES = {"schedule": schedule, "learn": learn}
