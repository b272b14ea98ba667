"""Part "sampled_q" (a correct alternative: bootstrap weights computed first, addcmul, MSELoss module).

Lecture: "Q-learning with stochastic optimization" (lecture_notes/07_continuous_actions.md).
Your random_shooting and cem parts approximate max_a Q(s, a) over a box of actions. Here
they take the place of the two maxima of Q-learning, as in QT-Opt (Kalashnikov et al.,
2018), with a critic Q_phi(s, a) and its target copy Q_phi':

    acting:   a = argmax_a Q_phi(s, a) + Gaussian noise, clipped to [low, high]
    target:   y = r + gamma * (1 - terminated) * max_a' Q_phi'(s', a')     (no gradient)
    loss    = mean over the batch of (Q_phi(s, a) - y)^2
    then one gradient step on phi and the Polyak update  phi' <- tau * phi + (1 - tau) * phi'.

Both maxima go through ``maximize`` below, which calls your ``cem_argmax`` (or your
``random_shooting``, a setting). Call it by that name: the grader swaps in a stand-in
maximizer whose answer it knows, so these tests judge this part even while cem is
unfinished. A target costs B * M * iterations critic evaluations, where DQN's cost one
forward pass of B rows: that price is why the sample counts stay small.

Your task: fill in the ``TODO(student)`` blocks. Check yourself with
    python -m autograder check sampled_q"""
import copy
import numpy as np
import torch
from torch import nn
from dqkit.batch import Batch
from dqkit.checks import check_action_bounds, check_gamma, check_generator, check_observations, check_per_transition, check_same_batch
from target_network import polyak_update


def sampled_targets(rewards: torch.Tensor, terminated: torch.Tensor, next_observations: torch.Tensor,
                    target_critic, low, high, rng: np.random.Generator, gamma: float,
                    maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    """The targets ``r + gamma * (1 - terminated) * max_a' Q_target(s', a')``, the max over
    the action box approximated by ``maximize`` on the TARGET critic.

    No gradient flows through a target: the result carries no autograd graph.

    Args:
        rewards: float32 [B].
        terminated: float32 [B], 1.0 where s' is terminal (then the target is just r).
        next_observations: float32 [B, obs_dim], the states s'.
        target_critic: the target critic Q_phi', (observations, actions) -> float32 [N].
        low, high: float32 [A], the action box.
        rng: numpy Generator for the maximizer.
        gamma: discount in [0, 1].
        maximizer: passed on to ``maximize``.

    Returns:
        float32 [B], no autograd graph.
    """
    gamma = check_gamma(gamma)
    check_same_batch(rewards=rewards, terminated=terminated, next_observations=next_observations)
    check_observations(next_observations)
    ### BEGIN SOLUTION: approximate max_a' Q_target(s', a') with maximize on target_critic at next_observations, mask it with (1 - terminated), discount, add the reward (no gradient)
    discounts = gamma * (1.0 - terminated)  # [B]: 0 where s' is terminal
    with torch.no_grad():
        _, max_next = maximize(target_critic, next_observations, low, high, rng, maximizer)
        return torch.addcmul(rewards, discounts, max_next)


def choose_actions(critic, observations: torch.Tensor, low, high, rng: np.random.Generator,
                   exploration_std: float, maximizer: Maximizer = Maximizer()) -> torch.Tensor:
    """Exploring actions: the maximizer's action on ``critic`` plus Gaussian noise,
    clipped to the box.

    The noise of action dimension j has standard deviation
    ``exploration_std * (high[j] - low[j]) / 2``: exploration_std is a fraction of the
    box's half-width, so one setting suits any box. ``exploration_std = 0`` is the greedy
    action. All randomness (maximizer and noise) comes from ``rng``.

    Args:
        critic: the online critic Q_phi, (observations, actions) -> float32 [N].
        observations: float32 [E, obs_dim].
        low, high: float32 [A], the action box.
        rng: numpy Generator (not np.random, not torch).
        exploration_std: noise scale >= 0, in half-widths of the box.
        maximizer: passed on to ``maximize``.

    Returns:
        float32 [E, A], inside [low, high].
    """
    low, high = check_action_bounds(low, high)
    check_observations(observations)
    check_generator(rng)
    if isinstance(exploration_std, bool) or not isinstance(exploration_std, (int, float)) or not exploration_std >= 0:
        raise ValueError(f"exploration_std must be a number >= 0, got {exploration_std!r}")
    # Clip after adding the noise: near the edge of the box the optimum is often on it
    # (full torque), and clipped noise keeps those actions legal without moving the mean inward.
    ### BEGIN SOLUTION: take the maximizer's action on critic for each observation, add noise rng.standard_normal * exploration_std * (high - low) / 2 (float32), and clip to [low, high]
    best_actions, _ = maximize(critic, observations, low, high, rng, maximizer)
    if exploration_std == 0:
        rng.standard_normal(tuple(best_actions.shape))  # keep the stream aligned with the exploring case
        return best_actions.clamp(low, high)
    sigma = exploration_std * 0.5 * (high - low)
    perturbed = best_actions + sigma * torch.tensor(rng.standard_normal(tuple(best_actions.shape)),
                                                    dtype=torch.float32)
    return perturbed.clamp(min=low, max=high)


def update_critic(critic: nn.Module, target_critic: nn.Module, optimizer: torch.optim.Optimizer,
                  batch: Batch, low, high, rng: np.random.Generator, gamma: float, tau: float,
                  maximizer: Maximizer = Maximizer(), max_grad_norm: float = 10.0) -> dict[str, float]:
    """One gradient step of the critic towards sampled targets, then the target update.

    Args:
        critic: the online critic Q_phi, (observations, actions) -> float32 [B].
        target_critic: its target copy Q_phi' (same architecture).
        optimizer: the optimizer over critic's parameters.
        batch: a ``Batch`` with continuous actions float32 [B, A].
        low, high: float32 [A], the action box.
        rng: numpy Generator for the maximizer.
        gamma: discount in [0, 1].
        tau: Polyak weight on the ONLINE critic (1 is a hard copy).
        maximizer: passed on to ``sampled_targets``.
        max_grad_norm: the gradient's global L2 norm is clipped to this before the step.

    Returns:
        Stats of this step: ``losses/critic_loss`` (the loss before the step),
        ``losses/q_values`` (mean Q(s, a) of the stored actions), ``losses/targets`` (mean
        target) and ``losses/grad_norm`` (the gradient norm before clipping).
    """
    ### BEGIN SOLUTION: compute the targets with sampled_targets (target critic, next observations), q_values = critic(observations, actions) [B], and the mean squared error between them
    targets = sampled_targets(batch.rewards, batch.terminated, batch.next_observations, target_critic, low, high,
                              rng, gamma, maximizer)
    q_values = critic(batch.observations, batch.actions)
    loss = nn.MSELoss()(q_values, targets)
    ### END SOLUTION
    # A [B, 1] next to a [B] broadcasts into a [B, B] loss that still trains, badly.
    check_per_transition(batch.rewards.shape[0], q_values=q_values, targets=targets)
    optimizer.zero_grad()
    loss.backward()
    grad_norm = nn.utils.clip_grad_norm_(critic.parameters(), max_grad_norm)
    optimizer.step()
    # After the step, so the target moves towards the critic just improved.
    ### BEGIN SOLUTION: move target_critic towards critic with your polyak_update (tau is the weight on the online critic)
    polyak_update(target_critic, online_network=critic, tau=float(tau))
    ### END SOLUTION
    return {
        "losses/critic_loss": float(loss.detach()),
        "losses/q_values": float(q_values.detach().mean()),
        "losses/targets": float(targets.detach().mean()),
        "losses/grad_norm": float(grad_norm),
    }
