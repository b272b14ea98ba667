"""Checks of part double_dqn: its targets and the overestimation it removes."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.graders.q_targets import expect_targets, first_match, run
from autograder.graders.support import expect, fail


def check_double_dqn_targets(student, case: dict[str, Any]) -> None:
    args = case["args"]
    rewards, terminated, gamma = args["rewards"], args["terminated"], args["gamma"]
    online, target = args["next_q_values_online"], args["next_q_values_target"]
    rows = np.arange(len(rewards))
    mask = gamma * (1 - terminated)

    def value(network_values: np.ndarray) -> np.ndarray:
        return rewards + mask * network_values

    guesses = {
        "It equals the DQN target: the action must be chosen with the online network "
        "(argmax of next_q_values_online), then evaluated with the target network.":
            value(target.max(axis=1)),
        "Both choosing and evaluating use the online network: evaluate the chosen action with next_q_values_target.":
            value(online.max(axis=1)),
        "Online and target are swapped: choose with the online network, evaluate with the target network.":
            value(online[rows, target.argmax(axis=1)]),
        "The argmax is taken over the batch axis: take it over actions (dim=1).":
            value(target[rows, online.argmax(axis=0)[: len(rows)]]) if online.shape[1] >= len(rows) else None,
        "The terminal mask is missing: where terminated is 1 the target is just the reward.":
            rewards + gamma * target[rows, online.argmax(axis=1)],
        "The mask multiplies the reward too: only the bootstrap is masked.":
            (1 - terminated) * (rewards + gamma * target[rows, online.argmax(axis=1)]),
        "gamma is missing from the bootstrap term.":
            rewards + (1 - terminated) * target[rows, online.argmax(axis=1)],
    }
    expect_targets(run(student, case), case, "double_dqn_targets(...)", lambda v: first_match(v, guesses))


def check_overestimation(student, case: dict[str, Any]) -> None:
    args = case["args"]
    result = run(student, case)
    true_value, margin = args["true_value"], 10 * result["standard_error"]
    expect(result["dqn_mean"] > true_value + 0.3,
           f"Internal check: the max-based target should overestimate here (got {result['dqn_mean']:.3f}).")
    if abs(result["double_mean"] - true_value) > margin:
        hint = ("Its error is not the max's bias, so look for another mistake first (the double_dqn_targets "
                "tests name it).")
        if abs(result["double_mean"] - result["dqn_mean"]) <= margin:
            hint = ("It is as biased as the DQN target: choose a' with the online estimates and evaluate it with "
                    "the target estimates; taking both from one network keeps the bias.")
        fail(f"On Sutton & Barto's maximization-bias example (the true value of (A, left) is {true_value:g}), "
             f"the DQN target averages {result['dqn_mean']:+.3f}: it overestimates, as the lecture says. Your "
             f"double-Q target should be close to {true_value:g} (within ±{margin:.3f}, 10 standard errors), "
             f"but it averages {result['double_mean']:+.3f}. {hint}")


