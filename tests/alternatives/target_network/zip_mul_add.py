"""Correct target-network updates, written differently from the reference: parameters and
buffers walked in step with ``zip``, updated with ``copy_`` and ``mul_``/``add_``."""
from __future__ import annotations

from itertools import chain

import torch
from torch import nn

from dqkit.checks import check_same_architecture, check_tau


def _tensor_pairs(target_network: nn.Module, online_network: nn.Module):
    return zip(chain(target_network.parameters(), target_network.buffers()),
               chain(online_network.parameters(), online_network.buffers()))


def hard_update(target_network: nn.Module, online_network: nn.Module) -> None:
    check_same_architecture(target_network, online_network)
    with torch.no_grad():
        for target_tensor, online_tensor in _tensor_pairs(target_network, online_network):
            target_tensor.copy_(online_tensor)


def polyak_update(target_network: nn.Module, online_network: nn.Module, tau: float) -> None:
    check_same_architecture(target_network, online_network)
    tau = check_tau(tau)
    with torch.no_grad():
        for target_tensor, online_tensor in _tensor_pairs(target_network, online_network):
            if target_tensor.is_floating_point():
                target_tensor.mul_(1.0 - tau).add_(online_tensor, alpha=tau)
            else:
                target_tensor.copy_(online_tensor)
