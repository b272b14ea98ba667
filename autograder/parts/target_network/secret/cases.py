"""Fixture cases for part target_network: fixed online and target states, and the update
calls to make on them."""
from __future__ import annotations

import numpy as np

from autograder.parts._secret_common import case


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


def cases(visibility: str) -> dict[str, dict]:
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


