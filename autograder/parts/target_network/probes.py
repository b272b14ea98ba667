"""Probes for the student's ``target_network.py`` (runs in the worker)."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


def build_network(sizes: list[int], batchnorm: bool) -> nn.Sequential:
    """An MLP ``sizes[0] -> ... -> sizes[-1]``, with BatchNorm after each hidden layer so
    that the network has buffers (float running statistics and an int64 counter)."""
    layers: list[nn.Module] = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            if batchnorm:
                layers.append(nn.BatchNorm1d(fan_out))
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _load(network: nn.Module, state: dict[str, np.ndarray]) -> None:
    current = network.state_dict()
    network.load_state_dict(
        {name: torch.as_tensor(state[name]).to(current[name].dtype) for name in current}
    )


def _tensors(network: nn.Module) -> dict[str, torch.Tensor]:
    named = dict(network.named_parameters())
    named.update(dict(network.named_buffers()))
    return named


def _snapshot(network: nn.Module) -> dict[str, np.ndarray]:
    snapshot = {}
    for name, tensor in _tensors(network).items():
        data = tensor.detach()
        snapshot[name] = data.to(torch.float64 if data.is_floating_point() else torch.int64).numpy().copy()
    return snapshot


def run(sizes: list[int], batchnorm: bool, online_state: dict[str, np.ndarray],
        target_state: dict[str, np.ndarray], calls: list[dict[str, Any]],
        freeze_target: bool = False) -> dict[str, Any]:
    """Build online and target networks, apply the student's updates, report what happened.

    calls: a list of {"fn": "hard_update"} or {"fn": "polyak_update", "tau": t}.
    freeze_target: call ``requires_grad_(False)`` on the target first, as DQN code often does.

    Returns the target and online values after the calls, and raw facts for the grader to
    judge: the target's tensor names before and after; which tensor objects the target held
    before and after, and which storages the target and the online network hold after, each
    as a label (tensors with the same label are the same object, or share one storage); each
    target tensor's ``grad_fn`` (its type name, or None) and ``requires_grad``; and the target's values after the online network was then changed in
    place (to expose shared storage).
    """
    import target_network

    torch.manual_seed(0)
    online = build_network(sizes, batchnorm)
    target = build_network(sizes, batchnorm)
    _load(online, online_state)
    _load(target, target_state)
    if freeze_target:
        target.requires_grad_(False)
    before = _tensors(target)
    for call in calls:
        if call["fn"] == "hard_update":
            target_network.hard_update(target, online)
        else:
            target_network.polyak_update(target, online, call["tau"])
    after = _tensors(target)
    online_tensors = _tensors(online)
    objects: dict[int, int] = {}
    storages: dict[int, int] = {}

    def object_label(tensor: torch.Tensor) -> int:
        return objects.setdefault(id(tensor), len(objects))

    def storage_label(tensor: torch.Tensor) -> int:
        return storages.setdefault(tensor.untyped_storage().data_ptr(), len(storages))

    report = {
        "target": _snapshot(target),
        "online": _snapshot(online),
        "names_before": sorted(before),
        "names_after": sorted(after),
        "objects_before": {name: object_label(tensor) for name, tensor in before.items()},
        "objects_after": {name: object_label(tensor) for name, tensor in after.items()},
        "storages_target": {name: storage_label(tensor) for name, tensor in after.items()},
        "storages_online": {name: storage_label(tensor) for name, tensor in online_tensors.items()},
        "grad_fn": {name: None if tensor.grad_fn is None else type(tensor.grad_fn).__name__
                    for name, tensor in after.items()},
        "requires_grad": {name: bool(tensor.requires_grad) for name, tensor in after.items()},
    }
    with torch.no_grad():
        for tensor in online.parameters():
            tensor.add_(1000.0)
        for tensor in online.buffers():
            tensor.add_(1000)
    report["target_after_online_moved"] = _snapshot(target)
    return report


PROBES = {"run": run}
