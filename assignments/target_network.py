"""Part "target_network": keeping a slowly moving copy of the Q-network.

Lecture: "Q-learning with target networks" and "Alternative target network"
(lecture_notes/03_target_networks.md). The regression target
``r + gamma * max_a' Q(s', a')`` moves whenever the Q-network changes. Computing it with a
separate target network, held fixed between updates, turns each stretch of training into
an ordinary, stable regression.

Two ways to move the target network towards the online one:
- a hard update copies the online network every N steps (the classic DQN);
- Polyak averaging moves it a little at every step, so the lag is always the same.

Convention used everywhere in this kit: ``tau`` is the weight on the ONLINE network,
    target <- tau * online + (1 - tau) * target,
so ``tau = 1`` is a hard copy and ``tau = 0`` keeps the target's floating-point values
(integer counters are copied at any ``tau``). The slides write the same update with the
weight on the old target (e.g. 0.999); that number is ``1 - tau``.

Your task: fill in the ``TODO(student)`` blocks. Check yourself with
    python -m autograder check target_network
"""
from __future__ import annotations

import torch
from torch import nn

from dqkit.checks import check_same_architecture, check_tau


def hard_update(target_network: nn.Module, online_network: nn.Module) -> None:
    """Copy every parameter and buffer of ``online_network`` into ``target_network``.

    In place: the target keeps its own tensors (nothing is shared with the online network,
    so later training of the online network does not move the target), and no autograd
    graph is recorded. Buffers (e.g. BatchNorm running statistics) are copied too.

    Args:
        target_network: the network to overwrite; same architecture as the online one.
        online_network: the network being trained; left unchanged.
    """
    check_same_architecture(target_network, online_network)
    # TODO(student): copy the online network's parameters and buffers into the target's own tensors
    raise NotImplementedError("target_network: copy the online network's parameters and buffers into the target's own tensors")


def polyak_update(target_network: nn.Module, online_network: nn.Module, tau: float) -> None:
    """Move ``target_network`` towards ``online_network``: target <- tau*online + (1-tau)*target.

    In place and without recording an autograd graph. Every floating-point parameter and
    buffer is averaged; integer buffers (such as BatchNorm's ``num_batches_tracked``, a
    counter that cannot be averaged) are copied from the online network.

    Args:
        target_network: the network to update; same architecture as the online one.
        online_network: the network being trained; left unchanged.
        tau: weight on the online network, in [0, 1]; 1 is a hard copy.
    """
    check_same_architecture(target_network, online_network)
    tau = check_tau(tau)
    # TODO(student): average every floating-point parameter and buffer in place (under torch.no_grad), copy the integer buffers
    raise NotImplementedError("target_network: average every floating-point parameter and buffer in place (under torch.no_grad), copy the integer buffers")
