"""Realistic student bugs, written as text edits of the reference solutions.

Each ``Mutant`` is one bug a student could plausibly write, expressed as ``(old, new)``
replacements applied in order to ``solutions/<part>.py``. Every ``old`` must occur exactly
once, both in the reference and in the text being edited, so that a change to the
reference makes this table fail loudly instead of testing nothing.

``expect`` is a regular expression that the student-facing output of at least one failing
grader test must match: it pins down that the grader names the bug, not merely that it
takes points off.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


@dataclass(frozen=True)
class Mutant:
    name: str
    part: str
    bug: str
    """The bug in one sentence, as a student would describe what they did."""
    edits: tuple[tuple[str, str], ...]
    expect: str
    """Regex that some failing test's output must contain (``re.search`` with ``re.DOTALL``)."""


def reference_source(part: str) -> str:
    return (SOLUTIONS / f"{part}.py").read_text(encoding="utf-8")


def mutated_source(mutant: Mutant) -> str:
    """The reference of ``mutant.part`` with the mutant's edits applied in order."""
    reference = reference_source(mutant.part)
    text = reference
    for old, new in mutant.edits:
        for where, source in (("the reference", reference), ("the partly edited text", text)):
            count = source.count(old)
            if count != 1:
                raise ValueError(f"mutant {mutant.name}: {old!r} occurs {count} times in {where} "
                                 f"of solutions/{mutant.part}.py; it must occur exactly once")
        text = text.replace(old, new)
    return text


# -- replay_buffer ----------------------------------------------------------------------
SAMPLE_INDICES = "indices = rng.integers(0, self.size, size=batch_size)"
ADVANCE = "self.next_index = (slot + 1) % self.capacity"

REPLAY_BUFFER = [
    Mutant("write_position_from_size", "replay_buffer",
           "uses the size as the write position, so once full every add overwrites slot 0",
           (("slot = self.next_index", "slot = self.size % self.capacity"),),
           r"should have been overwritten"),
    Mutant("advances_before_writing", "replay_buffer",
           "advances the write position before writing, so slot 0 is filled last",
           (("slot = self.next_index", "slot = (self.next_index + 1) % self.capacity"),
            (ADVANCE, "self.next_index = slot")),
           r"a slot that was never written.*add\(\) skips a slot"),
    Mutant("wrap_modulo_capacity_minus_one", "replay_buffer",
           "wraps the write position at capacity - 1, so the last slot is never written",
           ((ADVANCE, "self.next_index = (slot + 1) % (self.capacity - 1)"),),
           r"a slot that was never written.*wraps too early"),
    Mutant("wrap_when_greater_than_capacity", "replay_buffer",
           "wraps only when the write position exceeds the capacity (> instead of >=)",
           ((ADVANCE, "self.next_index = slot + 1\n"
                      "        if self.next_index > self.capacity:\n"
                      "            self.next_index = 0"),),
           r"out of bounds.*add\(\) wrote past the last slot"),
    Mutant("samples_below_write_position", "replay_buffer",
           "draws indices below the write position, so after a wrap the older half is never sampled",
           ((SAMPLE_INDICES, "indices = rng.integers(0, self.next_index, size=batch_size)"),),
           r"never came out of a large sample"),
    Mutant("samples_whole_capacity", "replay_buffer",
           "draws indices from the whole capacity, including slots not written yet",
           ((SAMPLE_INDICES, "indices = rng.integers(0, self.capacity, size=batch_size)"),),
           r"a slot that was never written.*whole capacity"),
    Mutant("high_treated_as_inclusive", "replay_buffer",
           "passes size + 1 to rng.integers, as if its upper bound were inclusive",
           ((SAMPLE_INDICES, "indices = rng.integers(0, self.size + 1, size=batch_size)"),),
           r"a slot that was never written.*one slot too many"),
    Mutant("biased_rounding", "replay_buffer",
           "rounds a uniform float to an index, so the first and last slots come up half as often",
           ((SAMPLE_INDICES,
             "indices = np.round(rng.random(batch_size) * (self.size - 1)).astype(np.int64)"),),
           r"should come up about 10\.0% of the time"),
    Mutant("consecutive_run_per_batch", "replay_buffer",
           "draws one random start per batch and takes the transitions after it in order",
           ((SAMPLE_INDICES, "indices = (rng.integers(0, self.size) + np.arange(batch_size)) % self.size"),),
           r"each batch is a run of consecutive transitions from one random start"),
    Mutant("indices_sorted", "replay_buffer",
           "sorts the drawn indices, so every batch comes in slot order",
           ((SAMPLE_INDICES, "indices = np.sort(rng.integers(0, self.size, size=batch_size))"),),
           r"The rows of every batch come in sorted order"),
    Mutant("without_replacement", "replay_buffer",
           "samples without replacement, which fails when the batch is larger than the buffer",
           ((SAMPLE_INDICES, "indices = rng.choice(self.size, size=batch_size, replace=False)"),),
           r"larger sample than population.*Draw with replacement"),
    Mutant("done_stored_as_terminated", "replay_buffer",
           "stores terminated or truncated as the terminal flag",
           (("self.terminated[slot] = transition.terminated",
             "self.terminated[slot] = transition.terminated or transition.truncated"),),
           r"terminated or truncated was stored as the terminal flag"),
    Mutant("truncated_stored_as_terminated", "replay_buffer",
           "stores the truncated flag in the terminated array",
           (("self.terminated[slot] = transition.terminated",
             "self.terminated[slot] = transition.truncated"),),
           r"the truncated flag was stored in place of terminated"),
    Mutant("flags_swapped", "replay_buffer",
           "swaps the terminated and truncated arrays when storing",
           (("self.terminated[slot] = transition.terminated",
             "self.terminated[slot] = transition.truncated"),
            ("self.truncated[slot] = transition.truncated",
             "self.truncated[slot] = transition.terminated")),
           r"terminated and truncated are swapped"),
    Mutant("global_numpy_random", "replay_buffer",
           "draws indices from np.random instead of the rng argument",
           ((SAMPLE_INDICES, "indices = np.random.randint(0, self.size, size=batch_size)"),),
           r"from the rng argument only"),
    Mutant("torch_randint", "replay_buffer",
           "draws indices with torch.randint instead of the rng argument",
           ((SAMPLE_INDICES, "indices = torch.randint(0, self.size, (batch_size,)).numpy()"),),
           r"from the rng argument only"),
    Mutant("float64_observations", "replay_buffer",
           "allocates observations with numpy's default dtype (float64)",
           (("self.observations = np.zeros((self.capacity, *self.obs_shape), dtype=np.float32)",
             "self.observations = np.zeros((self.capacity, *self.obs_shape))"),),
           r"observations has dtype float64.*dtype=np\.float32"),
    Mutant("discrete_actions_as_float", "replay_buffer",
           "stores discrete actions as float32",
           (("action_dtype = np.int64 if self.action_dim is None else np.float32",
             "action_dtype = np.float32"),),
           r"actions has dtype float32.*int64"),
    Mutant("rewards_as_column", "replay_buffer",
           "stores rewards as a [capacity, 1] column, so batches have rewards [B, 1]",
           (("self.rewards = np.zeros(self.capacity, dtype=np.float32)",
             "self.rewards = np.zeros((self.capacity, 1), dtype=np.float32)"),),
           r"rewards with shape \[4, 1\].*not \[capacity, 1\]"),
    Mutant("rewards_in_integer_array", "replay_buffer",
           "allocates rewards with the actions' dtype (int64 for discrete actions), then "
           "converts to float when sampling",
           (("self.rewards = np.zeros(self.capacity, dtype=np.float32)",
             "self.rewards = np.zeros(self.capacity, dtype=action_dtype)"),
            ("rewards=torch.as_tensor(self.rewards[indices])",
             "rewards=torch.as_tensor(self.rewards[indices]).float()")),
           r"rewards lose their fractional part"),
    Mutant("next_obs_read_from_next_slot", "replay_buffer",
           "returns the observation in the next slot as next_observations",
           (("next_observations=torch.as_tensor(self.next_observations[indices])",
             "next_observations=torch.as_tensor(self.observations[(indices + 1) % self.capacity])"),),
           r"observation of the transition added after it"),
    Mutant("len_not_capped", "replay_buffer",
           "counts every add, so len() keeps growing past the capacity",
           (("self.size = min(self.size + 1, self.capacity)", "self.size += 1"),),
           r"stops at the capacity"),
    Mutant("len_is_write_position", "replay_buffer",
           "returns the write position from __len__, which drops to 0 at the wrap",
           (("return self.size", "return self.next_index"),),
           r"got \[1, 2, 3, 4, 0, 1, 2\]"),
    Mutant("obs_and_next_obs_swapped", "replay_buffer",
           "returns next_observations as observations and the other way round",
           (("observations=torch.as_tensor(self.observations[indices])",
             "observations=torch.as_tensor(self.next_observations[indices])"),
            ("next_observations=torch.as_tensor(self.next_observations[indices])",
             "next_observations=torch.as_tensor(self.observations[indices])")),
           r"observations and next_observations are mixed up \(swapped"),
    Mutant("returns_numpy_arrays", "replay_buffer",
           "puts numpy arrays in the Batch instead of tensors",
           (("observations=torch.as_tensor(self.observations[indices])",
             "observations=self.observations[indices]"),),
           r"batch\.observations should be a torch\.Tensor but is a numpy\.ndarray"),
]

# -- target_network ---------------------------------------------------------------------
HARD_COPY = "target_network.load_state_dict(online_network.state_dict())"
POLYAK_BODY = """\
    target_state = target_network.state_dict()
    online_state = online_network.state_dict()
    with torch.no_grad():
        for name, target_tensor in target_state.items():
            if target_tensor.is_floating_point():
                target_tensor.lerp_(online_state[name], tau)
            else:
                target_tensor.copy_(online_state[name])
"""
LERP = "target_tensor.lerp_(online_state[name], tau)"

TARGET_NETWORK = [
    Mutant("tau_on_wrong_side", "target_network",
           "puts tau on the old target (the slides' convention) instead of on the online network",
           ((LERP, "target_tensor.lerp_(online_state[name], 1 - tau)"),),
           r"tau is on the wrong side"),
    Mutant("hard_update_assigns_data", "target_network",
           "assigns the online tensors' .data to the target's, so the two networks share memory",
           ((HARD_COPY,
             "target_tensors = [*target_network.parameters(), *target_network.buffers()]\n"
             "    online_tensors = [*online_network.parameters(), *online_network.buffers()]\n"
             "    for target_tensor, online_tensor in zip(target_tensors, online_tensors):\n"
             "        target_tensor.data = online_tensor.data"),),
           r"share memory with the online network"),
    Mutant("hard_update_assign_true", "target_network",
           "loads the state dict with assign=True, which puts the online tensors into the target",
           ((HARD_COPY,
             "target_network.load_state_dict(online_network.state_dict(), assign=True)"),),
           r"share memory with the online network"),
    Mutant("hard_update_deepcopy_into_local", "target_network",
           "rebinds the local name: target_network = copy.deepcopy(online_network)",
           (("import torch\n", "import copy\n\nimport torch\n"),
            (HARD_COPY, "target_network = copy.deepcopy(online_network)")),
           r"left the target network exactly as it was.*rebinds"),
    Mutant("hard_update_parameters_only", "target_network",
           "copies parameters but not buffers (BatchNorm running statistics)",
           ((HARD_COPY,
             "with torch.no_grad():\n"
             "        for target_parameter, online_parameter in zip(\n"
             "                target_network.parameters(), online_network.parameters()):\n"
             "            target_parameter.copy_(online_parameter)"),),
           r"buffers too"),
    Mutant("hard_update_without_no_grad", "target_network",
           "copies parameters in place without torch.no_grad()",
           ((HARD_COPY,
             "for target_tensor, online_tensor in zip(\n"
             "            [*target_network.parameters(), *target_network.buffers()],\n"
             "            [*online_network.parameters(), *online_network.buffers()]):\n"
             "        target_tensor.copy_(online_tensor)"),),
           r"under torch\.no_grad\(\)"),
    Mutant("hard_update_into_online", "target_network",
           "copies the target into the online network (arguments the wrong way round)",
           ((HARD_COPY, "online_network.load_state_dict(target_network.state_dict())"),),
           r"changed the online network.*argument order"),
    Mutant("polyak_into_online", "target_network",
           "moves the online network towards the target instead of the other way round",
           ((LERP, "online_state[name].lerp_(target_tensor, tau)"),),
           r"changed the online network.*argument order"),
    Mutant("polyak_parameters_only", "target_network",
           "averages parameters but leaves the buffers (BatchNorm running statistics) alone",
           ((POLYAK_BODY,
             "    with torch.no_grad():\n"
             "        for target_parameter, online_parameter in zip(\n"
             "                target_network.parameters(), online_network.parameters()):\n"
             "            target_parameter.lerp_(online_parameter, tau)\n"),),
           r"buffers too"),
    Mutant("polyak_without_no_grad", "target_network",
           "averages the parameters in place without torch.no_grad()",
           ((POLYAK_BODY,
             "    for target_tensor, online_tensor in zip(\n"
             "            [*target_network.parameters(), *target_network.buffers()],\n"
             "            [*online_network.parameters(), *online_network.buffers()]):\n"
             "        if target_tensor.is_floating_point():\n"
             "            target_tensor.copy_(tau * online_tensor + (1 - tau) * target_tensor)\n"
             "        else:\n"
             "            target_tensor.copy_(online_tensor)\n"),),
           r"under torch\.no_grad\(\)"),
    Mutant("polyak_averages_counter_in_place", "target_network",
           "averages every tensor of the state dict in place, the int64 counter included",
           ((POLYAK_BODY,
             "    target_state = target_network.state_dict()\n"
             "    online_state = online_network.state_dict()\n"
             "    with torch.no_grad():\n"
             "        for name, target_tensor in target_state.items():\n"
             "            target_tensor.mul_(1 - tau).add_(tau * online_state[name])\n"),),
           r"num_batches_tracked is an integer buffer"),
    Mutant("polyak_lerps_every_tensor", "target_network",
           "calls lerp_ on every tensor of the state dict, the int64 counter included",
           (("""\
            if target_tensor.is_floating_point():
                target_tensor.lerp_(online_state[name], tau)
            else:
                target_tensor.copy_(online_state[name])
""", "            target_tensor.lerp_(online_state[name], tau)\n"),),
           r"raised NotImplementedError.*num_batches_tracked is an integer buffer"),
    Mutant("polyak_averages_counter_via_load", "target_network",
           "builds an averaged state dict and loads it, so the int64 counter is averaged and truncated",
           ((POLYAK_BODY,
             "    target_state = target_network.state_dict()\n"
             "    online_state = online_network.state_dict()\n"
             "    averaged = {name: tau * online_state[name] + (1 - tau) * target_tensor\n"
             "                for name, target_tensor in target_state.items()}\n"
             "    target_network.load_state_dict(averaged)\n"),),
           r"[Ii]nteger buffers are copied from the online network, not averaged"),
    Mutant("polyak_updates_a_clone", "target_network",
           "clones the target's state dict first, so the averaging never reaches the network",
           (("target_state = target_network.state_dict()",
             "target_state = {name: tensor.clone() for name, tensor in target_network.state_dict().items()}"),),
           r"left the target network exactly as it was"),
    Mutant("polyak_rebinds_loop_variable", "target_network",
           "assigns the average to the loop variable, which changes nothing",
           ((POLYAK_BODY,
             "    for target_parameter, online_parameter in zip(\n"
             "            target_network.parameters(), online_network.parameters()):\n"
             "        target_parameter = tau * online_parameter + (1 - tau) * target_parameter\n"),),
           r"left the target network exactly as it was.*loop variable"),
    Mutant("tau_zero_replaced_by_default", "target_network",
           "writes tau = tau or 0.005, so tau=0 silently becomes a small step",
           (("tau = check_tau(tau)", "tau = check_tau(tau) or 0.005"),),
           r"moved 0\.005 of the way .* instead of tau=0:"),
    Mutant("polyak_returns_early_at_tau_zero", "target_network",
           "returns early when tau is 0, which skips copying the integer counter",
           (("tau = check_tau(tau)", "tau = check_tau(tau)\n    if tau == 0:\n        return"),),
           r"copied from the online network at any tau, tau=0 included"),
    Mutant("tau_hard_coded", "target_network",
           "ignores the tau argument and always uses 0.005",
           ((LERP, "target_tensor.lerp_(online_state[name], 0.005)"),),
           r"moved 0\.005 of the way .* instead of tau=0\.1"),
]

MUTANTS: list[Mutant] = REPLAY_BUFFER + TARGET_NETWORK

# -- dqn ----------------------------------------------------------------------------------
DQN_RETURN = "return rewards + gamma * (1.0 - terminated) * next_values"
DQN_MAX = "next_values = next_q_values.detach().max(dim=1).values"
EXPLORE = "explore = rng.random(batch_size) < epsilon"
RANDOM_ACTIONS = "random_actions = rng.integers(0, num_actions, size=batch_size)"
TAKEN = "taken = q_values.gather(1, actions.long().unsqueeze(1)).squeeze(1)"
MSE = "return torch.mean((taken - targets) ** 2)"
HUBER = "return nn.functional.huber_loss(taken, targets, delta=huber_delta)"
UPDATE_LOSS = "loss_value = td_loss(q_values, actions, targets, loss, huber_delta)"

DQN = [
    Mutant("no_terminal_mask", "dqn",
           "bootstraps from every next state, terminal ones included",
           ((DQN_RETURN, "return rewards + gamma * next_values"),),
           r"terminal mask is missing"),
    Mutant("mask_on_reward", "dqn",
           "multiplies the whole target, reward included, by (1 - terminated)",
           ((DQN_RETURN, "return (1.0 - terminated) * (rewards + gamma * next_values)"),),
           r"mask multiplies the reward too"),
    Mutant("targets_with_gradient", "dqn",
           "forgets to detach the next-state values, so a gradient flows through the target",
           ((DQN_MAX, "next_values = next_q_values.max(dim=1).values"),),
           r"requires grad.*Detach the next-state values"),
    Mutant("max_over_batch_axis", "dqn",
           "takes the max over the batch axis (dim=0) instead of over actions",
           ((DQN_MAX, "next_values = next_q_values.detach().max(dim=0).values"),),
           r"batch axis \(dim=0\)"),
    Mutant("max_with_keepdim", "dqn",
           "keeps the reduced axis (keepdim=True), so [B] + [B, 1] broadcasts to [B, B]",
           ((DQN_MAX, "next_values = next_q_values.detach().max(dim=1, keepdim=True).values"),),
           r"\[B, B\] result is the classic broadcasting bug"),
    Mutant("mean_instead_of_max", "dqn",
           "averages the next-state values over actions instead of taking the max",
           ((DQN_MAX, "next_values = next_q_values.detach().mean(dim=1)"),),
           r"mean over actions is used"),
    Mutant("max_started_at_zero", "dqn",
           "computes the max with a running maximum that starts at 0",
           ((DQN_MAX, "next_values = next_q_values.detach().max(dim=1).values.clamp(min=0.0)"),),
           r"max is started at 0"),
    Mutant("huber_and_mse_swapped", "dqn",
           "returns the Huber loss for loss='mse' and the squared error for loss='huber'",
           (('if loss == "mse":', 'if loss == "huber":'),),
           r"It equals the mean squared error: the Huber loss is linear beyond delta"),
    Mutant("mse_sums_over_batch", "dqn",
           "sums the squared errors over the batch instead of averaging",
           ((MSE, "return torch.sum((taken - targets) ** 2)"),),
           r"It equals the sum over the batch: use the mean"),
    Mutant("huber_sums_over_batch", "dqn",
           "asks huber_loss for reduction='sum'",
           ((HUBER, "return nn.functional.huber_loss(taken, targets, reduction=\"sum\", delta=huber_delta)"),),
           r"It equals the sum over the batch: use the mean"),
    Mutant("huber_delta_ignored", "dqn",
           "calls huber_loss without passing huber_delta",
           ((HUBER, "return nn.functional.huber_loss(taken, targets)"),),
           r"It ignores huber_delta"),
    Mutant("gather_without_squeeze", "dqn",
           "gathers Q(s, a) as a [B, 1] column, so Q(s, a) - y broadcasts to [B, B]",
           ((TAKEN, "taken = q_values.gather(1, actions.long().unsqueeze(1))"),),
           r"\[B, 1\].*\[B, B\]"),
    Mutant("loss_on_max_q", "dqn",
           "regresses max_a Q(s, a) instead of Q of the taken action",
           ((TAKEN, "taken = q_values.max(dim=1).values"),),
           r"max_a Q\(s, a\).*taken actions"),
    Mutant("epsilon_is_greedy_probability", "dqn",
           "acts greedily with probability epsilon instead of exploring with it",
           ((EXPLORE, "explore = rng.random(batch_size) >= epsilon"),),
           r"epsilon is used as the probability of acting greedily"),
    Mutant("random_action_excludes_greedy", "dqn",
           "explores with a random action other than the greedy one",
           ((RANDOM_ACTIONS,
             "random_actions = (greedy + rng.integers(1, num_actions, size=batch_size)) % num_actions"),),
           r"the greedy one included"),
    Mutant("random_actions_exclude_last", "dqn",
           "draws random actions with rng.integers(0, num_actions - 1), as if its upper bound were inclusive",
           ((RANDOM_ACTIONS, "random_actions = rng.integers(0, num_actions - 1, size=batch_size)"),),
           r"Exploration never picked action\(s\) \[3\]"),
    Mutant("schedule_start_end_swapped", "dqn",
           "interpolates from end to start",
           (("return start + fraction * (end - start)", "return end + fraction * (start - end)"),),
           r"start and end are swapped"),
    Mutant("global_numpy_random", "dqn",
           "draws the exploration coin from np.random instead of the rng argument",
           ((EXPLORE, "explore = np.random.random(batch_size) < epsilon"),),
           r"draw every random number from the rng argument"),
    Mutant("schedule_not_capped", "dqn",
           "does not cap the schedule's fraction at 1, so epsilon keeps falling after duration",
           (("fraction = min(step / duration, 1.0)", "fraction = step / duration"),),
           r"cap the fraction at 1"),
    Mutant("q_values_detached_in_update", "dqn",
           "computes Q(s, .) under torch.no_grad() in update_q_network, so nothing can be learned",
           (("q_values = q_network(observations)\n",
             "with torch.no_grad():\n        q_values = q_network(observations)\n"),),
           r"without a graph.*only the targets are detached"),
    Mutant("exploration_coin_shared_by_rows", "dqn",
           "draws one exploration coin per call and uses it for every row of the batch",
           ((EXPLORE, "explore = np.full(batch_size, rng.random() < epsilon)"),),
           r"one exploration coin is drawn per call and shared by all rows"),
    Mutant("update_drops_loss_settings", "dqn",
           "calls td_loss without loss and huber_delta in update_q_network, so it always uses the Huber loss "
           "with delta 1",
           ((UPDATE_LOSS, "loss_value = td_loss(q_values, actions, targets)"),),
           r"It is the loss with loss='huber', huber_delta=1, although update_q_network was called with "
           r"loss='mse'.*Pass loss and huber_delta on to td_loss"),
    Mutant("update_drops_huber_delta", "dqn",
           "passes loss but not huber_delta to td_loss in update_q_network",
           ((UPDATE_LOSS, "loss_value = td_loss(q_values, actions, targets, loss)"),),
           r"It is the loss with loss='huber', huber_delta=1, although update_q_network was called with "
           r"loss='huber', huber_delta=2"),
]

# -- double_dqn ---------------------------------------------------------------------------
CHOOSE = "best_actions = next_q_values_online.detach().argmax(dim=1, keepdim=True)"
EVALUATE = "next_values = next_q_values_target.detach().gather(1, best_actions).squeeze(1)"
DOUBLE_RETURN = "return rewards + gamma * (1.0 - terminated) * next_values"

DOUBLE_DQN = [
    Mutant("chooses_with_target", "double_dqn",
           "chooses a' with the target network too, which is the DQN target again",
           ((CHOOSE, "best_actions = next_q_values_target.detach().argmax(dim=1, keepdim=True)"),),
           r"It equals the DQN target"),
    Mutant("evaluates_with_online", "double_dqn",
           "evaluates a' with the online network too",
           ((EVALUATE, "next_values = next_q_values_online.detach().gather(1, best_actions).squeeze(1)"),),
           r"Both choosing and evaluating use the online network"),
    Mutant("online_and_target_swapped", "double_dqn",
           "chooses a' with the target network and evaluates it with the online network",
           ((CHOOSE, "best_actions = next_q_values_target.detach().argmax(dim=1, keepdim=True)"),
            (EVALUATE, "next_values = next_q_values_online.detach().gather(1, best_actions).squeeze(1)")),
           r"Online and target are swapped"),
    Mutant("argmax_over_batch_axis", "double_dqn",
           "takes the argmax over the batch axis (dim=0)",
           ((CHOOSE, "best_actions = next_q_values_online.detach().argmax(dim=0, keepdim=True)"),),
           r"batch axis \(dim=0\)"),
    Mutant("no_terminal_mask", "double_dqn",
           "bootstraps from every next state, terminal ones included",
           ((DOUBLE_RETURN, "return rewards + gamma * next_values"),),
           r"terminal mask is missing"),
    Mutant("mask_on_reward", "double_dqn",
           "multiplies the whole target, reward included, by (1 - terminated)",
           ((DOUBLE_RETURN, "return (1.0 - terminated) * (rewards + gamma * next_values)"),),
           r"mask multiplies the reward too"),
    Mutant("targets_with_gradient", "double_dqn",
           "forgets to detach, so a gradient flows through the target",
           ((CHOOSE, "best_actions = next_q_values_online.argmax(dim=1, keepdim=True)"),
            (EVALUATE, "next_values = next_q_values_target.gather(1, best_actions).squeeze(1)")),
           r"requires grad.*Detach"),
    Mutant("gather_without_squeeze", "double_dqn",
           "keeps the gathered values as a [B, 1] column, so the target broadcasts to [B, B]",
           ((EVALUATE, "next_values = next_q_values_target.detach().gather(1, best_actions)"),),
           r"\[B, B\] result is the classic broadcasting bug"),
    Mutant("gamma_missing", "double_dqn",
           "forgets the discount on the bootstrap term",
           ((DOUBLE_RETURN, "return rewards + (1.0 - terminated) * next_values"),),
           r"gamma is missing"),
]

# -- n_step -------------------------------------------------------------------------------
ENDED = "ended = (window_terminated + window_truncated) > 0"
INCLUDED = "included = (~ended_before).to(window_rewards.dtype)"
NOT_TERMINAL = "not_terminal = 1.0 - window_terminated.gather(1, last.unsqueeze(1)).squeeze(1)"
BOOTSTRAP = "bootstrap = bootstrap_values.detach().gather(1, last.unsqueeze(1)).squeeze(1)"
N_RETURN = "return (returns + gamma ** (last + 1).to(window_rewards.dtype) * not_terminal * bootstrap).detach()"

N_STEP = [
    Mutant("window_runs_across_episode_end", "n_step",
           "sums all N rewards and bootstraps from the last position, ignoring where the episode ended",
           ((INCLUDED, "included = torch.ones_like(window_rewards)"),),
           r"The sum runs across the end of the episode"),
    Mutant("truncation_drops_bootstrap", "n_step",
           "drops the bootstrap where the window ended by truncation as well as by termination",
           ((NOT_TERMINAL,
             "not_terminal = 1.0 - ended.to(window_rewards.dtype).gather(1, last.unsqueeze(1)).squeeze(1)"),),
           r"A truncated window drops its bootstrap"),
    Mutant("termination_keeps_bootstrap", "n_step",
           "forgets the terminal mask, so a terminated window still bootstraps",
           ((NOT_TERMINAL, "not_terminal = 1.0"),),
           r"A terminated window keeps its bootstrap"),
    Mutant("truncation_ignored", "n_step",
           "stops the window at termination only, running on past a truncation",
           ((ENDED, "ended = window_terminated > 0"),),
           r"Truncation is ignored"),
    Mutant("bootstrap_exponent_too_small", "n_step",
           "discounts the bootstrap by gamma^(m-1)",
           ((N_RETURN, N_RETURN.replace("(last + 1)", "last")),),
           r"exponent is one too small"),
    Mutant("bootstrap_exponent_too_large", "n_step",
           "discounts the bootstrap by gamma^(m+1)",
           ((N_RETURN, N_RETURN.replace("(last + 1)", "(last + 2)")),),
           r"exponent is one too large"),
    Mutant("bootstrap_from_last_position", "n_step",
           "always bootstraps from the window's last position",
           ((BOOTSTRAP, "bootstrap = bootstrap_values.detach()[:, -1]"),),
           r"always comes from the window's last position"),
    Mutant("bootstrap_discounted_by_gamma_n", "n_step",
           "discounts the bootstrap by gamma^N even when the window stopped early",
           ((N_RETURN, "return (returns + gamma ** window * not_terminal * bootstrap).detach()"),),
           r"gamma\^N even when the window stopped early"),
    Mutant("reward_discounts_start_at_gamma", "n_step",
           "discounts the first reward by gamma (exponents 1 .. N instead of 0 .. N-1)",
           (("discounts = gamma ** torch.arange(window, dtype=window_rewards.dtype)",
             "discounts = gamma ** torch.arange(1, window + 1, dtype=window_rewards.dtype)"),),
           r"discounted one step too much"),
    Mutant("bootstrap_index_is_m", "n_step",
           "counts m, the number of rewards summed, and reads the bootstrap and terminal flag at index m",
           (("last = included.sum(dim=1).long() - 1", "last = included.sum(dim=1).long()"),
            (N_RETURN, N_RETURN.replace("(last + 1)", "last"))),
           r"positions run 0 \.\. N-1"),
    Mutant("targets_with_gradient", "n_step",
           "forgets to detach, so a gradient flows through the bootstrap values",
           ((BOOTSTRAP, BOOTSTRAP.replace(".detach()", "")),
            (N_RETURN, N_RETURN.removesuffix(".detach()"))),
           r"requires grad.*Detach"),
]

# -- dqn_loop -----------------------------------------------------------------------------
ADD = "buffer.add(obs, action, reward, next_obs, terminated, truncated)"
TRAIN_IF = "if step + 1 >= config.learning_starts and (step + 1) % config.train_every == 0:"
GRADIENT_LOOP = "for _ in range(config.gradient_steps):"
POLYAK = """\
                if config.target_update == "polyak":
                    polyak_update(target_network, q_network, config.tau)
"""
HARD = """\
        if config.target_update == "hard" and (step + 1) % config.target_update_every == 0:
            hard_update(target_network, q_network)
"""
EPSILON = ("epsilon = linear_schedule(config.epsilon_start, config.epsilon_end, "
           "config.epsilon_decay_steps, step)")
SAMPLE = "batch = buffer.sample(config.batch_size, rng)"
HARD_PHASE = "(step + 1) % config.target_update_every == 0"
COUNT_STEP = "                result.gradient_steps += 1\n"
TARGETS = "targets = compute_targets(batch, q_network, target_network, config.gamma, config.double_q)"
UPDATE_SETTINGS = "targets, config.loss, config.huber_delta, config.max_grad_norm)"

DQN_LOOP = [
    Mutant("hard_copies_with_polyak_too", "dqn_loop",
           "makes hard copies whenever target_update is not exactly 'hard' too (>= instead of ==)",
           (('config.target_update == "hard" and ' + HARD_PHASE, 'config.target_update >= "hard" and ' + HARD_PHASE),),
           r"With target_update='polyak' the loop should not call hard_update"),
    Mutant("forgets_obs_next_obs", "dqn_loop",
           "never sets obs = next_obs, so the agent keeps acting from the episode's first state",
           (("        obs = next_obs\n", ""),),
           r"The observation never advances: set obs = next_obs"),
    Mutant("done_stored_as_terminated", "dqn_loop",
           "stores terminated or truncated as the terminal flag",
           ((ADD, "buffer.add(obs, action, reward, next_obs, terminated or truncated, truncated)"),),
           r"A time limit \(truncated\) was stored as terminated"),
    Mutant("no_reset_after_truncation", "dqn_loop",
           "resets the environment only after a termination, not after a time limit",
           (("        if terminated or truncated:\n", "        if terminated:\n"),),
           r"After a time-limit truncation.*Reset the environment when terminated or truncated"),
    Mutant("steps_with_random_action", "dqn_loop",
           "steps the environment with a random action instead of the epsilon-greedy one",
           (("env.step(action)", "env.step(env.action_space.sample())"),),
           r"step the environment with the action epsilon_greedy chose"),
    Mutant("epsilon_computed_once", "dqn_loop",
           "computes epsilon once before the loop, so it never decays",
           (("        " + EPSILON + "\n", ""),
            ("    obs, _ = env.reset(seed=config.seed)\n",
             "    obs, _ = env.reset(seed=config.seed)\n    " + EPSILON.replace("step)", "0)") + "\n")),
           r"with the epsilon of step 0 although"),
    Mutant("trains_every_step", "dqn_loop",
           "ignores train_every and trains after every environment step",
           ((TRAIN_IF, "if step + 1 >= config.learning_starts:"),),
           r"trains after every environment step: run a round only when \(step \+ 1\) % train_every == 0"),
    Mutant("one_gradient_step_per_round", "dqn_loop",
           "takes one gradient step per round, ignoring gradient_steps",
           ((GRADIENT_LOOP, "for _ in range(1):"),),
           r"should take gradient_steps=2 gradient steps; rounds took \[1\].*range\(config\.gradient_steps\)"),
    Mutant("one_batch_per_round", "dqn_loop",
           "samples one batch per round and reuses it for all gradient steps",
           (("            " + GRADIENT_LOOP + "\n                " + SAMPLE + "\n",
             "            " + SAMPLE + "\n            " + GRADIENT_LOOP + "\n"),),
           r"sample a fresh batch for every gradient step"),
    Mutant("hard_update_every_gradient_step", "dqn_loop",
           "copies the target after every gradient step instead of every target_update_every env steps",
           ((POLYAK, POLYAK + "                else:\n                    hard_update(target_network, q_network)\n"),
            (HARD, "")),
           r"hard_update ran after every gradient step"),
    Mutant("hard_update_every_env_step", "dqn_loop",
           "copies the target after every environment step, ignoring target_update_every",
           ((HARD, HARD.replace(" and (step + 1) % config.target_update_every == 0", "")),),
           r"hard_update ran at every environment step"),
    Mutant("target_period_in_gradient_steps", "dqn_loop",
           "counts target_update_every in gradient steps instead of environment steps",
           ((POLYAK, POLYAK + "                elif result.gradient_steps % config.target_update_every == 0:\n"
                              "                    hard_update(target_network, q_network)\n"),
            (HARD, "")),
           r"counted in gradient steps"),
    Mutant("polyak_tau_complement", "dqn_loop",
           "passes 1 - tau to polyak_update (the slides' convention)",
           (("polyak_update(target_network, q_network, config.tau)",
             "polyak_update(target_network, q_network, 1 - config.tau)"),),
           r"got \[0\.7\].*1 - tau"),
    Mutant("polyak_once_per_round", "dqn_loop",
           "averages the target once per round instead of after every gradient step",
           ((POLYAK, ""),
            ("                result.gradient_steps += 1\n",
             "                result.gradient_steps += 1\n"
             "            if config.target_update == \"polyak\":\n"
             "                polyak_update(target_network, q_network, config.tau)\n")),
           r"once per round"),
    Mutant("polyak_and_hard_both", "dqn_loop",
           "averages after every gradient step whatever target_update says, besides the hard copies",
           ((POLYAK, "                polyak_update(target_network, q_network, config.tau)\n"),),
           r"With target_update='hard' the loop should not call polyak_update"),
    Mutant("target_update_arguments_swapped", "dqn_loop",
           "calls hard_update(q_network, target_network), copying the target into the online network",
           (("            hard_update(target_network, q_network)\n",
             "            hard_update(q_network, target_network)\n"),),
           r"hard_update\(target_network, q_network\)"),
    Mutant("hard_update_on_zero_based_index", "dqn_loop",
           "copies when step % target_update_every == 0 on the 0-based loop index, one env step after "
           "the copies the rest of the loop's counting asks for",
           ((HARD_PHASE, "(step) % config.target_update_every == 0"),),
           r"ran after env steps \[1, 8, 15.*counts the 0-based loop index"),
    Mutant("hard_update_two_steps_late", "dqn_loop",
           "copies when (step - 1) % target_update_every == 0, two env steps after each multiple",
           ((HARD_PHASE, "(step - 1) % config.target_update_every == 0"),),
           r"should run after env steps \[7, 14, 21, 28, 35\].*ran after env steps \[2, 9, 16"),
    Mutant("hard_update_one_step_early", "dqn_loop",
           "copies when (step + 2) % target_update_every == 0, one env step before each multiple",
           ((HARD_PHASE, "(step + 2) % config.target_update_every == 0"),),
           r"ran after env steps \[6, 13, 20.*or 1 before the next"),
    Mutant("gradient_steps_never_counted", "dqn_loop",
           "never adds to result.gradient_steps, so train reports 0 gradient steps",
           ((COUNT_STEP, ""),),
           r"TrainResult\.gradient_steps=0, but the loop took \d+ gradient steps.*stayed at 0"),
    Mutant("gradient_steps_counted_per_round", "dqn_loop",
           "adds 1 to result.gradient_steps once per round instead of once per gradient step",
           ((COUNT_STEP, ""),
            ("        if stats and (step + 1) % config.log_every == 0:\n",
             "            result.gradient_steps += 1\n        if stats and (step + 1) % config.log_every == 0:\n")),
           r"equals the number of rounds"),
    Mutant("gradient_steps_counted_twice", "dqn_loop",
           "adds 2 to result.gradient_steps per gradient step",
           ((COUNT_STEP, COUNT_STEP.replace("+= 1", "+= 2")),),
           r"It is 2 times the steps taken"),
    Mutant("targets_always_double_q", "dqn_loop",
           "always computes double-DQN targets, whatever config.double_q says",
           ((TARGETS, TARGETS.replace("config.double_q)", "True)")),),
           r"With config\.double_q=False the targets come from dqn_targets; the loop computed them with "
           r"double_dqn_targets"),
    Mutant("targets_with_fixed_gamma", "dqn_loop",
           "computes the targets with the course's gamma=0.99 instead of config.gamma",
           ((TARGETS, TARGETS.replace("config.gamma", "0.99")),),
           r"dqn_targets was called with gamma=0\.99 although config\.gamma=0\.5"),
    Mutant("update_without_loss_settings", "dqn_loop",
           "calls update_q_network without loss, huber_delta and max_grad_norm, so it always uses its defaults",
           ((UPDATE_SETTINGS, "targets)"),),
           r"update_q_network was called with loss='huber' although config\.loss='mse' \('huber' is "
           r"update_q_network's default"),
    Mutant("update_without_huber_delta", "dqn_loop",
           "passes loss and max_grad_norm to update_q_network but not huber_delta",
           ((UPDATE_SETTINGS, "targets, config.loss, max_grad_norm=config.max_grad_norm)"),),
           r"huber_delta=1\.0 although config\.huber_delta=2\.0"),
    Mutant("update_with_fixed_max_grad_norm", "dqn_loop",
           "clips the gradient at the course's 10.0 instead of config.max_grad_norm",
           ((UPDATE_SETTINGS, "targets, config.loss, config.huber_delta, 10.0)"),),
           r"max_grad_norm=10\.0 although config\.max_grad_norm=0\.1"),
]

MUTANTS = MUTANTS + DQN + DOUBLE_DQN + N_STEP + DQN_LOOP

# -- random_shooting ----------------------------------------------------------------------------
UNIFORM_DRAW = ("uniform = torch.as_tensor(rng.random((batch_size, num_samples, action_dim)), "
                "dtype=torch.float32)")
SCALE_TO_BOX = "samples = low + (high - low) * uniform  # [B, M, A]"
BEST_OF_EACH = "best_values, best = values.max(dim=1)  # over the samples of each observation"
REPEAT_EACH = "repeated = observations.repeat_interleave(num_samples, dim=0)"
RS_RETURN = "    return best_actions, best_values\n    ### END SOLUTION"

RANDOM_SHOOTING = [
    Mutant("argmin", "random_shooting",
           "keeps the sample with the smallest Q (min instead of max)",
           ((BEST_OF_EACH, "best_values, best = values.min(dim=1)"),),
           r"smallest value evaluated: use argmax"),
    Mutant("max_over_observations", "random_shooting",
           "takes the max over the observations axis (dim=0) of the [B, M] values",
           ((BEST_OF_EACH, "best_values, best = values.max(dim=0)"),),
           r"IndexError.*over each observation's samples \(dim=1\)"),
    Mutant("observations_tiled", "random_shooting",
           "repeats the whole batch M times (repeat) while the samples are laid out observation by observation",
           ((REPEAT_EACH, "repeated = observations.repeat(num_samples, 1)"),),
           r"paired in different orders.*repeat_interleave"),
    Mutant("one_call_per_observation", "random_shooting",
           "loops over the observations and calls q_function once for each",
           (("    repeated = observations.repeat_interleave(num_samples, dim=0)\n"
             "    values = q_function(repeated, samples.reshape(batch_size * num_samples, action_dim))\n"
             "    values = values.reshape(batch_size, num_samples)\n",
             "    values = torch.stack([q_function(observations[b].expand(num_samples, -1), samples[b])\n"
             "                          for b in range(batch_size)])\n"),),
           r"one call per observation"),
    Mutant("float64_samples", "random_shooting",
           "converts the numpy draws without dtype=torch.float32, so the samples are float64",
           ((UNIFORM_DRAW, "uniform = torch.as_tensor(rng.random((batch_size, num_samples, action_dim)))"),),
           r"q_function takes float32 tensors.*dtype torch\.float64"),
    Mutant("global_numpy_random", "random_shooting",
           "draws the samples from np.random instead of the rng argument",
           ((UNIFORM_DRAW, "uniform = torch.as_tensor(np.random.random((batch_size, num_samples, action_dim)), "
                           "dtype=torch.float32)"),),
           r"from the rng argument"),
    Mutant("samples_shared_across_observations", "random_shooting",
           "draws M actions once and evaluates the same ones for every observation",
           ((UNIFORM_DRAW, "uniform = torch.as_tensor(rng.random((num_samples, action_dim)), "
                           "dtype=torch.float32).expand(batch_size, -1, -1)"),),
           r"share their samples"),
    Mutant("unit_box", "random_shooting",
           "assumes the action box is [-1, 1] and ignores low and high",
           ((SCALE_TO_BOX, "samples = 2 * uniform - 1"),),
           r"outside the action box"),
    Mutant("gaussian_samples", "random_shooting",
           "samples from a Gaussian around the box's centre, clipped, instead of uniformly",
           ((SCALE_TO_BOX, "samples = torch.clamp((low + high) / 2 + (high - low) / 4 * torch.as_tensor(\n"
                           "        rng.standard_normal(uniform.shape), dtype=torch.float32), low, high)"),),
           r"not uniform in"),
    Mutant("mean_value_returned", "random_shooting",
           "returns the mean of the samples' values with the best action",
           ((RS_RETURN, "    return best_actions, values.mean(dim=1)\n    ### END SOLUTION"),),
           r"Return the value of the same sample as the action"),
    Mutant("evaluates_best_again", "random_shooting",
           "evaluates the best actions again with a second q_function call to get their values",
           ((RS_RETURN, "    return best_actions, q_function(observations, best_actions)\n    ### END SOLUTION"),),
           r"One call too many"),
]

# -- cem ------------------------------------------------------------------------------------------
NOISE = ("noise = torch.as_tensor(rng.standard_normal((batch_size, num_samples, action_dim)), "
         "dtype=torch.float32)")
CLIPPED = "samples = torch.clamp(mean.unsqueeze(1) + std.unsqueeze(1) * noise, low, high)"
TOPK = "elite_index = values.topk(num_elites, dim=1).indices"
REFIT_MEAN = "mean = elites.mean(dim=1)"
REFIT_STD = "std = elites.std(dim=1, correction=0).clamp(min=min_std)"
IMPROVED = "improved = round_best > best_values"

CEM = [
    Mutant("refit_on_all_samples", "cem",
           "refits mean and std to all samples of the iteration instead of the elites",
           ((REFIT_MEAN, "mean = samples.mean(dim=1)"),
            (REFIT_STD, "std = samples.std(dim=1, correction=0).clamp(min=min_std)")),
           r"refit to all samples of the previous iteration"),
    Mutant("no_std_floor", "cem",
           "refits the std without the floor, so coinciding elites give std 0",
           ((REFIT_STD, "std = elites.std(dim=1, correction=0)"),),
           r"std collapsed to 0"),
    Mutant("no_clip", "cem",
           "samples from the Gaussian without clipping to the bounds",
           ((CLIPPED, "samples = mean.unsqueeze(1) + std.unsqueeze(1) * noise"),),
           r"outside the action box.*clip"),
    Mutant("returns_final_mean", "cem",
           "returns the final mean of the elites as the action, with the best value",
           (("    return best_actions, best_values", "    return mean, best_values"),),
           r"never passed to q_function.*not a mean"),
    Mutant("noise_shared_across_observations", "cem",
           "draws one [M, A] noise array and broadcasts it over all observations",
           ((NOISE, "noise = torch.as_tensor(rng.standard_normal((num_samples, action_dim)), dtype=torch.float32)"),),
           r"share their samples"),
    Mutant("elites_over_observations", "cem",
           "takes the top num_elites over the observations axis (dim=0)",
           ((TOPK, "elite_index = values.topk(num_elites, dim=0).indices"),),
           r"over each observation's samples \(dim=1\)"),
    Mutant("elites_lowest", "cem",
           "takes the num_elites samples with the lowest values as elites",
           ((TOPK, "elite_index = values.topk(num_elites, dim=1, largest=False).indices"),),
           r"lowest values"),
    Mutant("best_values_updated_before_comparison", "cem",
           "updates best_values before comparing with it, so best_actions never changes",
           (("        improved = round_best > best_values\n"
             "        best_values = torch.where(improved, round_best, best_values)\n",
             "        best_values = torch.maximum(round_best, best_values)\n"
             "        improved = round_best > best_values\n"),),
           r"never passed to q_function"),
    Mutant("one_call_per_observation", "cem",
           "loops over the observations and calls q_function once for each in every iteration",
           (("        repeated = observations.repeat_interleave(num_samples, dim=0)\n"
             "        values = q_function(repeated, samples.reshape(batch_size * num_samples, action_dim))\n"
             "        values = values.reshape(batch_size, num_samples)\n",
             "        values = torch.stack([q_function(observations[b].expand(num_samples, -1), samples[b])\n"
             "                              for b in range(batch_size)])\n"),),
           r"one call per observation"),
    Mutant("torch_randn", "cem",
           "draws the noise with torch.randn instead of the rng argument",
           ((NOISE, "noise = torch.randn(batch_size, num_samples, action_dim)"),),
           r"from the rng argument"),
    Mutant("best_of_last_iteration", "cem",
           "overwrites the best with each iteration's best, so only the last iteration counts",
           ((IMPROVED, "improved = torch.ones_like(round_best, dtype=torch.bool)"),),
           r"best of the last iteration only"),
    Mutant("mean_not_refit", "cem",
           "refits only the std and leaves the mean at the box's centre",
           ((REFIT_MEAN, "pass"),),
           r"centred on the previous iteration's mean"),
    Mutant("value_of_last_round", "cem",
           "returns the best action seen with the last iteration's best value",
           (("    return best_actions, best_values", "    return best_actions, round_best"),),
           r"Return the value of the same sample as the action"),
    Mutant("std_torch_default_single_elite", "cem",
           "refits the std with torch's default (divide by K - 1), which is NaN for a single elite",
           ((REFIT_STD, "std = elites.std(dim=1).clamp(min=min_std)"),),
           r"NaN or inf entries.*num_elites = 1.*correction=0"),
    Mutant("float64_noise", "cem",
           "converts the numpy noise without dtype=torch.float32, so the samples become float64",
           ((NOISE, "noise = torch.as_tensor(rng.standard_normal((batch_size, num_samples, action_dim)))"),),
           r"q_function takes float32 tensors"),
]

MUTANTS = MUTANTS + RANDOM_SHOOTING + CEM

# The later parts keep their bugs in files of their own; they import Mutant from here.
from tests import mutants_ddpg, mutants_dueling, mutants_naf, mutants_pixels, mutants_sampled_q  # noqa: E402

MUTANTS = MUTANTS + mutants_sampled_q.MUTANTS + mutants_naf.MUTANTS + mutants_ddpg.MUTANTS + mutants_dueling.MUTANTS + mutants_pixels.MUTANTS
