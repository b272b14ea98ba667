"""Fixture cases for part n_step.

Inputs are small, fixed and chosen so that each common mistake changes the answer:
windows that run past an episode's end, by termination or by truncation.
"""
from __future__ import annotations

import numpy as np

from autograder.parts._secret_common import case, f32

N_STEP_CHAIN = {"states": 8, "gamma": 0.9, "iterations": 12}


def window_case(rewards, terminated, truncated, bootstrap, gamma: float) -> dict:
    return case("n_step.n_step_targets", window_rewards=f32(rewards), window_terminated=f32(terminated),
                window_truncated=f32(truncated), bootstrap_values=f32(bootstrap), gamma=gamma)


def cases(visibility: str) -> dict[str, dict]:
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


