"""Fixture cases for part dqn_loop: small configs for the recording probe, and the
course's config for the learning check."""
from __future__ import annotations

from autograder.parts._secret_common import case

# The course's DQN configuration for CartPole-v1: the defaults of DQNConfig in
# solutions/dqn_loop.py (tests/test_reference.py checks that the two agree). The grader
# passes it explicitly, so editing the defaults in a submission changes nothing.
COURSE_CONFIG = {
    "env_id": "CartPole-v1", "total_steps": 30_000, "hidden_sizes": [128, 128], "buffer_capacity": 50_000,
    "batch_size": 64, "learning_starts": 1_000, "train_every": 1, "gradient_steps": 1,
    "target_update": "polyak", "target_update_every": 500, "tau": 0.01, "gamma": 0.99, "double_q": True,
    "learning_rate_start": 1e-3, "learning_rate_end": 1e-4, "learning_rate_decay_steps": 30_000,
    "epsilon_start": 1.0, "epsilon_end": 0.05, "epsilon_decay_steps": 5_000, "loss": "huber",
    "huber_delta": 1.0, "max_grad_norm": 10.0, "eval_every": 500, "log_every": 1_000, "eval_episodes": 5,
    "solved_return": 475.0,
}
# Seeds tried in turn by the CartPole check until one solves, and the milestones ([steps,
# minimum greedy return]) below which a run stops early; benchmarks/calibration.md (sections
# cartpole and dqn_loop_milestones, from benchmarks/calibrate_milestones.py) gives the
# reference's rates per seed and the bound on the check's false-fail probability (5.5e-4).
CARTPOLE_SEEDS = [101, 202, 303, 404, 505]
CARTPOLE_REFERENCE_RATE = "44 of 50 seeds in the kit's calibration"
CARTPOLE_MILESTONES = [[2_000, 60.0], [15_000, 30.0]]
CARTPOLE_MILESTONE_RATE = "50 of 50 seeds"

# The settings the loop hands to the targets and to update_q_network: the course's in LOOP_HARD,
# others in LOOP_SETTINGS, so a loop that passes fixed values instead fails one of the two.
COURSE_SETTINGS = {name: COURSE_CONFIG[name]
                   for name in ("gamma", "double_q", "loss", "huber_delta", "max_grad_norm")}
LOOP_HARD = {"total_steps": 40, "learning_starts": 10, "train_every": 3, "gradient_steps": 2,
             "batch_size": 4, "buffer_capacity": 1000, "target_update": "hard", "target_update_every": 7,
             **COURSE_SETTINGS}
LOOP_SETTINGS = {"total_steps": 20, "learning_starts": 5, "train_every": 2, "gradient_steps": 2,
                 "batch_size": 3, "buffer_capacity": 1000, "target_update": "polyak", "tau": 0.5,
                 "gamma": 0.5, "double_q": False, "loss": "mse", "huber_delta": 2.0, "max_grad_norm": 0.1}
# target_update_every is set short although unused with Polyak averaging: a loop that also
# makes hard copies when target_update is not "hard" then makes some within the 30 steps.
LOOP_POLYAK = {"total_steps": 30, "learning_starts": 5, "train_every": 2, "gradient_steps": 3,
               "batch_size": 3, "buffer_capacity": 1000, "target_update": "polyak", "tau": 0.3,
               "target_update_every": 4}
# Online Q-learning as a setting of the loop: evict at once, one step per transition.
LOOP_ONLINE = {"total_steps": 25, "learning_starts": 1, "train_every": 1, "gradient_steps": 1,
               "batch_size": 1, "buffer_capacity": 1, "target_update": "hard", "target_update_every": 1}


def cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        return {"hard": case("dqn_loop.schedule", golden=False, config=LOOP_HARD),
                "settings": case("dqn_loop.schedule", golden=False, config=LOOP_SETTINGS)}
    return {
        "polyak": case("dqn_loop.schedule", golden=False, config=LOOP_POLYAK),
        "online": case("dqn_loop.schedule", golden=False, config=LOOP_ONLINE),
        "cartpole": case("dqn_loop.learn", golden=False, config=COURSE_CONFIG, seeds=CARTPOLE_SEEDS,
                         timeout=180, reference_rate=CARTPOLE_REFERENCE_RATE, milestones=CARTPOLE_MILESTONES,
                         milestone_rate=CARTPOLE_MILESTONE_RATE),
    }


