"""Fixture cases for part double_dqn.

Inputs are small, fixed and chosen so that each common mistake changes the answer: rows
whose best action differs between the online and the target network (double Q mix-ups
show), a terminal row with a large next-state value (a missing mask shows).
"""
from __future__ import annotations

import numpy as np

from autograder.parts._secret_common import case, f32

OVERESTIMATION = {"trials": 4000, "actions": 8, "true_value": -0.1, "noise": 1.0, "samples": 5, "seed": 3}


def cases(visibility: str) -> dict[str, dict]:
    # Online and target disagree on the best action in most rows, and the batch max of a
    # column differs from the row max, so each mix-up gives a different answer.
    online = f32([[1.0, 3.0, 2.0], [5.0, 1.0, 0.0], [0.0, 0.0, 9.0], [-2.0, -1.0, -3.0]])
    target = f32([[4.0, 0.5, 1.0], [2.0, 7.0, 1.0], [3.0, 1.0, -1.0], [-6.0, -5.0, -0.5]])
    if visibility == "public":
        return {
            "targets": case("double_dqn.double_dqn_targets", rewards=f32([1.0, 0.0, -1.0, 0.5]),
                            terminated=f32([0, 0, 0, 0]), next_q_values_online=online,
                            next_q_values_target=target, gamma=0.9),
            "terminal_rows": case("double_dqn.double_dqn_targets", rewards=f32([1.0, 0.0, -1.0, 0.5]),
                                  terminated=f32([1, 0, 1, 0]), next_q_values_online=online,
                                  next_q_values_target=target * 100, gamma=0.9),
            "overestimation": case("double_dqn.overestimation", golden=False, **OVERESTIMATION),
        }
    rng = np.random.default_rng(7)
    big_online = f32(rng.normal(0, 1, (32, 5)))
    big_target = f32(rng.normal(0, 1, (32, 5)))
    return {
        "random_batch": case("double_dqn.double_dqn_targets", rewards=f32(rng.normal(0, 1, 32)),
                             terminated=f32(rng.random(32) < 0.2), next_q_values_online=big_online,
                             next_q_values_target=big_target, gamma=0.99),
        "single_row": case("double_dqn.double_dqn_targets", rewards=f32([0.0]), terminated=f32([0]),
                           next_q_values_online=f32([[0.0, 1.0]]), next_q_values_target=f32([[5.0, -5.0]]),
                           gamma=1.0),
    }


