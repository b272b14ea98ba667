"""Part "cem": the max over a continuous action by the cross-entropy method.

Lecture: "Q-learning with stochastic optimization" (lecture_notes/07_continuous_actions.md).
Random shooting spends its whole budget on one blind guess. The cross-entropy method (CEM)
spends it in rounds and moves the sampling distribution towards the good actions: for each
observation, starting from a wide Gaussian over the action box,

    repeat `iterations` times:
        sample M actions  a_1 .. a_M ~ N(mean, diag(std^2)), clipped to [low, high]
        evaluate Q(s, a_m) for all of them (one batched call)
        elites = the num_elites samples with the largest Q
        mean, std = mean and standard deviation of the elites  (std >= min_std)

and return the best sample seen in any round. Each observation runs its own search; the
B * M pairs of a round still go through the critic in one call.

Your task: fill in the ``TODO(student)`` blocks. Check yourself with
    python -m autograder check cem
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from dqkit.checks import check_action_bounds, check_cem_args, check_generator, check_observations

QFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""A critic: observations float32 [N, obs_dim] and actions float32 [N, A] -> Q float32 [N]."""


@torch.no_grad()  # a maximizer only reads the critic: no autograd graph over B * M rows
def cem_argmax(q_function: QFunction, observations: torch.Tensor, low, high, rng: np.random.Generator,
               num_samples: int = 64, num_elites: int = 6, iterations: int = 3,
               initial_std=None, min_std: float = 1e-2) -> tuple[torch.Tensor, torch.Tensor]:
    """Approximate argmax_a Q(s, a) for each observation with the cross-entropy method.

    Args:
        q_function: the critic, called once per iteration: observations float32
            [B * M, obs_dim] and actions float32 [B * M, A] -> float32 [B * M].
        observations: float32 [B, obs_dim].
        low, high: float32 [A], the action box (tensors or arrays); low < high.
        rng: numpy Generator: every random number comes from it (not np.random, not torch).
        num_samples: M, actions sampled per observation and iteration.
        num_elites: K <= M, how many of the best samples the Gaussian is refit to.
        iterations: rounds of sample, evaluate, refit (one q_function call each).
        initial_std: std of the first round, a number or float32 [A]; None means
            (high - low) / 2. The first mean is the box's centre (low + high) / 2.
        min_std: floor of the refit std, so the search never collapses onto one point.

    The refit std is the elites' standard deviation in each action dimension: the
    maximum-likelihood fit divides by K (``correction=0``); dividing by K - 1 (torch's
    default) is accepted too.

    Returns:
        actions: float32 [B, A], the best sample seen in any iteration, inside [low, high].
        values: float32 [B], Q(s_b, actions[b]) as q_function returned it.
    """
    low, high = check_action_bounds(low, high)
    batch_size = check_observations(observations)
    check_generator(rng)
    std0 = check_cem_args(num_samples, num_elites, iterations, initial_std, min_std, low, high)
    action_dim = low.shape[0]
    # One search per observation: mean and std are [B, A], all starting from the same wide Gaussian.
    mean = ((low + high) / 2).repeat(batch_size, 1)
    std = std0.repeat(batch_size, 1)
    best_actions = mean.clone()
    best_values = torch.full((batch_size,), -torch.inf)
    for _ in range(iterations):
        # Clip, do not resample: every sample stays legal, and when the optimum lies on the
        # boundary the clipped samples pile up right there.
        # TODO(student): draw samples [B, M, A] from N(mean, std^2) with rng, clip them to [low, high], and evaluate all B*M pairs in one q_function call (values [B, M])
        raise NotImplementedError("cem: draw samples [B, M, A] from N(mean, std^2) with rng, clip them to [low, high], and evaluate all B*M pairs in one q_function call (values [B, M])")
        # A later round can do worse than an earlier one (say, zooming into a local maximum).
        # TODO(student): keep, per observation, the best sample seen so far and its value (best_actions, best_values)
        raise NotImplementedError("cem: keep, per observation, the best sample seen so far and its value (best_actions, best_values)")
        # Without the floor, elites that coincide (e.g. all clipped onto one corner) give
        # std = 0, and every later round samples that single point again.
        # TODO(student): take the num_elites samples with the largest values per observation and refit mean and std to them, std floored at min_std
        raise NotImplementedError("cem: take the num_elites samples with the largest values per observation and refit mean and std to them, std floored at min_std")
    return best_actions, best_values
