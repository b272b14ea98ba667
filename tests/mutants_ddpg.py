"""Realistic bugs in part "ddpg" (the format is explained in tests/mutants.py)."""
from __future__ import annotations

from tests.mutants import Mutant

TARGETS_RETURN = "return rewards + gamma * (1.0 - terminated) * next_q_values"
NOISE_DRAW = "rng.standard_normal((batch_size, low.shape[0]))"
NOISY_RETURN = "return torch.clamp(actions + noise_std * noise, low, high)"
TARGETS_CALL = "target_actor, target_critic, gamma)"
ACTOR_LOSS_CALL = "actor_loss_value = actor_loss(actor, critic, batch.observations)"
POLYAK_CALLS = "polyak_update(target_critic, critic, tau)\n    polyak_update(target_actor, actor, tau)"

MUTANTS: list[Mutant] = [
    # -- targets
    Mutant("no_terminal_mask", "ddpg", "bootstraps from terminal states too",
           ((TARGETS_RETURN, "return rewards + gamma * next_q_values"),),
           r"terminal mask is missing"),
    Mutant("mask_on_reward", "ddpg", "multiplies the whole target, reward included, by (1 - terminated)",
           ((TARGETS_RETURN, "return (1.0 - terminated) * (rewards + gamma * next_q_values)"),),
           r"mask multiplies the reward too"),
    Mutant("gradient_through_target", "ddpg", "computes the targets without torch.no_grad()",
           (("    with torch.no_grad():\n        next_q_values", "    if True:\n        next_q_values"),),
           r"requires grad: a gradient would flow through the target"),
    Mutant("targets_as_column", "ddpg", "returns the targets as a [B, 1] column",
           ((TARGETS_RETURN, "return (rewards + gamma * (1.0 - terminated) * next_q_values).unsqueeze(1)"),),
           r"has shape \[\d+, 1\]; expected \[\d+\]"),
    Mutant("targets_with_online_actor", "ddpg", "passes the online actor to ddpg_targets",
           ((TARGETS_CALL, "actor, target_critic, gamma)"),),
           r"online actor on the next observations"),
    Mutant("targets_with_online_critic", "ddpg", "passes the online critic to ddpg_targets",
           ((TARGETS_CALL, "target_actor, critic, gamma)"),),
           r"online critic on the next observations"),
    # -- losses
    Mutant("critic_loss_column_broadcast", "ddpg", "compares Q(s, a) as a [B, 1] column with the [B] targets",
           (("return torch.mean((q_values - targets) ** 2)", "return torch.mean((q_values.unsqueeze(1) - targets) ** 2)"),),
           r"broadcasts\s+to \[B, B\]"),
    Mutant("critic_loss_summed", "ddpg", "sums the squared errors over the batch",
           (("return torch.mean((q_values - targets) ** 2)", "return torch.sum((q_values - targets) ** 2)"),),
           r"sum over the batch: use the mean"),
    Mutant("actor_loss_sign_flipped", "ddpg", "minimizes +Q(s, mu(s)) instead of -Q(s, mu(s))",
           (("return -critic(observations, actor(observations)).mean()",
             "return critic(observations, actor(observations)).mean()"),),
           r"the sign is flipped"),
    Mutant("actor_loss_detached_action", "ddpg", "detaches the actor's action inside the actor's loss",
           (("return -critic(observations, actor(observations)).mean()",
             "return -critic(observations, actor(observations).detach()).mean()"),),
           r"without a gradient with respect to the actor's parameters"),
    # -- update
    Mutant("critic_stepped_in_actor_step", "ddpg", "also steps the critic's optimizer after the actor's backward",
           (("    actor_optimizer.step()\n", "    actor_optimizer.step()\n    critic_optimizer.step()\n"),),
           r"critic_optimizer\.step\(\) ran again after the actor's loss"),
    Mutant("actor_loss_at_buffer_actions", "ddpg", "evaluates the actor's loss at the batch's actions instead of mu(s)",
           ((ACTOR_LOSS_CALL, "actor_loss_value = -critic(batch.observations, batch.actions).mean()"),),
           r"critic at the batch's actions"),
    Mutant("critic_grads_not_zeroed", "ddpg", "never zeroes the critic's gradients, so the actor's leftovers add up",
           (("    critic_optimizer.zero_grad()\n", ""),),
           r"gradients left over from the previous update"),
    Mutant("tau_on_wrong_side", "ddpg", "passes 1 - tau to polyak_update",
           ((POLYAK_CALLS, "polyak_update(target_critic, critic, 1 - tau)\n    polyak_update(target_actor, actor, 1 - tau)"),),
           r"tau is on the wrong side"),
    Mutant("polyak_arguments_swapped", "ddpg", "calls polyak_update(online, target, tau)",
           ((POLYAK_CALLS, "polyak_update(critic, target_critic, tau)\n    polyak_update(actor, target_actor, tau)"),),
           r"online network first"),
    Mutant("target_critic_never_updated", "ddpg", "updates only the target actor",
           ((POLYAK_CALLS, "polyak_update(target_actor, actor, tau)"),),
           r"target_critic.*It was not updated"),
    # -- exploration
    Mutant("noise_not_clipped", "ddpg", "adds the noise without clipping to the box",
           ((NOISY_RETURN, "return actions + noise_std * noise"),),
           r"outside the bounds.*Clip the noisy action"),
    Mutant("noise_from_np_random", "ddpg", "draws the noise from np.random instead of rng",
           ((NOISE_DRAW, "np.random.standard_normal((batch_size, low.shape[0]))"),),
           r"from the rng argument"),
    Mutant("noise_from_torch", "ddpg", "draws the noise with torch.randn",
           (("torch.as_tensor(" + NOISE_DRAW + ", dtype=torch.float32)",
             "torch.randn(batch_size, low.shape[0])"),),
           r"from the rng argument"),
    Mutant("noise_variance_as_std", "ddpg", "scales the noise by noise_std squared",
           ((NOISY_RETURN, "return torch.clamp(actions + noise_std**2 * noise, low, high)"),),
           r"not by noise_std\*\*2"),
    Mutant("uniform_noise", "ddpg", "draws uniform noise in [-noise_std, noise_std]",
           ((NOISE_DRAW, "rng.uniform(-1.0, 1.0, (batch_size, low.shape[0]))"),),
           r"looks uniform"),
    Mutant("same_noise_every_row", "ddpg", "draws one noise vector and adds it to every observation",
           ((NOISE_DRAW, "rng.standard_normal((1, low.shape[0]))"),),
           r"same noise to every observation"),
    Mutant("noise_squashed_not_clipped", "ddpg", "squashes the noisy action with tanh-like scaling instead of clipping",
           ((NOISY_RETURN, "centre, half = (high + low) / 2, (high - low) / 2\n"
                           "    return centre + half * torch.tanh((actions + noise_std * noise - centre) / half)"),),
           r"clipped onto the (lower|upper) bound"),
]
