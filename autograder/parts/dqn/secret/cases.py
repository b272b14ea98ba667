"""Fixture cases for part dqn.

Inputs are small, fixed and chosen so that each common mistake changes the answer: a
terminal row with a large next-state value (a missing mask shows), negative Q-values (a
max started at 0 shows).
"""
from __future__ import annotations

import numpy as np

from autograder.parts._secret_common import case, f32

# Six rows of Q-values over four actions: distinct maxima at different positions, one
# row with all values negative.
EPSILON_PATTERNS = f32([
    [1.0, 2.0, 3.0, 4.0],
    [4.0, 3.0, 2.0, 1.0],
    [0.0, 5.0, 0.0, 0.0],
    [-3.0, -1.0, -2.0, -4.0],
    [0.5, 0.25, 0.75, 0.0],
    [10.0, -10.0, 9.0, 0.0],
])
COPIES = 100  # rows per pattern, so each call samples every pattern many times


CHAIN = {"states": 5, "gamma": 0.9, "iterations": 60, "inner_steps": 10, "learning_rate": 2.5}


def epsilon_case(epsilon: float, seed: int, patterns: np.ndarray = EPSILON_PATTERNS, repeats: int = 50) -> dict:
    spec = case("dqn.epsilon_greedy_counts", golden=False, q_values=np.repeat(patterns, COPIES, axis=0),
                epsilon=epsilon, seed=seed, repeats=repeats)
    spec["patterns"] = patterns
    return spec


def cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        return {
            "epsilon_0.3": epsilon_case(0.3, seed=1),
            "epsilon_0": epsilon_case(0.0, seed=2, repeats=3),
            "schedule": case("dqn.linear_schedule", start=1.0, end=0.05, duration=10,
                             steps=[0, 1, 5, 9, 10, 11, 1000]),
            "targets": case("dqn.dqn_targets", rewards=f32([1.0, 0.0, -1.0, 2.0, 0.5]),
                            terminated=f32([0, 0, 1, 0, 1]),
                            next_q_values=f32([[1, 2, 3], [-1, -2, -0.5], [100, 50, 7], [0, 0, 0], [-4, 8, 2]]),
                            gamma=0.9),
            "huber_loss": case("dqn.td_loss", q_values=f32([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0], [0.0, 0.0]]),
                               actions=np.array([1, 0, 0, 1]), targets=f32([2.5, 0.0, -2.0, 0.25]),
                               loss="huber", huber_delta=1.0),
            "mse_loss": case("dqn.td_loss", q_values=f32([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0], [0.0, 0.0]]),
                             actions=np.array([1, 0, 0, 1]), targets=f32([2.5, 0.0, -2.0, 0.25]),
                             loss="mse", huber_delta=1.0),
            "update_step": update_case(seed=1, max_grad_norm=10.0),
            "fitted_q_chain": case("dqn.fitted_q_chain", golden=False, **CHAIN),
        }
    return {
        "epsilon_1": epsilon_case(1.0, seed=3),
        "epsilon_0.1_two_actions": epsilon_case(0.1, seed=4, patterns=f32([[0.0, 1.0], [2.0, -2.0]]), repeats=80),
        "epsilon_ties": epsilon_case(0.0, seed=5, patterns=f32([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]), repeats=3),
        "schedule_rising": case("dqn.linear_schedule", start=0.0, end=2.0, duration=4, steps=[0, 1, 2, 3, 4, 8]),
        "targets_negative_and_terminal": case(
            "dqn.dqn_targets", rewards=f32([0.0, -1.0, 1.0, 0.0]), terminated=f32([1, 0, 1, 0]),
            next_q_values=f32([[1e3, 2e3], [-5.0, -6.0], [-1e3, 1e3], [-0.5, -0.25]]), gamma=0.99),
        "targets_gamma_0": case("dqn.dqn_targets", rewards=f32([3.0, -2.0]), terminated=f32([0, 0]),
                                next_q_values=f32([[9.0, 1.0], [4.0, 8.0]]), gamma=0.0),
        "targets_single_row": case("dqn.dqn_targets", rewards=f32([1.5]), terminated=f32([0]),
                                   next_q_values=f32([[2.0, -1.0, 4.0]]), gamma=0.5),
        "huber_delta_2": case("dqn.td_loss", q_values=f32([[0.0, 5.0, 1.0], [2.0, 2.0, -3.0], [1.0, 1.0, 1.0]]),
                              actions=np.array([1, 2, 0]), targets=f32([0.0, -2.5, 1.5]),
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
        "0.weight": f32(rng.normal(0, 0.5, (5, 3))), "0.bias": f32(rng.normal(0, 0.1, 5)),
        "2.weight": f32(rng.normal(0, 0.5, (2, 5))), "2.bias": f32(rng.normal(0, 0.1, 2)),
    }
    return case("dqn.update_step", sizes=sizes, state=state, observations=f32(rng.normal(0, 1, (6, 3))),
                actions=rng.integers(0, 2, 6), targets=f32(rng.normal(1, 2, 6)), learning_rate=0.1,
                loss=loss, huber_delta=huber_delta, max_grad_norm=max_grad_norm)



