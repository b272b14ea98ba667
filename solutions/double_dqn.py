"""Part "double_dqn": double Q-learning targets.

Lecture: "Overestimation in Q-learning", "Double Q-learning" and "Double Q-learning in
practice" (lecture_notes/05_double_q_learning.md). The max in the DQN target,
``max_a' Q_target(s', a')``, picks whichever action's estimate happens to be too high, so
on average it overestimates. Double Q-learning decouples choosing the action from
evaluating it: the online network chooses, the target network evaluates,

    y = r + gamma * (1 - terminated) * Q_target(s', argmax_a' Q_online(s', a')).

Your task: fill in the ``TODO(student)`` block. Check yourself with
    python -m autograder check double_dqn
"""
from __future__ import annotations

import torch

from dqkit.checks import check_gamma, check_same_batch


def double_dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor,
                       next_q_values_online: torch.Tensor, next_q_values_target: torch.Tensor,
                       gamma: float) -> torch.Tensor:
    """Double Q-learning targets: the online network picks a', the target network scores it.

    Args:
        rewards: float32 [B].
        terminated: float32 [B], 1.0 where s' is terminal.
        next_q_values_online: float32 [B, A], Q_online(s', .): used only to choose a'.
        next_q_values_target: float32 [B, A], Q_target(s', .): used only to evaluate a'.
        gamma: discount in [0, 1].

    Returns:
        float32 [B], no autograd graph.
    """
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated,
                     next_q_values_online=next_q_values_online,
                     next_q_values_target=next_q_values_target)
    ### BEGIN SOLUTION: choose a' per row with the online values, evaluate it with the target values, then mask, discount and add the reward; detach
    best_actions = next_q_values_online.detach().argmax(dim=1, keepdim=True)
    next_values = next_q_values_target.detach().gather(1, best_actions).squeeze(1)
    return rewards + gamma * (1.0 - terminated) * next_values
    ### END SOLUTION
