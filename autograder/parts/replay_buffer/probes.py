"""Probes for the student's ``replay_buffer.py`` (runs in the worker)."""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from autograder.probes._convert import tensor_to_plain
from autograder.worker import ProbeInputError

BATCH_FIELDS = ("observations", "actions", "rewards", "next_observations", "terminated", "truncated")


def _batch_to_plain(batch: Any) -> dict[str, Any]:
    missing = [field for field in BATCH_FIELDS if not hasattr(batch, field)]
    if missing:
        raise ProbeInputError(
            f"sample() returned a {type(batch).__name__} without the field(s) {missing}; "
            "it should return dqkit.batch.Batch(observations=..., actions=..., rewards=..., "
            "next_observations=..., terminated=..., truncated=...)"
        )
    return {field: tensor_to_plain(getattr(batch, field), f"batch.{field}") for field in BATCH_FIELDS}


def _transition(transitions: dict[str, np.ndarray], index: int) -> tuple:
    # The types env.step produces: float32 arrays, a Python int or a float32 array, a
    # Python float, Python bools.
    actions = transitions["actions"]
    action = int(actions[index]) if actions.ndim == 1 else actions[index].astype(np.float32)
    return (
        transitions["obs"][index].astype(np.float32),
        action,
        float(transitions["rewards"][index]),
        transitions["next_obs"][index].astype(np.float32),
        bool(transitions["terminated"][index]),
        bool(transitions["truncated"][index]),
    )


def run(capacity: int, obs_shape: list[int], action_dim: int | None,
        transitions: dict[str, np.ndarray], ops: list[dict[str, Any]]) -> list[Any]:
    """Build a buffer, apply ``ops`` in order and return one result per op.

    ops:
        {"op": "add", "first": i, "count": n}: add transitions i .. i+n-1; returns null.
        {"op": "len"}: returns len(buffer) as an int.
        {"op": "sample", "batch_size": B, "seed": s, "global_seed": g}: seeds the global
            generators (random, numpy, torch) with g, then samples with
            np.random.default_rng(s); returns the whole batch.
        {"op": "sample_rewards", "batch_size": B, "draws": k, "seed": s}: k samples from
            one generator seeded with s; returns only their rewards, concatenated [k*B].
    """
    import replay_buffer

    buffer = replay_buffer.ReplayBuffer(capacity, tuple(obs_shape), action_dim)
    results: list[Any] = []
    for op in ops:
        kind = op["op"]
        if kind == "add":
            for index in range(op["first"], op["first"] + op["count"]):
                buffer.add(*_transition(transitions, index))
            results.append(None)
        elif kind == "len":
            results.append(int(len(buffer)))
        elif kind == "sample":
            random.seed(op["global_seed"])
            np.random.seed(op["global_seed"])
            torch.manual_seed(op["global_seed"])
            batch = buffer.sample(op["batch_size"], np.random.default_rng(op["seed"]))
            results.append(_batch_to_plain(batch))
        elif kind == "sample_rewards":
            rng = np.random.default_rng(op["seed"])
            rewards = []
            for _ in range(op["draws"]):
                batch = buffer.sample(op["batch_size"], rng)
                plain = tensor_to_plain(getattr(batch, "rewards", None), "batch.rewards")
                if plain["shape"] != [op["batch_size"]]:
                    raise ProbeInputError(
                        f"batch.rewards has shape {plain['shape']}, expected [{op['batch_size']}]"
                    )
                rewards.append(plain["values"])
            results.append(np.concatenate(rewards))
        else:
            raise ValueError(f"unknown op {kind!r}")
    return results


PROBES = {"run": run}
