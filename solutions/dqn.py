"""Part "dqn": the pieces of the deep Q-learning update.

Lecture: "'Classic' deep Q-learning algorithm (DQN)" and the practical tips
(lecture_notes/04_dqn.md). One DQN update, for a minibatch of transitions (s, a, r, s'):

    targets  y = r + gamma * (1 - terminated) * max_a' Q_target(s', a')   (no gradient)
    loss       = mean over the batch of  huber(Q(s, a) - y)
    one gradient step on the loss, with the gradient norm clipped.

Acting uses epsilon-greedy exploration with epsilon decaying linearly from high to low.

Your task: fill in the ``TODO(student)`` blocks. Check yourself with
    python -m autograder check dqn
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dqkit.checks import check_epsilon, check_gamma, check_same_batch


def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> torch.Tensor:
    """Pick one action per row: a uniformly random action with probability ``epsilon``,
    otherwise the greedy one (argmax of the row; ties broken any way you like).

    Args:
        q_values: float32 [B, A], Q(s, .) for a batch of B states.
        epsilon: exploration probability in [0, 1].
        rng: numpy Generator: every random draw comes from it (not np.random, not torch).

    Returns:
        int64 tensor [B] of actions in 0 .. A-1.
    """
    check_epsilon(epsilon)
    ### BEGIN SOLUTION: draw, per row, whether to explore; explorers get a uniformly random action, the others the argmax
    batch_size, num_actions = q_values.shape
    greedy = q_values.argmax(dim=1).cpu().numpy()
    random_actions = rng.integers(0, num_actions, size=batch_size)
    explore = rng.random(batch_size) < epsilon
    return torch.as_tensor(np.where(explore, random_actions, greedy), dtype=torch.int64)
    ### END SOLUTION


def linear_schedule(start: float, end: float, duration: int, step: int) -> float:
    """A value that moves linearly from ``start`` (at step 0) to ``end`` (at step
    ``duration``) and stays at ``end`` afterwards. Used for epsilon and the learning rate.

    Args:
        start: value at step 0.
        end: value from step ``duration`` on.
        duration: number of steps the change takes (> 0).
        step: the current step (>= 0).
    """
    if duration <= 0 or step < 0:
        raise ValueError(f"need duration > 0 and step >= 0, got duration={duration}, step={step}")
    ### BEGIN SOLUTION: interpolate between start and end by the fraction of duration elapsed, capped at 1
    fraction = min(step / duration, 1.0)
    return start + fraction * (end - start)
    ### END SOLUTION


def dqn_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_q_values: torch.Tensor,
                gamma: float) -> torch.Tensor:
    """The one-step Q-learning targets ``r + gamma * (1 - terminated) * max_a' Q_target(s', a')``.

    No gradient flows through a target: the result is detached from any graph, even if
    ``next_q_values`` carries one.

    Args:
        rewards: float32 [B].
        terminated: float32 [B], 1.0 where s' is terminal (then the target is just r).
        next_q_values: float32 [B, A], Q_target(s', .) from the target network.
        gamma: discount in [0, 1].

    Returns:
        float32 [B], no autograd graph.
    """
    check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_q_values=next_q_values)
    ### BEGIN SOLUTION: take the max over actions of next_q_values, mask it with (1 - terminated), discount, add the reward; detach
    next_values = next_q_values.detach().max(dim=1).values
    return rewards + gamma * (1.0 - terminated) * next_values
    ### END SOLUTION


def td_loss(q_values: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
            loss: str = "huber", huber_delta: float = 1.0) -> torch.Tensor:
    """The regression loss between Q(s, a) of the taken actions and the targets.

    ``huber``: mean of 0.5 * d**2 where |d| <= delta, delta * (|d| - 0.5 * delta) elsewhere,
    with d = Q(s, a) - y; its gradient never exceeds delta in size, so one large TD error
    cannot blow up a step. ``mse``: mean of d**2.

    Args:
        q_values: float32 [B, A], Q(s, .) from the online network (with its graph).
        actions: int64 [B], the actions taken.
        targets: float32 [B], the targets y (no graph).
        loss: "huber" or "mse".
        huber_delta: where the Huber loss turns from quadratic to linear (> 0).

    Returns:
        A float32 scalar tensor (0-dimensional), differentiable with respect to q_values.
    """
    if loss not in ("huber", "mse"):
        raise ValueError(f"loss must be 'huber' or 'mse', got {loss!r}")
    if huber_delta <= 0:
        raise ValueError(f"huber_delta must be positive, got {huber_delta}")
    check_same_batch(q_values=q_values, actions=actions, targets=targets)
    ### BEGIN SOLUTION: pick Q(s, a) of the taken actions (shape [B]), then average the chosen loss of Q(s, a) - y
    taken = q_values.gather(1, actions.long().unsqueeze(1)).squeeze(1)
    if loss == "mse":
        return torch.mean((taken - targets) ** 2)
    return nn.functional.huber_loss(taken, targets, delta=huber_delta)
    ### END SOLUTION


def update_q_network(q_network: nn.Module, optimizer: torch.optim.Optimizer,
                     observations: torch.Tensor, actions: torch.Tensor, targets: torch.Tensor,
                     loss: str = "huber", huber_delta: float = 1.0,
                     max_grad_norm: float = 10.0) -> dict[str, float]:
    """One gradient step of Q-regression towards fixed targets.

    Args:
        q_network: the online Q-network, observations [B, obs_dim] -> [B, A].
        optimizer: the optimizer over q_network's parameters.
        observations: float32 [B, obs_dim].
        actions: int64 [B].
        targets: float32 [B], computed beforehand (dqn_targets or a variant), no graph.
        loss, huber_delta: see td_loss.
        max_grad_norm: the gradient's global L2 norm is clipped to this before the step.

    Returns:
        Stats of this step: ``losses/td_loss`` (the loss before the step),
        ``losses/q_values`` (mean Q(s, a) of the taken actions), ``losses/targets`` (mean
        target) and ``losses/grad_norm`` (the gradient norm before clipping).
    """
    ### BEGIN SOLUTION: compute Q(s, .) for the observations and the TD loss against the targets
    q_values = q_network(observations)
    loss_value = td_loss(q_values, actions, targets, loss, huber_delta)
    ### END SOLUTION
    optimizer.zero_grad()
    loss_value.backward()
    grad_norm = nn.utils.clip_grad_norm_(q_network.parameters(), max_grad_norm)
    optimizer.step()
    with torch.no_grad():
        taken = q_values.gather(1, actions.long().unsqueeze(1))
    return {
        "losses/td_loss": float(loss_value.detach()),
        "losses/q_values": float(taken.mean()),
        "losses/targets": float(targets.mean()),
        "losses/grad_norm": float(grad_norm),
    }
