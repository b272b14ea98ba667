"""Turning student return values into plain data, refusing look-alikes."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.worker import ProbeInputError


def tensor_to_plain(value: Any, what: str) -> dict[str, Any]:
    """Describe a tensor the student returned: its torch dtype, shape and values.

    Only an exact ``torch.Tensor`` (or ``nn.Parameter``) is accepted, so subclasses that
    override comparison or arithmetic cannot pass for a result. Floating values come back
    as float64, integers as int64, booleans as bool.
    """
    if type(value) not in (torch.Tensor, torch.nn.Parameter):
        raise ProbeInputError(
            f"{what} should be a torch.Tensor but is a {type(value).__module__}."
            f"{type(value).__qualname__}"
        )
    tensor = value.detach().cpu()
    if tensor.is_complex():
        raise ProbeInputError(f"{what} has complex dtype {tensor.dtype}")
    if tensor.dtype == torch.bool:
        values = tensor.numpy().astype(np.bool_, copy=True)
    elif tensor.is_floating_point():
        values = tensor.to(torch.float64).numpy().copy()
    else:
        values = tensor.to(torch.int64).numpy().copy()
    return {"dtype": str(tensor.dtype).replace("torch.", ""), "shape": list(tensor.shape), "values": values}


def gradients(module: torch.nn.Module) -> dict[str, np.ndarray | None]:
    """Every parameter's ``.grad`` as float64 values, or None for a parameter that has none.
    The grader decides from these whether a gradient reached the module."""
    return {name: None if parameter.grad is None else parameter.grad.detach().to(torch.float64).numpy().copy()
            for name, parameter in module.named_parameters()}


def with_graph(values: np.ndarray) -> torch.Tensor:
    """A float32 tensor that carries an autograd graph, as a network's output would."""
    leaf = torch.zeros(values.shape, dtype=torch.float32, requires_grad=True)
    return leaf + torch.as_tensor(values, dtype=torch.float32)
