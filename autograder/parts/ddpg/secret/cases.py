"""Fixture cases for part "ddpg" (see autograder/fixtures.py for the case format).

Networks are small ``Actor``s and ``Critic``s (obs_dim 3, two action dimensions, one
hidden layer of 5) with fixed random weights; each target network has weights of its own,
far from its online network's, so that any mix-up of online and target changes the answer.
Batches have terminal rows (a missing mask shows) and rewards of both signs. A case may
carry ``values``: Q-values of its fixed networks computed here, from which the checks
recognise the common wrong answers.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.parts._secret_common import case, f32
from autograder.shared.networks import build_actor, build_critic

OBS_DIM, ACTION_DIM, HIDDEN = 3, 2, [5]
LOW, HIGH = np.array([-2.0, 0.0], dtype=np.float32), np.array([2.0, 1.0], dtype=np.float32)


def _mlp_state(rng: np.random.Generator, sizes: list[int], scale: float, offset: float) -> dict[str, np.ndarray]:
    state = {}
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        state[f"net.{2 * index}.weight"] = f32(offset + rng.normal(0, scale, (fan_out, fan_in)))
        state[f"net.{2 * index}.bias"] = f32(offset + rng.normal(0, scale, fan_out))
    return state


def actor_spec(seed: int, low: np.ndarray = LOW, high: np.ndarray = HIGH, offset: float = 0.0,
               obs_dim: int = OBS_DIM) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    state = _mlp_state(rng, [obs_dim, *HIDDEN, len(low)], 0.8, offset)
    state["centre"], state["half_range"] = f32((high + low) / 2), f32((high - low) / 2)
    return {"obs_dim": obs_dim, "low": f32(low), "high": f32(high), "hidden": HIDDEN, "state": state}


def critic_spec(seed: int, offset: float = 0.0, obs_dim: int = OBS_DIM, action_dim: int = ACTION_DIM) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {"obs_dim": obs_dim, "action_dim": action_dim, "hidden": HIDDEN,
            "state": _mlp_state(rng, [obs_dim + action_dim, *HIDDEN, 1], 0.8, offset)}


def batch(seed: int, size: int, terminated: list[int], obs_dim: int = OBS_DIM,
          low: np.ndarray = LOW, high: np.ndarray = HIGH) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"observations": f32(rng.normal(0, 1, (size, obs_dim))),
            "actions": f32(rng.uniform(low, high, (size, len(low)))),
            "rewards": f32(rng.normal(0, 2, size)),
            "next_observations": f32(rng.normal(0, 1, (size, obs_dim))),
            "terminated": f32(terminated), "truncated": np.zeros(size, dtype=np.float32)}


@torch.no_grad()
def _q(critic: dict[str, Any], observations: np.ndarray, actions: np.ndarray) -> np.ndarray:
    return build_critic(critic)(torch.as_tensor(observations), torch.as_tensor(actions)).double().numpy()


@torch.no_grad()
def _mu(actor: dict[str, Any], observations: np.ndarray) -> np.ndarray:
    return build_actor(actor)(torch.as_tensor(observations)).numpy()


def targets_case(seed: int, terminated: list[int], gamma: float) -> dict:
    data = batch(seed, len(terminated), terminated)
    target_actor, target_critic = actor_spec(seed + 1, offset=0.3), critic_spec(seed + 2, offset=0.5)
    spec = case("ddpg.targets", rewards=data["rewards"], terminated=data["terminated"],
                next_observations=data["next_observations"], target_actor=target_actor,
                target_critic=target_critic, gamma=gamma)
    spec["values"] = {"next_q_values": _q(target_critic, data["next_observations"],
                                          _mu(target_actor, data["next_observations"]))}
    return spec


def critic_loss_case(seed: int, size: int) -> dict:
    data = batch(seed, size, [0] * size)
    critic = critic_spec(seed + 1)
    targets = f32(np.random.default_rng(seed + 2).normal(0, 2, size))
    spec = case("ddpg.critic_loss", critic=critic, observations=data["observations"], actions=data["actions"],
                targets=targets)
    spec["values"] = {"q_values": _q(critic, data["observations"], data["actions"])}
    return spec


def actor_loss_case(seed: int, size: int) -> dict:
    data = batch(seed, size, [0] * size)
    actor, critic = actor_spec(seed + 1), critic_spec(seed + 2)
    spec = case("ddpg.actor_loss", actor=actor, critic=critic, observations=data["observations"])
    spec["values"] = {"q_at_mu": _q(critic, data["observations"], _mu(actor, data["observations"])),
                      "q_at_a": _q(critic, data["observations"], data["actions"])}
    return spec


# Exploration: 50 observations, 40 calls, so each action dimension has 2,000 noise samples.
EXPLORATION_ROWS, EXPLORATION_REPEATS = 50, 40


def exploration_case(seed: int, noise_std: float, clip_low: np.ndarray, clip_high: np.ndarray,
                     low: np.ndarray = LOW, high: np.ndarray = HIGH) -> dict:
    """An actor on the box [low, high], and clip bounds [clip_low, clip_high] given to
    exploration_actions: far outside the box to see the noise itself, equal to it to see
    the clipping."""
    rng = np.random.default_rng(seed)
    return case("ddpg.exploration", golden=False, actor=actor_spec(seed + 1, low, high),
                observations=f32(rng.normal(0, 1, (EXPLORATION_ROWS, OBS_DIM))), noise_std=noise_std,
                low=f32(clip_low), high=f32(clip_high), seed=seed, repeats=EXPLORATION_REPEATS)


def update_case(seed: int, batches: list[dict[str, np.ndarray]], tau: float, gamma: float = 0.9) -> dict:
    return case("ddpg.update", actor=actor_spec(seed), critic=critic_spec(seed + 1),
                target_actor=actor_spec(seed + 2, offset=0.3), target_critic=critic_spec(seed + 3, offset=0.5),
                batches=batches, gamma=gamma, tau=tau, actor_learning_rate=0.2, critic_learning_rate=0.1)


# The course's DDPG configuration for Pendulum-v1: the defaults of DDPGConfig in
# solutions/ddpg.py (tests/test_reference_ddpg.py checks that the two agree). The grader
# passes it explicitly, so editing the defaults in a submission changes nothing.
COURSE_CONFIG = {
    "env_id": "Pendulum-v1", "total_steps": 20_000, "hidden_sizes": [64, 64], "buffer_capacity": 100_000,
    "batch_size": 128, "learning_starts": 1_000, "actor_learning_rate": 1e-3, "critic_learning_rate": 1e-3,
    "gamma": 0.99, "tau": 0.005, "noise_std": 0.2, "eval_every": 1_000, "eval_episodes": 10,
    "solved_return": -200.0, "log_every": 1_000,
}
# Seeds tried in turn by the Pendulum check until one solves, and the milestone below which a
# run stops early. benchmarks/calibration.md (sections pendulum_ddpg and ddpg_milestones): the
# reference solved 50 of 50 seeds, nearly all by 6,000 steps of the 20,000-step budget, and
# every run still going at 6,000 steps was above -970 (an untrained actor scores about -1200
# to -1600); the bound on the check's false-fail probability is 2e-4.
PENDULUM_SEEDS = [101, 202, 303]
PENDULUM_REFERENCE_RATE = "50 of 50 seeds in the kit's calibration"
PENDULUM_MILESTONES = [[6_000, -970.0]]
PENDULUM_MILESTONE_RATE = "50 of 50 seeds"


def cases(visibility: str) -> dict[str, dict]:
    wide_low, wide_high = np.full(ACTION_DIM, -10.0), np.full(ACTION_DIM, 10.0)
    if visibility == "public":
        return {
            "targets": targets_case(1, [0, 1, 0, 0, 1, 0], gamma=0.9),
            "critic_loss": critic_loss_case(2, 6),
            "actor_loss": actor_loss_case(3, 6),
            "noise": exploration_case(4, 0.5, wide_low, wide_high),
            "clipping": exploration_case(5, 1.0, LOW, HIGH),
            "replays": case("ddpg.exploration_replays", golden=False, actor=actor_spec(6),
                            observations=f32(np.random.default_rng(6).normal(0, 1, (8, OBS_DIM))),
                            noise_std=0.3, low=LOW, high=HIGH, seed=6),
            "update": update_case(7, [batch(8, 6, [0, 1, 0, 0, 1, 0])], tau=0.1),
        }
    return {
        "targets_terminal_rows": targets_case(11, [1, 1, 0, 1], gamma=0.99),
        "targets_gamma_1_single_row": targets_case(12, [0], gamma=1.0),
        "critic_loss_large_batch": critic_loss_case(13, 32),
        "actor_loss_large_batch": actor_loss_case(14, 32),
        "noise_small_std": exploration_case(15, 0.05, wide_low, wide_high),
        "clipping_one_sided_box": exploration_case(16, 2.0, np.array([-0.5, 0.2]), np.array([0.5, 0.6])),
        # Another gamma than the public case's, so that a ddpg_update ignoring its gamma shows.
        "two_updates": update_case(17, [batch(18, 8, [1, 0, 0, 1, 0, 0, 0, 1]), batch(19, 8, [0] * 8)],
                                   tau=0.3, gamma=0.7),
        "pendulum": case("ddpg.learn", golden=False, config=COURSE_CONFIG, seeds=PENDULUM_SEEDS, timeout=150,
                         reference_rate=PENDULUM_REFERENCE_RATE, milestones=PENDULUM_MILESTONES,
                         milestone_rate=PENDULUM_MILESTONE_RATE),
    }


