"""What the learning probes share: run the student's ``train`` and send back the trained
network's parameters. The grader evaluates them itself (``autograder/graders/policies.py``):
nothing ``train`` reports about its own run is sent."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from autograder.worker import ProbeInputError


def trained_parameters(train: Callable[[Any], Any], config: Any, network_of: Callable[[Any], Any],
                       what: str) -> dict[str, Any]:
    """``train(config)``; then ``network_of(result)``'s parameters and buffers as float32 arrays."""
    network = network_of(train(config))
    if not isinstance(network, torch.nn.Module):
        raise ProbeInputError(f"{what} should be a torch.nn.Module but is a {type(network).__qualname__}")
    state = {}
    for name, tensor in network.state_dict().items():
        if type(tensor) not in (torch.Tensor, torch.nn.Parameter) or not tensor.is_floating_point():
            raise ProbeInputError(f"{what}'s {name} is not a floating-point tensor")
        state[name] = tensor.detach().cpu().to(torch.float32).numpy().astype(np.float32, copy=True)
    return {"state": state}
