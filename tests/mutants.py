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
           r"two fields are swapped"),
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
           r"Integer buffers are copied from the online network"),
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
