"""Probes for the student's ``dueling.py`` (runs in the worker).

Each probe calls the student's code on the inputs of one case and returns plain data:
tensors as ``tensor_to_plain`` dicts, gradients and network weights as float64 arrays. The
grader computes what they should be from those inputs and weights itself.

``learn`` trains the student's ``DuelingQNetwork`` with the student's own DQN loop
(``dqn_loop.train``; the kit has no DQN loop of its own to lend, since writing one is part
``dqn_loop``) and sends back the trained parameters, which the grader loads into its own
dueling network (``autograder/shared/networks.py``) and measures.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.probes._convert import gradients, tensor_to_plain, with_graph
from autograder.probes._training import Milestones, trained_parameters
from autograder.worker import ProbeInputError


def _f32(values: Any, requires_grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(values), dtype=torch.float32, requires_grad=requires_grad)


def _grad(tensor: torch.Tensor) -> np.ndarray | None:
    return None if tensor.grad is None else tensor.grad.detach().to(torch.float64).numpy().copy()


def _q_values(dueling, values: torch.Tensor, advantages: torch.Tensor) -> dict[str, Any]:
    result = dueling.dueling_q_values(values, advantages)
    plain = tensor_to_plain(result, "dueling_q_values(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    return plain


def q_values(values: np.ndarray, advantages: np.ndarray) -> dict[str, Any]:
    """dueling_q_values on V and A that carry autograd graphs, as the streams' outputs do;
    also which arguments it changed (in place)."""
    import dueling

    arguments = {"values": with_graph(values), "advantages": with_graph(advantages)}
    before = {name: tensor.detach().clone() for name, tensor in arguments.items()}
    plain = _q_values(dueling, arguments["values"], arguments["advantages"])
    plain["changed"] = sorted(name for name, tensor in arguments.items()
                              if tensor.shape != before[name].shape or not torch.equal(tensor.detach(), before[name]))
    return plain


def identifiability(values: np.ndarray, advantages: np.ndarray, shifts: np.ndarray) -> dict[str, Any]:
    """Q for (V, A); for (V, A + c), c = shifts[b] added to every advantage of row b; and for
    (V + c, A - c), the same c moved from the advantages into the value."""
    import dueling

    shift = _f32(shifts).unsqueeze(1)
    # Fresh tensors for every call, so that a call that changes its arguments affects only itself.
    return {"q": _q_values(dueling, _f32(values), _f32(advantages)),
            "q_advantages_shifted": _q_values(dueling, _f32(values), _f32(advantages) + shift),
            "q_traded": _q_values(dueling, _f32(values) + shift[:, 0], _f32(advantages) - shift)}


def q_gradients(values: np.ndarray, advantages: np.ndarray, actions: np.ndarray,
                weights: np.ndarray) -> dict[str, Any]:
    """The gradient of sum_b weights[b] * Q(s_b, actions[b]) (one action per row, as in a TD
    loss) with respect to V and A, through the student's dueling_q_values; and the Q-values,
    so that the grader can tell a mean left out from a mean detached."""
    import dueling

    leaves = {"values": _f32(values, True), "advantages": _f32(advantages, True)}
    # Passed on as a network's outputs are: tensors computed from the leaves, not the leaves.
    result = dueling.dueling_q_values(leaves["values"] * 1.0, leaves["advantages"] * 1.0)
    plain = tensor_to_plain(result, "dueling_q_values(...)")
    if plain["shape"] != list(np.shape(advantages)):
        raise ProbeInputError(f"dueling_q_values returned shape {plain['shape']}; expected "
                              f"{list(np.shape(advantages))}")
    if not result.requires_grad:
        return {"q": plain["values"], **{name: None for name in leaves}}
    taken = result.gather(1, torch.as_tensor(np.asarray(actions), dtype=torch.int64).unsqueeze(1)).squeeze(1)
    (taken * _f32(weights)).sum().backward()
    return {"q": plain["values"], **{name: _grad(leaf) for name, leaf in leaves.items()}}


def _weights(network: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().to(torch.float64).numpy().copy() for name, tensor in network.state_dict().items()}


def network(obs_dim: int, num_actions: int, hidden_sizes: list[int], seed: int, observations: np.ndarray,
            value_weights: np.ndarray, advantage_weights: np.ndarray) -> dict[str, Any]:
    """A DuelingQNetwork built after torch.manual_seed(seed) (its provided constructor): its
    weights, what ``streams`` returns for ``observations``, and every parameter's gradient of
    sum_b value_weights[b] V(s_b) + sum_b,a advantage_weights[b, a] A(s_b, a) (None if the
    streams carry no autograd graph). The streams alone: the combination has tests of its own."""
    import dueling

    torch.manual_seed(seed)
    net = dueling.DuelingQNetwork(obs_dim, num_actions, tuple(hidden_sizes))
    if not isinstance(net, torch.nn.Module):
        raise ProbeInputError("DuelingQNetwork(...) is not a torch.nn.Module")
    report: dict[str, Any] = {"weights": _weights(net)}
    streams = net.streams(_f32(observations))
    if not isinstance(streams, tuple) or len(streams) != 2:
        raise ProbeInputError(f"DuelingQNetwork.streams should return a tuple (values, advantages); it returned "
                              f"a {type(streams).__name__}")
    values, advantages = streams
    report["values"] = tensor_to_plain(values, "the values of DuelingQNetwork.streams(...)")
    report["advantages"] = tensor_to_plain(advantages, "the advantages of DuelingQNetwork.streams(...)")
    report["gradients"] = None
    shapes_fit = (list(values.shape) == [len(observations)]
                  and list(advantages.shape) == [len(observations), num_actions])
    if shapes_fit and (values.requires_grad or advantages.requires_grad):
        loss = (values * _f32(value_weights)).sum() + (advantages * _f32(advantage_weights)).sum()
        loss.backward()
        report["gradients"] = gradients(net)
    return report


def learn(config: dict[str, Any], milestones: list = ()) -> dict[str, Any]:
    """Train the student's DuelingQNetwork with the student's own DQN loop, as ``dueling.train``
    does (but without trusting it): ``dqn_loop.train`` builds its network through the name
    ``QNetwork``, which stands for ``DuelingQNetwork`` during the run. Sends back the trained
    network's parameters (or those of the moment a failed milestone stopped the run)."""
    import dqn_loop
    import dueling

    def network_of(result: Any) -> Any:
        return getattr(result, "q_network", None)

    what = "TrainResult.q_network"
    watch = Milestones("dueling", config, milestones, dqn_loop, dqn_loop.train, network_of, what)
    plain = getattr(dqn_loop, "QNetwork", None)
    dqn_loop.QNetwork = dueling.DuelingQNetwork
    try:
        return trained_parameters(dqn_loop.train, dqn_loop.DQNConfig(**dict(config, progress=False, log_path=None)),
                                  network_of, what, watch)
    finally:
        dqn_loop.QNetwork = plain


PROBES = {"q_values": q_values, "identifiability": identifiability, "q_gradients": q_gradients,
          "network": network, "learn": learn}
