"""Correct target-network updates, written differently from the reference: a new state
dict is computed out of place (``torch.lerp``) and loaded with ``load_state_dict``, which
copies it into the target's own tensors; the hard update loads a deep copy."""
from __future__ import annotations

import copy

import torch
from torch import nn

from dqkit.checks import check_same_architecture, check_tau


def hard_update(target_network: nn.Module, online_network: nn.Module) -> None:
    check_same_architecture(target_network, online_network)
    target_network.load_state_dict(copy.deepcopy(online_network.state_dict()))


def polyak_update(target_network: nn.Module, online_network: nn.Module, tau: float) -> None:
    check_same_architecture(target_network, online_network)
    tau = check_tau(tau)
    online_state = online_network.state_dict()
    with torch.no_grad():
        averaged = {
            name: torch.lerp(target_tensor, online_state[name], tau)
            if target_tensor.is_floating_point() else online_state[name]
            for name, target_tensor in target_network.state_dict().items()
        }
    target_network.load_state_dict(averaged)
