"""Correct target-network updates, written differently from the reference: ``.data.copy_``
for the hard update; ``torch._foreach_lerp_`` on all floating-point tensors at once for
Polyak averaging."""
from __future__ import annotations

import torch
from torch import nn

from dqkit.checks import check_same_architecture, check_tau


def _all_tensors(network: nn.Module) -> list[torch.Tensor]:
    return [*network.parameters(), *network.buffers()]


def hard_update(target_network: nn.Module, online_network: nn.Module) -> None:
    check_same_architecture(target_network, online_network)
    for target_tensor, online_tensor in zip(_all_tensors(target_network), _all_tensors(online_network)):
        target_tensor.data.copy_(online_tensor.data)


def polyak_update(target_network: nn.Module, online_network: nn.Module, tau: float) -> None:
    check_same_architecture(target_network, online_network)
    tau = check_tau(tau)
    pairs = list(zip(_all_tensors(target_network), _all_tensors(online_network)))
    floating = [(t, o) for t, o in pairs if t.is_floating_point()]
    with torch.no_grad():
        torch._foreach_lerp_([t for t, _ in floating], [o for _, o in floating], tau)
        for target_tensor, online_tensor in pairs:
            if not target_tensor.is_floating_point():
                target_tensor.copy_(online_tensor)
