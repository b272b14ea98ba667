"""Part "random_shooting": the max over a continuous action, by sampling.

Lecture: "Q-learning with continuous actions" and "Q-learning with stochastic
optimization" (lecture_notes/07_continuous_actions.md). The target
r + gamma * max_a' Q(s', a') and the greedy action argmax_a Q(s, a) both need a max over
actions. With a box of continuous actions there is no list to scan, so approximate it:
draw M actions uniformly in the box and keep the best,

    max_a Q(s, a)  ~=  max { Q(s, a_1), ..., Q(s, a_M) },   a_1 .. a_M ~ Uniform[low, high].

All B observations are handled at once: the B * M (observation, action) pairs go through
the critic in one batched call, which costs about as much as one forward pass.

Your task: fill in the ``TODO(student)`` block. Check yourself with
    python -m autograder check random_shooting
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from dqkit.checks import check_action_bounds, check_count, check_generator, check_observations

QFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""A critic: observations float32 [N, obs_dim] and actions float32 [N, A] -> Q float32 [N]."""


@torch.no_grad()  # a maximizer only reads the critic: no autograd graph over B * M rows
def random_shooting(q_function: QFunction, observations: torch.Tensor, low, high,
                    num_samples: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Approximate argmax_a Q(s, a) for each observation by the best of ``num_samples``
    uniformly random actions.

    Observation b gets its own M samples, evaluated with observation b only. All B * M pairs
    are evaluated in a single ``q_function`` call of B * M rows (row k pairs an observation
    with one of its samples; the order is up to you, as long as the two arguments line up).

    Args:
        q_function: the critic, called once: observations float32 [B * M, obs_dim] and
            actions float32 [B * M, A] -> float32 [B * M].
        observations: float32 [B, obs_dim].
        low, high: float32 [A], the action box (tensors or arrays such as
            ``env.action_space.low``); low < high in every dimension.
        num_samples: M, the number of actions tried per observation.
        rng: numpy Generator: every random number comes from it (not np.random, not torch).

    Returns:
        actions: float32 [B, A], the best sample of each observation, inside [low, high].
        values: float32 [B], Q(s_b, actions[b]) as q_function returned it.
    """
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    num_samples = check_count(num_samples, "num_samples")
    check_generator(rng)
    action_dim = low.shape[0]
    # q_function reads its two arguments row by row: row k of the observations and row k of
    # the actions must be one observation and one of *its* samples (the note's table shows
    # how repeat and repeat_interleave order the rows).
    # TODO(student): draw uniform samples [B, M, A] in [low, high] from rng (float32), evaluate all B*M pairs in one q_function call with each observation repeated M times, and return each observation's best sample and its value
    raise NotImplementedError("random_shooting: draw uniform samples [B, M, A] in [low, high] from rng (float32), evaluate all B*M pairs in one q_function call with each observation repeated M times, and return each observation's best sample and its value")
