"""Correct target-network updates, written differently from the reference: the online
network's tensors looked up by name in a dict of ``named_parameters`` and
``named_buffers``, and the average written out as tau*online + (1-tau)*target."""
from __future__ import annotations

import torch
from torch import nn

from dqkit.checks import check_same_architecture, check_tau


def _named_tensors(network: nn.Module) -> dict[str, torch.Tensor]:
    return {**dict(network.named_parameters()), **dict(network.named_buffers())}


def hard_update(target_network: nn.Module, online_network: nn.Module) -> None:
    check_same_architecture(target_network, online_network)
    online = _named_tensors(online_network)
    with torch.no_grad():
        for name, target_tensor in _named_tensors(target_network).items():
            target_tensor.copy_(online[name])


def polyak_update(target_network: nn.Module, online_network: nn.Module, tau: float) -> None:
    check_same_architecture(target_network, online_network)
    tau = check_tau(tau)
    online = _named_tensors(online_network)
    with torch.no_grad():
        for name, target_tensor in _named_tensors(target_network).items():
            if target_tensor.dtype.is_floating_point:
                target_tensor.copy_(tau * online[name] + (1 - tau) * target_tensor)
            else:
                target_tensor.copy_(online[name])
