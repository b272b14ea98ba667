"""Part "n_step": N-step Q-learning targets.

Lecture: "Multi-step returns" and "Q-learning with N-step returns"
(lecture_notes/06_n_step_returns.md). Instead of one reward and a bootstrap from the next
state, sum up to N rewards of the stored trajectory and bootstrap from the state after
them:

    y = r_0 + gamma r_1 + ... + gamma^(m-1) r_(m-1) + gamma^m (1 - terminated) V(s_m),

where m <= N is the number of rewards summed. The sum stops early where the episode
ended: at a termination the bootstrap is dropped (there is no future), at a truncation
(time limit) it is kept, from that transition's next state. With V from the target
network this has less bias when Q is still poor and spreads reward N steps back per
update; it is only exact for on-policy data (the notes say what is done about that).

Your task: fill in the ``TODO(student)`` block. Check yourself with
    python -m autograder check n_step
"""
from __future__ import annotations

import torch

from dqkit.checks import check_gamma, check_same_batch


def n_step_targets(window_rewards: torch.Tensor, window_terminated: torch.Tensor,
                   window_truncated: torch.Tensor, bootstrap_values: torch.Tensor,
                   gamma: float) -> torch.Tensor:
    """N-step targets for a batch of windows of N consecutive stored transitions.

    Row b of each argument describes transitions k = 0 .. N-1 that follow each other in
    the buffer, starting at the sampled one. Only the transitions up to and including the
    first one whose episode ended (terminated or truncated) belong to the sampled
    episode; the rest of the window must be ignored.

    Args:
        window_rewards: float32 [B, N], r_k.
        window_terminated: float32 [B, N], 1.0 where transition k reached a terminal state.
        window_truncated: float32 [B, N], 1.0 where transition k was cut by a time limit
            (or is the newest transition stored: nothing follows it yet).
        bootstrap_values: float32 [B, N], the value estimate of the next state of
            transition k (e.g. max_a' Q_target(s_(k+1), a'), or the double-Q estimate).
        gamma: discount in [0, 1].

    Returns:
        float32 [B], no autograd graph. With m the number of rewards summed (the first
        ended transition's index + 1, or N if none ended):
        sum_(k<m) gamma^k r_k + gamma^m * (1 - terminated_(m-1)) * bootstrap_values[:, m-1].
    """
    check_gamma(gamma)
    check_same_batch(window_rewards=window_rewards, window_terminated=window_terminated,
                     window_truncated=window_truncated, bootstrap_values=bootstrap_values)
    ### BEGIN SOLUTION: find m per row (where the episode first ended), sum the discounted rewards up to it, and add gamma^m times the bootstrap unless that transition terminated; detach
    window = window_rewards.shape[1]
    ended = (window_terminated + window_truncated) > 0
    # A position is part of the sampled episode if no earlier position ended it.
    ended_before = (torch.cumsum(ended.long(), dim=1) - ended.long()) > 0
    included = (~ended_before).to(window_rewards.dtype)
    discounts = gamma ** torch.arange(window, dtype=window_rewards.dtype)
    returns = (window_rewards * discounts * included).sum(dim=1)
    last = included.sum(dim=1).long() - 1  # index m - 1 of the last reward summed
    not_terminal = 1.0 - window_terminated.gather(1, last.unsqueeze(1)).squeeze(1)
    bootstrap = bootstrap_values.detach().gather(1, last.unsqueeze(1)).squeeze(1)
    return (returns + gamma ** (last + 1).to(window_rewards.dtype) * not_terminal * bootstrap).detach()
    ### END SOLUTION
