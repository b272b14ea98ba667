"""Probes for the student's ``naf.py`` (runs in the worker).

Each probe calls the student's functions on the inputs of one case and returns plain data:
tensors as ``tensor_to_plain`` dicts, gradients and network weights as float64 arrays. The
``update_step`` probe also returns, computed with the network before the step, the values
that common mix-ups would give, so the grader can name them from the golden (reference) run.
"""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from autograder.probes._convert import gradients, tensor_to_plain
from autograder.probes._training import loop_milestones, trained_parameters
from autograder.worker import ProbeInputError
from dqkit.batch import Batch


def _f32(values: Any, requires_grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(values), dtype=torch.float32, requires_grad=requires_grad)


def _grad(tensor: torch.Tensor) -> np.ndarray | None:
    return None if tensor.grad is None else tensor.grad.detach().to(torch.float64).numpy().copy()


def lower_triangular(entries: np.ndarray, action_dim: int) -> dict[str, Any]:
    import naf

    leaf = _f32(entries, requires_grad=True)
    result = naf.lower_triangular(leaf, action_dim)
    plain = tensor_to_plain(result, "lower_triangular(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    return plain


def q_values(values: np.ndarray, mu: np.ndarray, lower: np.ndarray, actions: np.ndarray) -> dict[str, Any]:
    """naf_q_values on given V, mu, L and actions (L given directly, so that a mistake in
    lower_triangular does not show here)."""
    import naf

    result = naf.naf_q_values(_f32(values), _f32(mu), _f32(lower), _f32(actions))
    return tensor_to_plain(result, "naf_q_values(...)")


def q_gradients(values: np.ndarray, mu: np.ndarray, entries: np.ndarray, actions: np.ndarray,
                weights: np.ndarray) -> dict[str, Any]:
    """The gradient of sum_b weights[b] * Q_b with respect to V, mu and the raw L entries,
    through the student's lower_triangular and naf_q_values."""
    import naf

    leaves = {"values": _f32(values, True), "mu": _f32(mu, True), "entries": _f32(entries, True)}
    lower = naf.lower_triangular(leaves["entries"], int(np.shape(mu)[1]))
    result = naf.naf_q_values(leaves["values"], leaves["mu"], lower, _f32(actions))
    tensor_to_plain(result, "naf_q_values(...)")
    if not result.requires_grad:
        return {name: None for name in leaves}
    if result.shape != (len(values),):
        raise ProbeInputError(f"naf_q_values returned shape {list(result.shape)}; expected [{len(values)}]")
    (result * _f32(weights)).sum().backward()
    return {name: _grad(leaf) for name, leaf in leaves.items()}


def q_landscape(values: np.ndarray, mu: np.ndarray, lower: np.ndarray, offsets: np.ndarray) -> dict[str, Any]:
    """Q at mu and at mu + offsets[k] for every row: offsets [K, A] (the unit vectors e_i,
    the sums e_i + e_j, and a few others), so the grader can read P off the values."""
    import naf

    batch, action_dim = np.shape(mu)
    count = len(offsets)
    repeat = np.repeat
    actions = repeat(mu, count, axis=0) + np.tile(offsets, (batch, 1))
    at_mu = naf.naf_q_values(_f32(values), _f32(mu), _f32(lower), _f32(mu))
    around = naf.naf_q_values(_f32(repeat(values, count)), _f32(repeat(mu, count, axis=0)),
                              _f32(repeat(lower, count, axis=0)), _f32(actions))
    at_mu, around = tensor_to_plain(at_mu, "naf_q_values(...)"), tensor_to_plain(around, "naf_q_values(...)")
    for plain in (at_mu, around):
        if plain["shape"] != [plain["values"].shape[0]]:
            raise ProbeInputError(f"naf_q_values returned shape {plain['shape']}; expected [B]")
    return {"at_mu": at_mu["values"], "around": around["values"].reshape(batch, count)}


def targets(rewards: np.ndarray, terminated: np.ndarray, next_values: np.ndarray, gamma: float) -> dict[str, Any]:
    import naf

    # next_values carry an autograd graph, as a network's output would.
    leaf = torch.zeros(np.shape(next_values), dtype=torch.float32, requires_grad=True)
    result = naf.naf_targets(_f32(rewards), _f32(terminated), leaf + _f32(next_values), gamma)
    plain = tensor_to_plain(result, "naf_targets(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    return plain


def exploration(mu: np.ndarray, noise_std: float, low: np.ndarray, high: np.ndarray, seed: int,
                repeats: int) -> dict[str, Any]:
    """``repeats`` calls of noisy_actions with one generator; then two calls with fresh
    generators of one seed, the global generators reseeded differently in between."""
    import naf

    rng = np.random.default_rng(seed)
    draws, layout = [], None
    for _ in range(repeats):
        plain = tensor_to_plain(naf.noisy_actions(_f32(mu), noise_std, _f32(low), _f32(high), rng),
                                "noisy_actions(...)")
        if layout is None:
            layout = {"dtype": plain["dtype"], "shape": plain["shape"]}
            if plain["shape"] != list(np.shape(mu)):
                return {"layout": layout}
        draws.append(plain["values"])
    replays = []
    for global_seed in (1, 2):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        replays.append(tensor_to_plain(naf.noisy_actions(_f32(mu), noise_std, _f32(low), _f32(high),
                                                         np.random.default_rng(seed + 1)), "noisy_actions(...)")["values"])
    return {"layout": layout, "draws": np.stack(draws), "replays": replays}


def _weights(network: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().to(torch.float64).numpy().copy() for name, tensor in network.state_dict().items()}


def _networks(naf, obs_dim: int, low: list[float], high: list[float], hidden_sizes: list[int], seed: int,
              target_shift: float) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The online network from ``seed``; the target network from ``seed + 1`` with every
    parameter shifted by ``target_shift``, so that online and target disagree clearly."""
    torch.manual_seed(seed)
    network = naf.NAFNetwork(obs_dim, low, high, tuple(hidden_sizes))
    torch.manual_seed(seed + 1)
    target_network = naf.NAFNetwork(obs_dim, low, high, tuple(hidden_sizes))
    with torch.no_grad():
        for parameter in target_network.parameters():
            parameter.add_(target_shift)
    return network, target_network


def _gamma_direction(network: torch.nn.Module, data: Batch, bootstrap: torch.Tensor,
                     learning_rate: float) -> dict[str, np.ndarray] | None:
    """lr * the gradient of (2 / B) sum_b bootstrap_b Q(s_b, a_b) for each parameter (no .grad
    is written); None if the network cannot be differentiated at the batch."""
    parameters = dict(network.named_parameters())
    try:
        per_gamma = (2.0 / len(bootstrap)) * (bootstrap * network(data.observations, data.actions)).sum()
        grads = torch.autograd.grad(per_gamma, list(parameters.values()), allow_unused=True)
    except Exception:  # noqa: BLE001 - the student's naf_q_values is graded by its own tests
        return None
    return {name: (np.zeros(tuple(parameter.shape)) if grad is None else
                   learning_rate * grad.detach().to(torch.float64).numpy().copy())
            for (name, parameter), grad in zip(parameters.items(), grads)}


def update_step(obs_dim: int, low: list[float], high: list[float], hidden_sizes: list[int], seed: int,
                target_shift: float, batch: dict[str, np.ndarray], gamma: float, tau: float,
                learning_rate: float, max_grad_norm: float) -> dict[str, Any]:
    """One update_naf call with plain SGD; returns the stats, both networks before and after,
    and (computed before the step) the means that common mix-ups would report.

    Also ``gamma_direction``: how one SGD step on the mean squared error moves each parameter
    per unit of gamma, lr * d/dgamma of -grad = lr * grad of (2 / B) sum_b (1 - terminated_b)
    V_target(s'_b) Q(s_b, a_b). With the gradient norm not clipped, a step taken with gamma'
    instead of gamma ends (gamma' - gamma) * gamma_direction away from the right one."""
    import naf

    network, target_network = _networks(naf, obs_dim, low, high, hidden_sizes, seed, target_shift)
    data = Batch(*(_f32(batch[name]) for name in ("observations", "actions", "rewards", "next_observations",
                                                   "terminated", "truncated")))
    online_before, target_before = _weights(network), _weights(target_network)
    with torch.no_grad():
        mask = gamma * (1 - data.terminated)
        bootstrap = (1 - data.terminated) * target_network.value(data.next_observations)
        mix_ups = {
            "targets_online_value": data.rewards + mask * network.value(data.next_observations),
            "targets_target_q_at_actions": data.rewards + mask * target_network(data.next_observations, data.actions),
            "targets_no_mask": data.rewards + gamma * target_network.value(data.next_observations),
            "q_at_mu": network.value(data.observations),
            "bootstrap": bootstrap,
        }
    gamma_direction = _gamma_direction(network, data, bootstrap, learning_rate)
    optimizer = torch.optim.SGD(network.parameters(), lr=learning_rate)
    stats = naf.update_naf(network, target_network, optimizer, data, gamma, tau, max_grad_norm)
    if not isinstance(stats, dict):
        raise ProbeInputError(f"update_naf returned a {type(stats).__name__}; it should return a dict")
    clean = {}
    for key, value in stats.items():
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        clean[str(key)] = float(value) if isinstance(value, (int, float, np.floating, np.integer)) else None
    return {
        "stats": clean,
        "online_before": online_before, "target_before": target_before,
        "online": _weights(network), "target": _weights(target_network),
        "target_grads": gradients(target_network),
        "mix_ups": {name: float(value.mean()) for name, value in mix_ups.items()},
        "gamma_direction": gamma_direction,
    }


def learn(config: dict[str, Any], milestones: list = ()) -> dict[str, Any]:
    """Train with the student's own parts; send back the trained NAF network's parameters
    (or those of the moment a failed milestone stopped the run)."""
    import naf

    def network_of(result: Any) -> Any:
        return getattr(getattr(result, "agent", None), "network", None)

    settings = {key: tuple(value) if isinstance(value, list) else value for key, value in config.items()}
    return trained_parameters(naf.train, naf.NAFConfig(**dict(settings, progress=False, log_path=None)),
                              network_of, "the NAF network",
                              loop_milestones("naf", config, milestones, network_of, "the NAF network"))


PROBES = {
    "lower_triangular": lower_triangular,
    "q_values": q_values,
    "q_gradients": q_gradients,
    "q_landscape": q_landscape,
    "targets": targets,
    "exploration": exploration,
    "update_step": update_step,
    "learn": learn,
}
