"""Realistic bugs in part "sampled_q" (the format is explained in tests/mutants.py)."""
from __future__ import annotations

from tests.mutants import Mutant

TARGET_LINE = "    return rewards + gamma * (1.0 - terminated) * next_values"
MAXIMIZE_NEXT = "        _, next_values = maximize(target_critic, next_observations, low, high, rng, maximizer)  # [B]"
TARGETS_CALL = ("    targets = sampled_targets(batch.rewards, batch.terminated, batch.next_observations, target_critic,\n"
                "                              low, high, rng, gamma, maximizer)")
NOISY = "    return torch.clamp(greedy + exploration_std * (high - low) / 2 * noise, low, high)"
NOISE = "    noise = torch.as_tensor(rng.standard_normal(tuple(greedy.shape)), dtype=torch.float32)"
POLYAK = "    polyak_update(target_critic, critic, tau)"
Q_VALUES = "    q_values = critic(batch.observations, batch.actions)"

MUTANTS: list[Mutant] = [
    Mutant("online_critic_in_target", "sampled_q",
           "passes the online critic to sampled_targets, so the target maximizes and evaluates Q_phi instead of Q_phi'",
           ((TARGETS_CALL, TARGETS_CALL.replace("batch.next_observations, target_critic", "batch.next_observations, critic")),),
           r"maximized the online critic; it should maximize the target critic"),
    Mutant("no_terminal_mask", "sampled_q",
           "forgets the terminal mask, so terminal transitions still bootstrap",
           ((TARGET_LINE, "    return rewards + gamma * next_values"),),
           r"terminal mask is missing"),
    Mutant("mask_on_reward", "sampled_q",
           "multiplies the whole target, reward included, by (1 - terminated)",
           ((TARGET_LINE, "    return (1.0 - terminated) * (rewards + gamma * next_values)"),),
           r"mask multiplies the reward too"),
    Mutant("gradient_through_target", "sampled_q",
           "re-evaluates the target critic at the maximizer's actions with autograd on",
           ((MAXIMIZE_NEXT, "        next_actions, _ = maximize(target_critic, next_observations, low, high, rng, maximizer)"),
            (TARGET_LINE, "    next_values = target_critic(next_observations, next_actions)\n" + TARGET_LINE)),
           r"requires grad: a gradient would flow into the target critic"),
    Mutant("q_at_stored_action", "sampled_q",
           "bootstraps from Q_target(s', a) at the buffer's stored action instead of a max over a'",
           ((TARGETS_CALL, "    with torch.no_grad():\n"
                           "        next_values = target_critic(batch.next_observations, batch.actions)\n"
                           "    targets = batch.rewards + gamma * (1.0 - batch.terminated) * next_values"),),
           r"never called the maximizer"),
    Mutant("mean_over_samples", "sampled_q",
           "samples actions uniformly and averages Q over them instead of taking the max",
           ((MAXIMIZE_NEXT,
             "        low_t, high_t = torch.as_tensor(low), torch.as_tensor(high)\n"
             "        count = maximizer.num_samples\n"
             "        uniform = torch.as_tensor(rng.random((len(rewards) * count, len(low_t))), dtype=torch.float32)\n"
             "        samples = low_t + (high_t - low_t) * uniform\n"
             "        repeated = next_observations.repeat_interleave(count, dim=0)\n"
             "        next_values = target_critic(repeated, samples).reshape(len(rewards), count).mean(dim=1)"),),
           r"never called the maximizer|AVERAGE of Q"),
    Mutant("maximizes_at_observations", "sampled_q",
           "passes batch.observations where the next observations belong",
           ((TARGETS_CALL, TARGETS_CALL.replace("batch.terminated, batch.next_observations", "batch.terminated, batch.observations")),),
           r"at the batch's observations s"),
    Mutant("default_maximizer", "sampled_q",
           "calls maximize with a fresh Maximizer() instead of the maximizer argument",
           ((MAXIMIZE_NEXT, MAXIMIZE_NEXT.replace("rng, maximizer)", "rng, Maximizer())")),),
           r"Pass the maximizer argument on"),
    Mutant("exploration_ignores_bounds", "sampled_q",
           "adds the exploration noise without clipping to the action box",
           ((NOISY, "    return greedy + exploration_std * (high - low) / 2 * noise"),),
           r"outside the box.*Clip"),
    Mutant("exploration_absolute_std", "sampled_q",
           "uses exploration_std as the noise's std in action units, not as a fraction of the half-width",
           ((NOISY, "    return torch.clamp(greedy + exploration_std * noise, low, high)"),),
           r"fraction of the half-width"),
    Mutant("no_exploration", "sampled_q",
           "returns the greedy action without noise",
           ((NOISY, "    return greedy"),),
           r"returned the greedy action every time"),
    Mutant("global_np_random", "sampled_q",
           "draws the exploration noise from np.random instead of the rng argument",
           ((NOISE, "    noise = torch.as_tensor(np.random.standard_normal(tuple(greedy.shape)), dtype=torch.float32)"),),
           r"from the rng argument"),
    Mutant("noise_shared_across_observations", "sampled_q",
           "draws one noise vector per call and adds it to every observation's greedy action",
           ((NOISE, "    noise = torch.as_tensor(rng.standard_normal(greedy.shape[1]), dtype=torch.float32).expand(greedy.shape)"),),
           r"rows \(observations\) of one call must be independent.*exactly the same noise"),
    Mutant("noise_shared_across_dimensions", "sampled_q",
           "draws one noise value per observation and adds it to every action dimension",
           ((NOISE, "    noise = torch.as_tensor(rng.standard_normal((greedy.shape[0], 1)), dtype=torch.float32)"),),
           r"action dimensions of one row must be independent.*exactly the same noise"),
    Mutant("update_box_swapped", "sampled_q",
           "passes high and low in the wrong order from update_critic to sampled_targets",
           ((TARGETS_CALL, TARGETS_CALL.replace("low, high, rng, gamma", "high, low, rng, gamma")),),
           r"low and high are swapped"),
    Mutant("update_fresh_generator", "sampled_q",
           "hands sampled_targets a fresh np.random.default_rng() instead of the rng argument",
           ((TARGETS_CALL, TARGETS_CALL.replace("low, high, rng, gamma", "low, high, np.random.default_rng(), gamma")),),
           r"generators in different states for two runs with the same rng seed"),
    Mutant("tau_wrong_side", "sampled_q",
           "passes 1 - tau to polyak_update, reading tau as the weight on the old target",
           ((POLYAK, "    polyak_update(target_critic, critic, 1 - tau)"),),
           r"That is 1 - tau"),
    Mutant("polyak_arguments_swapped", "sampled_q",
           "calls polyak_update(critic, target_critic, tau), moving the online critic towards the target",
           ((POLYAK, "    polyak_update(critic, target_critic, tau)"),),
           r"arguments are swapped"),
    Mutant("polyak_before_step", "sampled_q",
           "updates the target critic before the optimizer step",
           ((POLYAK, "    pass"),
            ("    optimizer.zero_grad()\n    loss.backward()",
             "    polyak_update(target_critic, critic, tau)\n    optimizer.zero_grad()\n    loss.backward()")),
           r"target critic's .* after one update_critic step.*after optimizer.step"),
    Mutant("targets_b1_broadcast", "sampled_q",
           "keeps the maximizer's values as a column [B, 1], so the targets broadcast into [B, B]",
           ((TARGET_LINE, "    return rewards + gamma * (1.0 - terminated) * next_values.unsqueeze(1)"),),
           r"classic broadcasting bug"),
    Mutant("q_values_b1", "sampled_q",
           "adds an axis to the critic's output, so the loss compares [B, 1] with [B]",
           ((Q_VALUES, Q_VALUES + ".unsqueeze(1)"),),
           r"must have shape \[B\].*do not add an axis"),
    Mutant("truncated_as_terminal", "sampled_q",
           "masks the bootstrap with terminated or truncated, so time limits stop bootstrapping",
           ((TARGETS_CALL, TARGETS_CALL.replace("batch.rewards, batch.terminated,",
                                                "batch.rewards, torch.clamp(batch.terminated + batch.truncated, max=1),")),),
           r"stats\['losses/targets'\].*not truncated"),
]
