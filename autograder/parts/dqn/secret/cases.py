"""Fixture cases for the DQN family: parts dqn, double_dqn and n_step.

Inputs are small, fixed and chosen so that each common mistake changes the answer: a
terminal row with a large next-state value (a missing mask shows), negative Q-values (a
max started at 0 shows), rows whose best action differs between the online and the target
network (double Q mix-ups show), windows that run past an episode's end.
"""
from __future__ import annotations

import numpy as np


def case(probe: str, golden: bool = True, **args) -> dict:
    return {"probe": probe, "args": args, "golden": golden}


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


# Six rows of Q-values over four actions: distinct maxima at different positions, one
# row with all values negative.
EPSILON_PATTERNS = _f32([
    [1.0, 2.0, 3.0, 4.0],
    [4.0, 3.0, 2.0, 1.0],
    [0.0, 5.0, 0.0, 0.0],
    [-3.0, -1.0, -2.0, -4.0],
    [0.5, 0.25, 0.75, 0.0],
    [10.0, -10.0, 9.0, 0.0],
])
COPIES = 100  # rows per pattern, so each call samples every pattern many times


CHAIN = {"states": 5, "gamma": 0.9, "iterations": 60, "inner_steps": 10, "learning_rate": 2.5}
OVERESTIMATION = {"trials": 4000, "actions": 8, "true_value": -0.1, "noise": 1.0, "samples": 5, "seed": 3}
N_STEP_CHAIN = {"states": 8, "gamma": 0.9, "iterations": 12}


def epsilon_case(epsilon: float, seed: int, patterns: np.ndarray = EPSILON_PATTERNS, repeats: int = 50) -> dict:
    spec = case("dqn.epsilon_greedy_counts", golden=False, q_values=np.repeat(patterns, COPIES, axis=0),
                epsilon=epsilon, seed=seed, repeats=repeats)
    spec["patterns"] = patterns
    return spec


def dqn_cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        return {
            "epsilon_0.3": epsilon_case(0.3, seed=1),
            "epsilon_0": epsilon_case(0.0, seed=2, repeats=3),
            "schedule": case("dqn.linear_schedule", start=1.0, end=0.05, duration=10,
                             steps=[0, 1, 5, 9, 10, 11, 1000]),
            "targets": case("dqn.dqn_targets", rewards=_f32([1.0, 0.0, -1.0, 2.0, 0.5]),
                            terminated=_f32([0, 0, 1, 0, 1]),
                            next_q_values=_f32([[1, 2, 3], [-1, -2, -0.5], [100, 50, 7], [0, 0, 0], [-4, 8, 2]]),
                            gamma=0.9),
            "huber_loss": case("dqn.td_loss", q_values=_f32([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0], [0.0, 0.0]]),
                               actions=np.array([1, 0, 0, 1]), targets=_f32([2.5, 0.0, -2.0, 0.25]),
                               loss="huber", huber_delta=1.0),
            "mse_loss": case("dqn.td_loss", q_values=_f32([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0], [0.0, 0.0]]),
                             actions=np.array([1, 0, 0, 1]), targets=_f32([2.5, 0.0, -2.0, 0.25]),
                             loss="mse", huber_delta=1.0),
            "update_step": update_case(seed=1, max_grad_norm=10.0),
            "fitted_q_chain": case("dqn.fitted_q_chain", golden=False, **CHAIN),
        }
    return {
        "epsilon_1": epsilon_case(1.0, seed=3),
        "epsilon_0.1_two_actions": epsilon_case(0.1, seed=4, patterns=_f32([[0.0, 1.0], [2.0, -2.0]]), repeats=80),
        "epsilon_ties": epsilon_case(0.0, seed=5, patterns=_f32([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]), repeats=3),
        "schedule_rising": case("dqn.linear_schedule", start=0.0, end=2.0, duration=4, steps=[0, 1, 2, 3, 4, 8]),
        "targets_negative_and_terminal": case(
            "dqn.dqn_targets", rewards=_f32([0.0, -1.0, 1.0, 0.0]), terminated=_f32([1, 0, 1, 0]),
            next_q_values=_f32([[1e3, 2e3], [-5.0, -6.0], [-1e3, 1e3], [-0.5, -0.25]]), gamma=0.99),
        "targets_gamma_0": case("dqn.dqn_targets", rewards=_f32([3.0, -2.0]), terminated=_f32([0, 0]),
                                next_q_values=_f32([[9.0, 1.0], [4.0, 8.0]]), gamma=0.0),
        "targets_single_row": case("dqn.dqn_targets", rewards=_f32([1.5]), terminated=_f32([0]),
                                   next_q_values=_f32([[2.0, -1.0, 4.0]]), gamma=0.5),
        "huber_delta_2": case("dqn.td_loss", q_values=_f32([[0.0, 5.0, 1.0], [2.0, 2.0, -3.0], [1.0, 1.0, 1.0]]),
                              actions=np.array([1, 2, 0]), targets=_f32([0.0, -2.5, 1.5]),
                              loss="huber", huber_delta=2.0),
        "update_step_clipped": update_case(seed=2, max_grad_norm=0.05),
        # update_q_network must pass its loss and huber_delta on: each changes the answer here.
        "update_step_mse": update_case(seed=3, max_grad_norm=10.0, loss="mse"),
        "update_step_huber_delta_2": update_case(seed=4, max_grad_norm=10.0, huber_delta=2.0),
    }


def update_case(seed: int, max_grad_norm: float, loss: str = "huber", huber_delta: float = 1.0) -> dict:
    rng = np.random.default_rng(seed)
    sizes = [3, 5, 2]
    state = {
        "0.weight": _f32(rng.normal(0, 0.5, (5, 3))), "0.bias": _f32(rng.normal(0, 0.1, 5)),
        "2.weight": _f32(rng.normal(0, 0.5, (2, 5))), "2.bias": _f32(rng.normal(0, 0.1, 2)),
    }
    return case("dqn.update_step", sizes=sizes, state=state, observations=_f32(rng.normal(0, 1, (6, 3))),
                actions=rng.integers(0, 2, 6), targets=_f32(rng.normal(1, 2, 6)), learning_rate=0.1,
                loss=loss, huber_delta=huber_delta, max_grad_norm=max_grad_norm)


def double_dqn_cases(visibility: str) -> dict[str, dict]:
    # Online and target disagree on the best action in most rows, and the batch max of a
    # column differs from the row max, so each mix-up gives a different answer.
    online = _f32([[1.0, 3.0, 2.0], [5.0, 1.0, 0.0], [0.0, 0.0, 9.0], [-2.0, -1.0, -3.0]])
    target = _f32([[4.0, 0.5, 1.0], [2.0, 7.0, 1.0], [3.0, 1.0, -1.0], [-6.0, -5.0, -0.5]])
    if visibility == "public":
        return {
            "targets": case("double_dqn.double_dqn_targets", rewards=_f32([1.0, 0.0, -1.0, 0.5]),
                            terminated=_f32([0, 0, 0, 0]), next_q_values_online=online,
                            next_q_values_target=target, gamma=0.9),
            "terminal_rows": case("double_dqn.double_dqn_targets", rewards=_f32([1.0, 0.0, -1.0, 0.5]),
                                  terminated=_f32([1, 0, 1, 0]), next_q_values_online=online,
                                  next_q_values_target=target * 100, gamma=0.9),
            "overestimation": case("double_dqn.overestimation", golden=False, **OVERESTIMATION),
        }
    rng = np.random.default_rng(7)
    big_online = _f32(rng.normal(0, 1, (32, 5)))
    big_target = _f32(rng.normal(0, 1, (32, 5)))
    return {
        "random_batch": case("double_dqn.double_dqn_targets", rewards=_f32(rng.normal(0, 1, 32)),
                             terminated=_f32(rng.random(32) < 0.2), next_q_values_online=big_online,
                             next_q_values_target=big_target, gamma=0.99),
        "single_row": case("double_dqn.double_dqn_targets", rewards=_f32([0.0]), terminated=_f32([0]),
                           next_q_values_online=_f32([[0.0, 1.0]]), next_q_values_target=_f32([[5.0, -5.0]]),
                           gamma=1.0),
    }


def window_case(rewards, terminated, truncated, bootstrap, gamma: float) -> dict:
    return case("n_step.n_step_targets", window_rewards=_f32(rewards), window_terminated=_f32(terminated),
                window_truncated=_f32(truncated), bootstrap_values=_f32(bootstrap), gamma=gamma)


def n_step_cases(visibility: str) -> dict[str, dict]:
    rewards = [[1.0, 2.0, 3.0]] * 5
    bootstrap = [[10.0, 20.0, 30.0]] * 5
    if visibility == "public":
        return {
            # Rows: no end; terminated at k=1; truncated at k=0; terminated at k=2; truncated at k=2.
            "mixed_endings": window_case(
                rewards,
                [[0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1], [0, 0, 0]],
                [[0, 0, 0], [0, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1]],
                bootstrap, gamma=0.5),
            "window_of_one": window_case([[2.0], [2.0]], [[0], [1]], [[0], [0]], [[4.0], [4.0]], gamma=0.9),
            "chain_n1": case("n_step.chain_propagation", golden=False, n=1, **N_STEP_CHAIN),
            "chain_n3": case("n_step.chain_propagation", golden=False, n=3, **N_STEP_CHAIN),
        }
    rng = np.random.default_rng(11)
    terminated = (rng.random((40, 4)) < 0.15).astype(np.float32)
    truncated = ((rng.random((40, 4)) < 0.15) & (terminated == 0)).astype(np.float32)
    return {
        "random_windows": window_case(rng.normal(0, 1, (40, 4)), terminated, truncated,
                                      rng.normal(5, 2, (40, 4)), gamma=0.9),
        "episode_end_then_next_episode": window_case(
            [[1.0, 1.0, 100.0, 100.0], [0.0, 5.0, 100.0, 100.0]], [[0, 1, 0, 0], [0, 0, 0, 0]],
            [[0, 0, 0, 0], [0, 1, 0, 0]], [[7.0, 8.0, 900.0, 900.0], [7.0, 8.0, 900.0, 900.0]], gamma=1.0),
        "gamma_0.99_long_window": window_case(
            np.ones((2, 6)), np.zeros((2, 6)), [[0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0]],
            np.full((2, 6), 50.0), gamma=0.99),
    }


BUILDERS = {"dqn": dqn_cases, "double_dqn": double_dqn_cases, "n_step": n_step_cases}


# -- dqn_loop ---------------------------------------------------------------------------------
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
# Seeds tried in turn by the CartPole check until one solves; see benchmarks/calibration.md
# for the reference's solve rate per seed and hence the check's false-fail rate.
CARTPOLE_SEEDS = [101, 202, 303]
CARTPOLE_REFERENCE_RATE = "46 of 50 seeds in the kit's calibration"

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


def dqn_loop_cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        return {"hard": case("dqn_loop.schedule", golden=False, config=LOOP_HARD),
                "settings": case("dqn_loop.schedule", golden=False, config=LOOP_SETTINGS)}
    return {
        "polyak": case("dqn_loop.schedule", golden=False, config=LOOP_POLYAK),
        "online": case("dqn_loop.schedule", golden=False, config=LOOP_ONLINE),
        "cartpole": case("dqn_loop.learn", golden=False, config=COURSE_CONFIG, seeds=CARTPOLE_SEEDS,
                         timeout=180, reference_rate=CARTPOLE_REFERENCE_RATE),
    }


BUILDERS["dqn_loop"] = dqn_loop_cases

