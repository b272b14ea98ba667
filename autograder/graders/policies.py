"""The grader's own measurement of a trained agent (``autograder/shared/policies.py``), with
parameters that do not fit the kit's network reported as a failed check."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograder.graders.support import fail
from autograder.shared import policies
from autograder.shared.policies import NETWORK_KEYS, evaluation_seed

__all__ = ["NETWORK_KEYS", "evaluation_seed", "greedy_policy", "greedy_return"]


def greedy_policy(part: str, config: dict[str, Any], state: Any) -> Callable[[np.ndarray], np.ndarray]:
    try:
        return policies.greedy_policy(part, config, state)
    except policies.NotTheKitsNetwork as problem:
        fail(str(problem))


def greedy_return(part: str, config: dict[str, Any], seed: int, state: Any) -> float:
    try:
        return policies.greedy_return(part, config, seed, state)
    except policies.NotTheKitsNetwork as problem:
        fail(str(problem))
