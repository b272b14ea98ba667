"""Fixture cases for part replay_buffer: transitions whose every field reveals its index,
and the adds and samples to run on a buffer of a given capacity."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.parts._secret_common import case
from autograder.parts.replay_buffer.checks import REWARD_OFFSET


def make_transitions(count: int, obs_shape: tuple[int, ...], action_dim: int | None,
                     terminal_every: int = 5, truncate_every: int = 7) -> dict[str, np.ndarray]:
    """Transitions whose fields all reveal their index k: reward k + REWARD_OFFSET, obs
    built from k + 1, next_obs its negative, so a mixed-up or empty slot is recognisable.
    Transition k is terminal when k % terminal_every == 3 and truncated when
    k % truncate_every == 5."""
    index = np.arange(count)
    pattern = 0.01 * np.arange(int(np.prod(obs_shape)), dtype=np.float64).reshape(obs_shape)
    obs = (index + 1).reshape(-1, *[1] * len(obs_shape)) + pattern
    if action_dim is None:
        actions = (index * 7 + 1) % 3
    else:
        actions = ((index + 1) * 0.125)[:, None] * np.linspace(1.0, -1.0, action_dim)[None, :]
    truncated = index % truncate_every == 5
    return {
        "obs": obs.astype(np.float32),
        "actions": actions.astype(np.int64 if action_dim is None else np.float32),
        "rewards": (index + REWARD_OFFSET).astype(np.float32),
        "next_obs": (-obs).astype(np.float32),
        "terminated": (index % terminal_every == 3) & ~truncated,
        "truncated": truncated,
    }


def buffer_case(capacity: int, obs_shape: tuple[int, ...], action_dim: int | None,
                ops: list[dict[str, Any]], count: int, golden: bool = True, **pattern: int) -> dict:
    return case(
        "replay_buffer.run", golden=golden, capacity=capacity, obs_shape=list(obs_shape),
        action_dim=action_dim, transitions=make_transitions(count, obs_shape, action_dim, **pattern),
        ops=ops,
    )


def add(first: int, count: int = 1) -> dict:
    return {"op": "add", "first": first, "count": count}


def sample(batch_size: int, seed: int, global_seed: int = 0) -> dict:
    return {"op": "sample", "batch_size": batch_size, "seed": seed, "global_seed": global_seed}


def sample_rewards(batch_size: int, draws: int, seed: int) -> dict:
    return {"op": "sample_rewards", "batch_size": batch_size, "draws": draws, "seed": seed}


LEN = {"op": "len"}


def cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        return {
            "len_counts_to_capacity": buffer_case(
                5, (3,), None, [step for k in range(7) for step in (add(k), LEN)], count=7),
            "batch_dtypes_discrete": buffer_case(8, (3,), None, [add(0, 5), sample(4, seed=1)], count=5),
            "contents_before_wrap": buffer_case(
                8, (3,), None, [add(0, 5), sample(200, seed=2)], count=5, golden=False),
            "contents_after_wrap": buffer_case(
                5, (3,), None, [add(0, 12), sample(300, seed=3)], count=12, golden=False),
            "uniform_sampling": buffer_case(
                10, (2,), None, [add(0, 25), sample_rewards(500, 40, seed=4)], count=25, golden=False),
            "same_seed_same_batch": buffer_case(
                16, (2,), None,
                [add(0, 20), sample(32, seed=5, global_seed=1), sample(32, seed=5, global_seed=2),
                 sample(32, seed=6, global_seed=1)],
                count=20, golden=False),
        }
    eviction_ops: list[dict] = []
    for k in range(11):
        eviction_ops += [add(k), sample(120, seed=100 + k)]
    return {
        "batch_dtypes_continuous": buffer_case(6, (3,), 2, [add(0, 4), sample(5, seed=7)], count=4),
        "contents_continuous": buffer_case(
            6, (3,), 2, [add(0, 9), sample(200, seed=8)], count=9, golden=False),
        "eviction_order": buffer_case(4, (2,), None, eviction_ops, count=11, golden=False),
        "terminated_vs_truncated": buffer_case(
            40, (2,), None, [add(0, 35), sample(2000, seed=9)], count=35, golden=False,
            terminal_every=4, truncate_every=3),
        "capacity_one": buffer_case(
            1, (2,), None, [add(0, 1), LEN, add(1, 3), LEN, sample(10, seed=10)], count=4, golden=False),
        "image_observations": buffer_case(
            5, (2, 3), None, [add(0, 7), sample(100, seed=11)], count=7, golden=False),
        "uniform_after_many_wraps": buffer_case(
            7, (1,), None, [add(0, 53), sample_rewards(700, 40, seed=12)], count=53, golden=False),
        "batch_larger_than_buffer": buffer_case(
            10, (2,), None, [add(0, 3), sample(32, seed=13)], count=3, golden=False),
    }


