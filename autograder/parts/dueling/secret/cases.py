"""Fixture cases for part dueling.

Every test of this part judges a property the grader computes itself (Q = V + A - mean_a A
from the case's inputs, the streams from the network's own weights), so no case stores a
reference result. The inputs are chosen so that each common mistake changes the answer:
each state's advantages have a clearly non-zero mean that differs from its max and from
the batch's column means; one case has as many states as actions, where a [B] tensor
broadcast along the actions axis goes through without an error; one has a single state
(acting), one a single action; and one network has a trunk as wide as the observations, so
a head applied to the observations instead of the features runs without an error.
"""
from __future__ import annotations

import numpy as np

from autograder.parts._secret_common import case, f32
from autograder.parts.dqn_loop.secret.cases import COURSE_CONFIG

# Seeds tried in turn by the CartPole check until one solves, and the milestones ([steps,
# minimum greedy return]) below which a run stops early; benchmarks/calibration.md (sections
# cartpole_dueling and dueling_milestones) gives the reference's rates per seed: 49 of 50
# seeds pass both milestones and solve, so with four seeds a correct implementation fails with
# probability below 0.091^4 = 7.0e-5.
CARTPOLE_SEEDS = [101, 202, 303, 404]
CARTPOLE_REFERENCE_RATE = "49 of 50 seeds in the kit's calibration"
CARTPOLE_MILESTONES = [[2_000, 60.0], [15_000, 30.0]]
CARTPOLE_MILESTONE_RATE = "every one of 50 seeds still training there"
CARTPOLE_TIMEOUT = 180


def streams(rng: np.random.Generator, batch: int, actions: int) -> dict[str, np.ndarray]:
    """V [B] and A [B, A]: advantages around a per-state offset of a few units, so that the
    mean over actions, the max and the column means all differ."""
    offsets = rng.uniform(-4.0, 4.0, (batch, 1))
    return {"values": f32(rng.normal(0.0, 3.0, batch)),
            "advantages": f32(offsets + rng.normal(0.0, 1.5, (batch, actions)))}


def network(seed: int, obs_dim: int, num_actions: int, hidden: list[int], batch: int) -> dict:
    rng = np.random.default_rng(seed)
    return case("dueling.network", golden=False, obs_dim=obs_dim, num_actions=num_actions, hidden_sizes=hidden,
                seed=seed, observations=f32(rng.normal(0.0, 1.0, (batch, obs_dim))),
                value_weights=f32(rng.normal(0.0, 1.0, batch)),
                advantage_weights=f32(rng.normal(0.0, 1.0, (batch, num_actions))))


def gradients(seed: int, batch: int, actions: int) -> dict:
    rng = np.random.default_rng(seed)
    return case("dueling.q_gradients", golden=False, **streams(rng, batch, actions),
                actions=rng.integers(0, actions, batch).astype(np.int64), weights=f32(rng.normal(0.0, 1.0, batch)))


def cases(visibility: str) -> dict[str, dict]:
    rng = np.random.default_rng(11 if visibility == "public" else 12)
    if visibility == "public":
        return {
            "q_values": case("dueling.q_values", golden=False, **streams(rng, 4, 3)),
            "identifiability": case("dueling.identifiability", golden=False, **streams(rng, 5, 4),
                                    shifts=f32([5.0, -3.0, 2.5, 7.0, -6.0])),
            "q_gradients": gradients(21, 4, 3),
            "network": network(0, 4, 2, [8, 8], 5),
            "network_one_state": network(1, 4, 2, [8, 8], 1),
        }
    return {
        "q_values_square": case("dueling.q_values", golden=False, **streams(rng, 4, 4)),
        "q_values_one_state": case("dueling.q_values", golden=False, **streams(rng, 1, 3)),
        "q_values_one_action": case("dueling.q_values", golden=False, **streams(rng, 3, 1)),
        "identifiability_random": case("dueling.identifiability", golden=False, **streams(rng, 16, 6),
                                       shifts=f32(rng.uniform(-10.0, 10.0, 16))),
        "q_gradients_many_actions": gradients(22, 6, 5),
        "network_one_layer": network(2, 6, 3, [6], 7),
        "cartpole": case("dueling.learn", golden=False, config=COURSE_CONFIG, seeds=CARTPOLE_SEEDS,
                         timeout=CARTPOLE_TIMEOUT, reference_rate=CARTPOLE_REFERENCE_RATE,
                         milestones=CARTPOLE_MILESTONES, milestone_rate=CARTPOLE_MILESTONE_RATE),
    }
