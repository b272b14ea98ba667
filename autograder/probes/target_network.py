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

    Returns the target and online values after the calls, then for every parameter and
    buffer of the target: whether it is still the same tensor object, whether it shares
    memory with the online network, whether it carries an autograd graph, and (for
    parameters) requires_grad; and the target's values after the online network was
    then changed in place (to expose shared storage).
    """
    import target_network

    torch.manual_seed(0)
    online = build_network(sizes, batchnorm)
    target = build_network(sizes, batchnorm)
    _load(online, online_state)
    _load(target, target_state)
    if freeze_target:
        target.requires_grad_(False)
    before = {name: tensor for name, tensor in _tensors(target).items()}
    for call in calls:
        if call["fn"] == "hard_update":
            target_network.hard_update(target, online)
        else:
            target_network.polyak_update(target, online, call["tau"])
    after = _tensors(target)
    online_tensors = _tensors(online)
    parameter_names = {name for name, _ in target.named_parameters()}
    report = {
        "target": _snapshot(target),
        "online": _snapshot(online),
        "missing": sorted(set(before) - set(after)),
        "same_object": {name: after.get(name) is tensor for name, tensor in before.items()},
        "shares_memory": {
            name: bool(name in online_tensors and tensor.numel() > 0
                       and tensor.untyped_storage().data_ptr()
                       == online_tensors[name].untyped_storage().data_ptr())
            for name, tensor in after.items()
        },
        "has_graph": {name: tensor.grad_fn is not None for name, tensor in after.items()},
        "requires_grad": {name: bool(after[name].requires_grad) for name in parameter_names if name in after},
        "expected_requires_grad": not freeze_target,
    }
    with torch.no_grad():
        for tensor in online.parameters():
            tensor.add_(1000.0)
        for tensor in online.buffers():
            tensor.add_(1000)
    report["target_after_online_moved"] = _snapshot(target)
    return report


PROBES = {"run": run}
