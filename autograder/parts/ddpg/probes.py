"""Probes for the student's ``ddpg.py`` (runs in the worker).

Every network here is built by the probe from a fixed state dict (``dqkit.networks``'
``Actor`` and ``Critic``), so the student's functions run on known weights. The update
probe also watches what happens inside ``ddpg_update``: which optimizer steps when (with a
snapshot of both online networks after each step), which network is evaluated on what
(forward hooks), and how ``polyak_update`` is called. It swaps a correct, recording
``polyak_update`` in for the student's own, so this part is graded apart from the
target_network part.
"""
from __future__ import annotations

import random
import sys
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.probes._convert import gradients, tensor_to_plain
from autograder.probes._training import loop_milestones, trained_parameters
from autograder.shared.networks import build_actor, build_critic
from autograder.worker import ProbeInputError
from dqkit.batch import Batch


def _f32(values: Any) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values), dtype=torch.float32)


def _snapshot(network: nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().to(torch.float64).numpy().copy() for name, tensor in network.named_parameters()}


def _grads(network: nn.Module) -> dict[str, np.ndarray] | None:
    """The parameters' gradients, or None if no parameter got one."""
    grads = {name: (np.zeros(tuple(p.shape)) if p.grad is None else p.grad.detach().to(torch.float64).numpy().copy())
             for name, p in network.named_parameters()}
    if all(p.grad is None for p in network.parameters()):
        return None
    return grads


def _target_gradients(networks: dict[str, nn.Module]) -> dict[str, np.ndarray | None]:
    """The gradients of the target networks' parameters, named ``<network>.<parameter>``."""
    return {f"{name}.{parameter}": grad for name, network in networks.items()
            for parameter, grad in gradients(network).items()}


def _scalar(value: Any, what: str) -> dict[str, Any]:
    plain = tensor_to_plain(value, what)
    plain["requires_grad"] = bool(value.requires_grad)
    return plain


# -- the pure functions ----------------------------------------------------------------------
def targets(rewards: np.ndarray, terminated: np.ndarray, next_observations: np.ndarray,
            target_actor: dict[str, Any], target_critic: dict[str, Any], gamma: float) -> dict[str, Any]:
    """ddpg_targets on fixed target networks whose parameters require grad (as a plain
    copy's would): reports the result, whether it requires grad, and the target networks'
    gradients after the result was backpropagated (if it could be)."""
    import ddpg

    actor, critic = build_actor(target_actor), build_critic(target_critic)
    result = ddpg.ddpg_targets(_f32(rewards), _f32(terminated), _f32(next_observations), actor, critic, gamma)
    plain = tensor_to_plain(result, "ddpg_targets(...)")
    plain["requires_grad"] = bool(result.requires_grad)
    if result.requires_grad:
        result.sum().backward()
    plain["target_grads"] = _target_gradients({"target_actor": actor, "target_critic": critic})
    return plain


def critic_loss(critic: dict[str, Any], observations: np.ndarray, actions: np.ndarray,
                targets: np.ndarray) -> dict[str, Any]:
    """critic_loss on a fixed critic: the value, and its gradient for every critic parameter."""
    import ddpg

    network = build_critic(critic)
    value = ddpg.critic_loss(network, _f32(observations), _f32(actions), _f32(targets))
    plain = _scalar(value, "critic_loss(...)")
    if value.requires_grad and value.numel() == 1:
        value.backward()
    plain["critic_grads"] = _grads(network)
    return plain


def actor_loss(actor: dict[str, Any], critic: dict[str, Any], observations: np.ndarray) -> dict[str, Any]:
    """actor_loss on a fixed actor and critic: the value, and its gradient for every actor parameter."""
    import ddpg

    actor_network, critic_network = build_actor(actor), build_critic(critic)
    value = ddpg.actor_loss(actor_network, critic_network, _f32(observations))
    plain = _scalar(value, "actor_loss(...)")
    if value.requires_grad and value.numel() == 1:
        value.backward()
    plain["actor_grads"] = _grads(actor_network)
    return plain


def exploration(actor: dict[str, Any], observations: np.ndarray, noise_std: float, low: np.ndarray,
                high: np.ndarray, seed: int, repeats: int) -> dict[str, Any]:
    """``repeats`` calls of exploration_actions with one generator, stacked: [repeats, B, A].
    Also mu(s) of the fixed actor (computed here, not by the student), and the first
    call's dtype, shape and whether it carries a graph."""
    import ddpg

    network = build_actor(actor)
    obs = _f32(observations)
    rng = np.random.default_rng(seed)
    samples, layout = [], None
    for _ in range(repeats):
        result = ddpg.exploration_actions(network, obs, noise_std, low, high, rng)
        plain = tensor_to_plain(result, "exploration_actions(...)")
        if layout is None:
            layout = {"dtype": plain["dtype"], "shape": plain["shape"], "requires_grad": bool(result.requires_grad)}
            if plain["shape"] != list(network(obs).shape):
                return {"layout": layout}
        samples.append(plain["values"])
    with torch.no_grad():
        mu = network(obs).to(torch.float64).numpy().copy()
    return {"layout": layout, "samples": np.stack(samples), "mu": mu}


def exploration_replays(actor: dict[str, Any], observations: np.ndarray, noise_std: float, low: np.ndarray,
                        high: np.ndarray, seed: int) -> dict[str, Any]:
    """Three calls: generator seeds (seed, seed, seed + 1), the global generators of numpy,
    torch and random reseeded to (1, 2, 1) before each; and mu(s) of the fixed actor."""
    import ddpg

    network = build_actor(actor)
    with torch.no_grad():
        mu = network(_f32(observations)).to(torch.float64).numpy().copy()
    runs = []
    for rng_seed, global_seed in ((seed, 1), (seed, 2), (seed + 1, 1)):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        result = ddpg.exploration_actions(network, _f32(observations), noise_std, low, high,
                                          np.random.default_rng(rng_seed))
        runs.append(tensor_to_plain(result, "exploration_actions(...)")["values"])
    return {"runs": runs, "mu": mu}


# -- one or more updates, watched from inside ---------------------------------------------------
class _Watch:
    """Records the optimizer steps, the networks' forward calls and the Polyak updates."""

    def __init__(self, networks: dict[str, nn.Module]):
        self.networks = networks
        self.events: list[dict[str, Any]] = []
        self.forwards: list[dict[str, Any]] = []
        self.polyak: list[dict[str, Any]] = []
        self.batch: Batch | None = None
        self.paused = False  # while the probe itself evaluates the networks

    def name_of(self, module: Any) -> str:
        return next((name for name, network in self.networks.items() if network is module), "another module")

    def kind(self, tensor: Any, names: dict[str, torch.Tensor]) -> str:
        for label, reference in names.items():
            if isinstance(tensor, torch.Tensor) and tensor.shape == reference.shape and torch.equal(tensor, reference):
                return label
        return "other"

    def forward_hook(self, name: str):
        def hook(module, inputs, output):
            if self.paused:
                return
            batch = self.batch
            entry = {"network": name, "phase": len(self.events), "grad": torch.is_grad_enabled(),
                     "input": self.kind(inputs[0], {"s": batch.observations, "s'": batch.next_observations})}
            if len(inputs) > 1:
                entry["actions"] = self.kind(inputs[1], {"a": batch.actions})
            self.forwards.append(entry)
        return hook

    def step_hook(self, name: str):
        def hook(optimizer, args, kwargs):
            self.events.append({"optimizer": name, "actor": _snapshot(self.networks["actor"]),
                                "critic": _snapshot(self.networks["critic"])})
        return hook

    def polyak_update(self, target_network: nn.Module, online_network: nn.Module, tau: float) -> None:
        """A correct Polyak update that also records how it was called."""
        self.polyak.append({"target": self.name_of(target_network), "online": self.name_of(online_network),
                            "tau": float(tau), "phase": len(self.events)})
        online = online_network.state_dict()
        with torch.no_grad():
            for name, tensor in target_network.state_dict().items():
                if tensor.is_floating_point():
                    tensor.lerp_(online[name], float(tau))
                else:
                    tensor.copy_(online[name])


def _batch(spec: dict[str, np.ndarray]) -> Batch:
    return Batch(observations=_f32(spec["observations"]), actions=_f32(spec["actions"]),
                 rewards=_f32(spec["rewards"]), next_observations=_f32(spec["next_observations"]),
                 terminated=_f32(spec["terminated"]), truncated=_f32(spec["truncated"]))


def _gamma_direction(watch: _Watch, learning_rate: float) -> dict[str, np.ndarray]:
    """How one SGD step of the critic on the mean squared error moves each critic parameter
    per unit of gamma, at the networks as they are now: lr * the gradient of
    (2 / B) sum_b (1 - terminated_b) Q_targ(s'_b, mu_targ(s'_b)) Q(s_b, a_b). A critic step
    taken with gamma' instead of gamma ends (gamma' - gamma) times this away from the right
    one. Computed without writing any .grad and without recording forward calls."""
    networks, batch = watch.networks, watch.batch
    watch.paused = True
    try:
        with torch.no_grad():
            bootstrap = (1 - batch.terminated) * networks["target_critic"](
                batch.next_observations, networks["target_actor"](batch.next_observations))
        parameters = dict(networks["critic"].named_parameters())
        per_gamma = (2.0 / len(bootstrap)) * (bootstrap * networks["critic"](batch.observations, batch.actions)).sum()
        grads = torch.autograd.grad(per_gamma, list(parameters.values()))
    finally:
        watch.paused = False
    return {name: learning_rate * grad.detach().to(torch.float64).numpy().copy()
            for name, grad in zip(parameters, grads)}


def update(actor: dict[str, Any], critic: dict[str, Any], target_actor: dict[str, Any],
           target_critic: dict[str, Any], batches: list[dict[str, np.ndarray]], gamma: float, tau: float,
           actor_learning_rate: float, critic_learning_rate: float) -> dict[str, Any]:
    """``len(batches)`` calls of ddpg_update with plain SGD, in a row, on fixed networks.

    For each call: the stats it returned, the optimizer steps it took (which optimizer, and
    both online networks after the step), the forward calls of the four networks (which
    one, on the batch's s or s' or something else, at the batch's actions or others, with
    autograd on or off, and ``phase``: how many optimizer steps came before), the Polyak
    updates, and all four networks after the call. To trace a wrong step to its cause, also
    the online networks' gradients left in .grad when the call began (``leftover``) and the
    critic step's dependence on gamma (``gamma_direction``). Finally, whether any gradient
    reached the target networks (they require grad here, as a plain copy's parameters would).
    """
    import ddpg

    networks = {"actor": build_actor(actor), "critic": build_critic(critic),
                "target_actor": build_actor(target_actor), "target_critic": build_critic(target_critic)}
    watch = _Watch(networks)
    for name, network in networks.items():
        network.register_forward_hook(watch.forward_hook(name))
    actor_optimizer = torch.optim.SGD(networks["actor"].parameters(), lr=actor_learning_rate)
    critic_optimizer = torch.optim.SGD(networks["critic"].parameters(), lr=critic_learning_rate)
    actor_optimizer.register_step_post_hook(watch.step_hook("actor_optimizer"))
    critic_optimizer.register_step_post_hook(watch.step_hook("critic_optimizer"))

    # The student's module and their target_network module both get the recording update.
    patched = [module for module in (ddpg, sys.modules.get("target_network"))
               if module is not None and hasattr(module, "polyak_update")]
    originals = [module.polyak_update for module in patched]
    calls = []
    try:
        for module in patched:
            module.polyak_update = watch.polyak_update
        for spec in batches:
            watch.batch = _batch(spec)
            watch.events, watch.forwards, watch.polyak = [], [], []
            leftover = {name: _grads(networks[name]) for name in ("actor", "critic")}
            gamma_direction = _gamma_direction(watch, critic_learning_rate)
            stats = ddpg.ddpg_update(networks["actor"], networks["critic"], networks["target_actor"],
                                     networks["target_critic"], actor_optimizer, critic_optimizer, watch.batch,
                                     gamma, tau)
            if not isinstance(stats, dict):
                raise ProbeInputError(f"ddpg_update returned a {type(stats).__name__}; it should return a dict")
            clean = {}
            for key, value in stats.items():
                if isinstance(value, torch.Tensor) and value.numel() == 1:
                    value = value.item()
                clean[str(key)] = float(value) if isinstance(value, (int, float, np.floating, np.integer)) else None
            calls.append({"stats": clean, "events": watch.events, "forwards": watch.forwards,
                          "polyak": watch.polyak, "leftover": leftover, "gamma_direction": gamma_direction,
                          "networks": {name: _snapshot(network) for name, network in networks.items()}})
    finally:
        for module, original in zip(patched, originals):
            module.polyak_update = original
    target_grads = _target_gradients({name: networks[name] for name in ("target_actor", "target_critic")})
    return {"calls": calls, "target_grads": target_grads}


def learn(config: dict[str, Any], milestones: list = ()) -> dict[str, Any]:
    """Train with the student's own parts and DDPGConfig; send back the trained actor's
    parameters (or those of the moment a failed milestone stopped the run)."""
    import ddpg

    def network_of(result: Any) -> Any:
        return getattr(getattr(result, "agent", None), "actor", None)

    return trained_parameters(ddpg.train, ddpg.DDPGConfig(**dict(config, progress=False, log_path=None)),
                              network_of, "the actor", loop_milestones("ddpg", config, milestones, network_of,
                                                                       "the actor"))


PROBES = {
    "targets": targets,
    "critic_loss": critic_loss,
    "actor_loss": actor_loss,
    "exploration": exploration,
    "exploration_replays": exploration_replays,
    "update": update,
    "learn": learn,
}
