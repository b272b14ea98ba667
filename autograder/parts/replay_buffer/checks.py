"""Checks on replay-buffer output, shared by the public and hidden replay_buffer tests.

Transition k of a fixture has reward k + 1.25 and every other field derived from k (see
``autograder.fixtures.make_transitions``), so each sampled row names the transition it
came from and can be compared with it field by field. Which transitions are stored is
read off large samples; nothing here depends on how the buffer keeps them.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.graders.support import call_with_hint, fail, hint_from_table, show

# The fixtures give transition k the reward k + REWARD_OFFSET: nonzero, so an empty slot
# stands out, and not a whole number, so rewards that went through an integer array do too.
REWARD_OFFSET = 1.25

FIELDS = ("observations", "actions", "rewards", "next_observations", "terminated", "truncated")
FALSE_ALARM = 1e-6  # per uniformity check; a whole grading run has fewer than 100 of them

# (pattern, hint): an exception from the student's code whose message and location
# (``at <file>, line <n>, in <function>: <source>``) match the pattern gets the hint.
ERROR_HINTS = (
    (r"out of bounds(?s:.*)\bin add\b",
     "add() wrote past the last slot: slots are 0..capacity - 1, so the write position must "
     "wrap to 0 when it reaches capacity (next_index = (next_index + 1) % capacity)."),
    (r"out of bounds(?s:.*)\bin sample\b",
     "sample() used an index past the last slot: draw indices in 0..len(self) - 1, and "
     "len(self) never exceeds the capacity."),
    (r"modulo by zero",
     "A modulo by zero: wrap the write position with % capacity, which is at least 1. Possible "
     "causes: % (capacity - 1), which is 0 for a buffer of capacity 1, or % len(self) while the "
     "buffer is still empty."),
    (r"larger sample than population",
     "Draw with replacement: a batch may be larger than the number stored (rng.integers, or "
     "rng.choice with replace=True)."),
    (r"high <= 0",
     "rng.integers was given an upper bound of 0 although transitions were added: the bound is "
     "the number stored, len(self). Possible causes: the write position used as the bound (it is "
     "0 right after the buffer wraps), or a count of stored transitions that add() never raises."),
)


def run(student, case: dict[str, Any]) -> list:
    """Run one fixture case on the student's buffer; a known error gets a hint."""
    return call_with_hint(student, case, hint_from_table(ERROR_HINTS))


def expected_layout(batch_size: int, obs_shape: list[int], action_dim: int | None) -> dict[str, tuple[str, list[int]]]:
    action = ("int64", [batch_size]) if action_dim is None else ("float32", [batch_size, action_dim])
    return {
        "observations": ("float32", [batch_size, *obs_shape]),
        "actions": action,
        "rewards": ("float32", [batch_size]),
        "next_observations": ("float32", [batch_size, *obs_shape]),
        "terminated": ("float32", [batch_size]),
        "truncated": ("float32", [batch_size]),
    }


def check_layout(batch: dict[str, Any], batch_size: int, obs_shape: list[int], action_dim: int | None) -> None:
    """Every field has the documented dtype and shape."""
    for name, (dtype, shape) in expected_layout(batch_size, obs_shape, action_dim).items():
        got_dtype, got_shape = batch[name]["dtype"], batch[name]["shape"]
        if got_shape != shape:
            hint = ""
            if got_shape == shape + [1]:
                hint = (" An extra trailing axis of size 1: keep one value per transition, stored as [capacity], "
                        "not [capacity, 1], and returned as [B].")
            elif name == "actions" and action_dim is None and len(got_shape) == 2:
                hint = " Discrete actions are one int per transition: shape [B], not [B, 1]."
            fail(f"sample({batch_size}) returned batch.{name} with shape {got_shape}; expected {shape}.{hint}")
        if got_dtype != dtype:
            hint = {
                "float64": (" numpy arrays default to float64: allocate storage with dtype=np.float32 (or "
                            "convert to float32 when sampling)."),
                "bool": " Store the flags as float32 (0.0/1.0) so that 1 - terminated works in the target.",
            }.get(got_dtype, "")
            if name == "actions" and action_dim is None:
                hint = " Discrete actions index Q-values (torch.gather needs int64)."
            fail(f"batch.{name} has dtype {got_dtype}; expected {dtype}.{hint}")


def ids_from_rewards(rewards: np.ndarray, added: int) -> np.ndarray:
    """The index of the transition behind each sampled reward (transition k has reward
    k + REWARD_OFFSET)."""
    ids = np.rint(rewards - REWARD_OFFSET).astype(np.int64)
    bad = (np.abs(rewards - (ids + REWARD_OFFSET)) > 1e-6) | (ids < 0) | (ids >= added)
    if np.any(bad):
        value = rewards[np.flatnonzero(bad)[0]]
        if np.all(rewards == 0):
            fail(f"Every sampled reward is 0, but the rewards added were {REWARD_OFFSET:g} .. "
                 f"{added - 1 + REWARD_OFFSET:g}: the rewards are not stored, or not read back from where add() "
                 "writes them.")
        if np.all(rewards[bad] == 0):
            fail("sample() returned rows with reward 0 among the stored ones, though no reward added was 0: "
                 "a slot that was never written. Likely cause: sample() draws indices from the whole capacity "
                 "(or from one slot too many) instead of only the len(self) filled slots, or add() skips a "
                 "slot because the write position wraps too early.")
        whole = np.all(rewards == np.rint(rewards)) and np.all((rewards >= 1) & (rewards <= added))
        if whole and np.unique(rewards).size > 2:
            fail(f"sample() returned the reward {value:g}, but the reward added was "
                 f"{value - 1 + REWARD_OFFSET:g}: every sampled reward is a whole number, so rewards lose their "
                 "fractional part. Likely cause: rewards stored in an integer array (e.g. allocated with the "
                 "actions' dtype); store them as float32.")
        fail(f"sample() returned a reward {value:g} that was never added (the rewards added were "
             f"{REWARD_OFFSET:g} .. {added - 1 + REWARD_OFFSET:g}): the rewards are not the stored ones.")
    return ids


def sampled_ids(rewards: np.ndarray, added: int, capacity: int, context: str) -> np.ndarray:
    """Like :func:`ids_from_rewards`, and every id is one of the newest ``capacity``."""
    ids = ids_from_rewards(rewards, added)
    oldest = max(0, added - capacity)
    stale = sorted(set(int(i) for i in np.unique(ids)) - set(range(oldest, added)))
    if stale:
        fail(f"{context}, sampling returned transition(s) #{stale[:6]}, which are not among the "
             f"{added - oldest} newest (#{oldest}..#{added - 1}). Likely cause: the write position "
             "does not wrap to the oldest slot, the wrong slot is overwritten, or the buffer keeps more "
             "than capacity transitions.")
    return ids


def row_ids(batch: dict[str, Any], transitions: dict[str, np.ndarray], added: int) -> np.ndarray:
    """The index of the transition behind each sampled row, after checking every field of
    the row against that transition."""
    ids = ids_from_rewards(batch["rewards"]["values"], added)
    sources = {
        "observations": transitions["obs"],
        "actions": transitions["actions"],
        "next_observations": transitions["next_obs"],
        "terminated": transitions["terminated"].astype(np.float64),
        "truncated": transitions["truncated"].astype(np.float64),
    }
    for name, source in sources.items():
        expected = source[ids].astype(np.float64)
        got = batch[name]["values"].reshape(expected.shape) if batch[name]["values"].size == expected.size else None
        if got is None:
            fail(f"batch.{name} has {batch[name]['values'].size} values for {len(ids)} rows.")
        mismatch = ~np.isclose(got, expected, atol=1e-6, rtol=1e-6)
        if np.any(mismatch):
            rows = np.flatnonzero(mismatch.reshape(len(ids), -1).any(axis=1))
            row = int(rows[0])
            next_slot_rows = [int(r) for r in rows if name == "next_observations"
                              and _is_next_observation(got[r], ids[r], transitions)]
            if next_slot_rows:
                row = next_slot_rows[0]
                detail = ("It holds the observation of the transition added after it. Store next_obs "
                          "with each transition instead of reading the next slot: consecutive slots "
                          "are not consecutive steps when an episode ends or the buffer wraps.")
            elif name in ("terminated", "truncated"):
                detail = _describe_flag_mismatch(name, batch, transitions, ids)
            else:
                detail = _describe_mismatch(name, got[row], ids[row], sources, added)
            fail(f"Row {row} of the batch has reward {ids[row] + REWARD_OFFSET:g} (transition #{ids[row]}), but its "
                 f"{name} is {show(got[row])} instead of {show(expected[row])}. {detail}".strip())
    return ids


def _flag_column(batch: dict[str, Any], name: str, rows: int) -> np.ndarray | None:
    values = batch[name]["values"]
    return values.reshape(-1).astype(np.float64) if values.size == rows else None


def _describe_flag_mismatch(name: str, batch: dict[str, Any], transitions: dict[str, np.ndarray],
                            ids: np.ndarray) -> str:
    """Name the mix-up of terminated and truncated that explains every sampled row.

    One row is ambiguous (a row with both flags 0 fits every mix-up), so each guess is
    checked against the whole column."""
    true = {flag: transitions[flag][ids].astype(np.float64) for flag in ("terminated", "truncated")}
    got = {flag: _flag_column(batch, flag, len(ids)) for flag in ("terminated", "truncated")}
    other = "truncated" if name == "terminated" else "terminated"

    def column_is(flag: str, values: np.ndarray) -> bool:
        return got[flag] is not None and np.array_equal(got[flag], values)

    if column_is("terminated", true["truncated"]) and column_is("truncated", true["terminated"]):
        return "terminated and truncated are swapped: store each flag in its own array."
    if name == "terminated" and column_is("terminated", np.maximum(true["terminated"], true["truncated"])):
        return ("It looks like terminated or truncated was stored as the terminal flag; store "
                "terminated alone (a time limit is not a terminal state: the target must still "
                "bootstrap there).")
    if column_is(name, true[other]):
        return f"It looks like the {other} flag was stored in place of {name}."
    return f"Check how {name} is stored."


def _is_next_observation(got: np.ndarray, index: int, transitions: dict[str, np.ndarray]) -> bool:
    """Whether ``got`` is the observation of transition ``index + 1``."""
    return index + 1 < len(transitions["obs"]) and np.allclose(transitions["obs"][index + 1], got)


def _describe_mismatch(name: str, got: np.ndarray, index: int, sources: dict, added: int) -> str:
    """What the wrong value is, if it is a stored value: another field of the same transition,
    or this field of another transition."""
    for other_name, source in sources.items():
        if other_name != name and source[index].shape == np.shape(got) and np.allclose(source[index], got):
            return (f"It holds the transition's {other_name}: {name} and {other_name} are mixed up (swapped, or "
                    "one stored in place of the other).")
    source = sources[name][:added]
    same = [other for other in range(len(source))
            if other != index and source[other].shape == np.shape(got) and np.allclose(source[other], got)]
    if same:
        return (f"It is the {name} of transition #{same[0]}: the fields of one row must all come from the same "
                "transition; index every array with the same indices.")
    return ("It is no stored value of that field. Possible causes: the value was changed when stored or sampled "
            "(a dtype or shape conversion), or the field is read from the wrong array.")


def expect_stored(ids: np.ndarray, added: int, capacity: int, context: str) -> None:
    """The sampled ids cover exactly the newest ``min(added, capacity)`` transitions."""
    expected = set(range(max(0, added - capacity), added))
    seen = set(int(i) for i in np.unique(ids))
    stale = sorted(seen - expected)
    missing = sorted(expected - seen)
    if stale:
        fail(f"{context}: the buffer should hold transitions #{min(expected)}..#{max(expected)} "
             f"(the {len(expected)} newest), but sampling returned transition(s) #{stale[:6]}, which "
             "should have been overwritten. Likely cause: the write position does not wrap to "
             "the oldest slot, the wrong slot is overwritten, or the buffer keeps more than capacity "
             "transitions.")
    if missing:
        fail(f"{context}: the buffer should hold transitions #{min(expected)}..#{max(expected)}, but "
             f"transition(s) #{missing[:6]} never came out of a large sample. Likely cause: a newer "
             "transition was written over the wrong slot, or sampling skips part of the buffer.")


def uniformity_tolerance(draws: int, stored: int, false_alarm: float = FALSE_ALARM) -> float:
    """Hoeffding + union bound: for a uniform sampler, every stored item's share of
    ``draws`` deviates from 1/stored by more than this with probability below
    ``false_alarm``.  P(|share - 1/n| > eps) <= 2 exp(-2 draws eps^2) for each of n items."""
    return math.sqrt(math.log(2 * stored / false_alarm) / (2 * draws))


def expect_uniform(ids: np.ndarray, stored_ids: list[int], context: str) -> None:
    counts = np.array([np.sum(ids == i) for i in stored_ids], dtype=np.float64)
    shares = counts / len(ids)
    tolerance = uniformity_tolerance(len(ids), len(stored_ids))
    deviation = np.abs(shares - 1.0 / len(stored_ids))
    if np.any(deviation > tolerance):
        worst = int(np.argmax(deviation))
        newest = sorted(stored_ids)[-3:]
        fail(f"{context}: each of the {len(stored_ids)} stored transitions should come up about "
             f"{100 / len(stored_ids):.1f}% of the time, but transition #{stored_ids[worst]} came up "
             f"{100 * shares[worst]:.1f}% (allowed: ±{100 * tolerance:.1f} points, a margin a fair "
             f"sampler exceeds with probability below {FALSE_ALARM:g}). Shares of the newest "
             f"#{newest}: {show(100 * shares[-3:])}%. Draw indices uniformly over all stored slots.")


def expect_independent_rows(ids: np.ndarray, batch_size: int, stored_ids: list[int], context: str) -> None:
    """The rows of one batch are independent draws. For independent uniform draws from n stored
    transitions (n consecutive numbers), the step from one row's transition number to the next,
    modulo n, is again uniform over its n values, and independent from one pair of rows to the next
    (each row is drawn afresh, whatever came before). So the steps' shares obey the same bound as
    the transitions' shares in :func:`expect_uniform`, while a batch that is a run of consecutive
    transitions (pooled shares still uniform) puts every step on +1."""
    stored = len(stored_ids)
    batches = ids.reshape(-1, batch_size)
    steps = ((batches[:, 1:] - batches[:, :-1]) % stored).reshape(-1)
    shares = np.bincount(steps, minlength=stored) / steps.size
    tolerance = uniformity_tolerance(steps.size, stored)
    deviation = np.abs(shares - 1.0 / stored)
    if not np.any(deviation > tolerance):
        return
    worst = int(np.argmax(deviation))
    hint = " So the rows of one batch are not independent draws: draw every row's index on its own."

    def every_batch_sorted(keys: np.ndarray) -> bool:
        return bool(np.all(np.diff(keys, axis=1) >= 0))

    if shares[1 % stored] >= 1 - tolerance:
        hint = (" Nearly every row is the transition after the previous row's: each batch is a run of consecutive "
                "transitions from one random start, the correlation replay is there to break. Draw every "
                "row's index on its own (rng.integers(0, len(self), size=batch_size)).")
    elif all(np.unique(batch).size == 1 for batch in batches):
        hint = (" Every batch repeats one transition: draw every row's index on its own "
                "(rng.integers(0, len(self), size=batch_size)).")
    elif every_batch_sorted(batches) or every_batch_sorted(batches % stored):
        hint = (" The rows of every batch come in sorted order (as np.sort or np.unique of the indices gives): "
                "keep the indices in the order they were drawn.")
    fail(f"{context}: within a batch, consecutive rows should be independent draws, so the step from one row's "
         f"transition number to the next (modulo the {stored} stored) should take each of its {stored} values "
         f"about {100 / stored:.1f}% of the time; a step of +{worst} came up {100 * shares[worst]:.1f}% over "
         f"{steps.size:,} pairs of rows (allowed: ±{100 * tolerance:.1f} points, a margin independent uniform "
         f"draws exceed with probability below {FALSE_ALARM:g}).{hint}")


def expect_same_batch(first: dict[str, Any], second: dict[str, Any], message: str) -> None:
    for name in FIELDS:
        if first[name]["shape"] != second[name]["shape"] or not np.array_equal(
            first[name]["values"], second[name]["values"]
        ):
            fail(message)


def batches_differ(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return not np.array_equal(first["rewards"]["values"], second["rewards"]["values"])

