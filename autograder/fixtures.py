"""Golden fixtures: fixed inputs, and what the reference solution returns on them.

``python -m autograder fixtures`` runs every case below on ``solutions/`` (in a worker, like
a student submission) and writes ``autograder/graders/fixtures/{public,hidden}/<part>.json``.
Grading then needs only those files, never the reference source. ``--check`` fails if the
stored files differ from what the reference produces now.

A case is ``{"probe": ..., "args": ..., "golden": <reference result>}``; a case built with
``golden=False`` stores no result (its test judges the output by a property instead). A
case may also carry ``"calibration"``: arguments that replace some of ``args`` for the
reference run only (for example many more seeds than the test gives the student), so that
the golden result is a sample of the reference's behaviour to compare a student's against.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from autograder import cases_continuous, cases_ddpg, cases_dqn, cases_naf, cases_sampled_q, wire
from autograder.graders.buffer_checks import REWARD_OFFSET
from autograder.parts import FIXTURES_DIR, PARTS, Part
from autograder.sandbox import UNBUDGETED, Worker

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO_ROOT / "solutions"


def case(probe: str, golden: bool = True, **args: Any) -> dict[str, Any]:
    return {"probe": probe, "args": args, "golden": golden}


# -- replay_buffer ----------------------------------------------------------------------


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


def replay_buffer_cases(visibility: str) -> dict[str, dict]:
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


# -- target_network ---------------------------------------------------------------------
def network_states(sizes: list[int], batchnorm: bool, seed: int) -> tuple[dict, dict]:
    """Random but fixed online and target states for ``probes.target_network.build_network``."""
    rng = np.random.default_rng(seed)
    shapes: dict[str, tuple[int, ...]] = {}
    layer = 0
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes[f"{layer}.weight"], shapes[f"{layer}.bias"] = (fan_out, fan_in), (fan_out,)
        layer += 1
        if index < len(sizes) - 2:
            if batchnorm:
                for name in ("weight", "bias", "running_mean", "running_var"):
                    shapes[f"{layer}.{name}"] = (fan_out,)
                shapes[f"{layer}.num_batches_tracked"] = ()
                layer += 1
            layer += 1  # ReLU

    def state(offset: float) -> dict[str, np.ndarray]:
        values = {}
        for name, shape in shapes.items():
            if name.endswith("num_batches_tracked"):
                values[name] = np.array(rng.integers(1, 100), dtype=np.int64)
            elif name.endswith("running_var"):
                values[name] = rng.uniform(0.5, 2.0, shape).astype(np.float32)
            else:
                values[name] = (offset + rng.normal(0.0, 1.0, shape)).astype(np.float32)
        return values

    return state(2.0), state(-2.0)


def network_case(sizes: list[int], calls: list[dict], seed: int, batchnorm: bool = True,
                 freeze_target: bool = False) -> dict:
    online, target = network_states(sizes, batchnorm, seed)
    return case("target_network.run", sizes=sizes, batchnorm=batchnorm, online_state=online,
                target_state=target, calls=calls, freeze_target=freeze_target)


HARD = {"fn": "hard_update"}


def polyak(tau: float) -> dict:
    return {"fn": "polyak_update", "tau": tau}


def target_network_cases(visibility: str) -> dict[str, dict]:
    if visibility == "public":
        return {
            "hard_update": network_case([3, 4, 2], [HARD], seed=1),
            "polyak_tau_0.1": network_case([3, 4, 2], [polyak(0.1)], seed=2),
            "polyak_tau_1": network_case([3, 4, 2], [polyak(1.0)], seed=3),
            "polyak_tau_0": network_case([3, 4, 2], [polyak(0.0)], seed=4),
        }
    return {
        "polyak_deeper_tau_0.25": network_case([5, 6, 6, 3], [polyak(0.25)], seed=5),
        "polyak_repeated": network_case([3, 4, 2], [polyak(0.2)] * 5, seed=6),
        "polyak_frozen_target": network_case([3, 4, 2], [polyak(0.5)], seed=7, freeze_target=True),
        "hard_update_frozen_target": network_case([3, 4, 2], [HARD], seed=8, freeze_target=True),
        "polyak_no_batchnorm": network_case([4, 3, 2], [polyak(0.7)], seed=9, batchnorm=False),
    }


BUILDERS: dict[str, Callable[[str], dict[str, dict]]] = {
    "replay_buffer": replay_buffer_cases,
    "target_network": target_network_cases,
    **cases_dqn.BUILDERS,
    **cases_continuous.BUILDERS,
    **cases_sampled_q.BUILDERS,
    **cases_naf.BUILDERS,
    **cases_ddpg.BUILDERS,
}


def build(solutions: Path = SOLUTIONS, parts: Iterable[Part] = PARTS) -> dict[Path, str]:
    """Run every case of ``parts`` on the reference; return fixture path -> file text."""
    files: dict[Path, str] = {}
    with Worker(solutions, [part.name for part in PARTS], UNBUDGETED) as worker:
        for part in parts:
            for visibility in ("public", "hidden"):
                cases = BUILDERS[part.name](visibility)
                for spec in cases.values():
                    if spec["golden"]:
                        args = {**spec["args"], **spec.get("calibration", {})}
                        spec["golden"] = worker.call(spec["probe"], args, timeout=120)
                    else:
                        spec["golden"] = None
                files[FIXTURES_DIR / visibility / f"{part.name}.json"] = wire.dumps(cases)
    return files


def same_values(new: Any, old: Any, rtol: float = 1e-9) -> bool:
    """Whether two fixtures hold the same data, floats equal to ``rtol``: the last bits of a
    matrix product differ between processors' BLAS kernels, and that is not a change."""
    if isinstance(new, dict):
        return isinstance(old, dict) and new.keys() == old.keys() and all(
            same_values(new[key], old[key], rtol) for key in new)
    if isinstance(new, list):
        return isinstance(old, list) and len(new) == len(old) and all(
            same_values(a, b, rtol) for a, b in zip(new, old))
    if isinstance(new, np.ndarray):
        if not isinstance(old, np.ndarray) or new.shape != old.shape or new.dtype != old.dtype:
            return False
        if new.dtype.kind == "f":
            return bool(np.allclose(new, old, rtol=rtol, atol=0.0, equal_nan=True))
        return bool(np.array_equal(new, old))
    if isinstance(new, float) and isinstance(old, float):
        return bool(np.isclose(new, old, rtol=rtol, atol=0.0, equal_nan=True))
    return type(new) is type(old) and new == old


def stale(files: dict[Path, str]) -> list[Path]:
    """The fixture files whose content differs from ``files`` (beyond float rounding)."""
    return [path for path, text in files.items()
            if not path.exists() or (path.read_text(encoding="utf-8") != text
                                     and not same_values(wire.loads(text), wire.loads(path.read_text(encoding="utf-8"))))]
