"""Probes for the student's ``sampled_q.py`` (runs in the worker).

Two kinds of maximizer serve the probes:

- the student's own ``cem_argmax`` / ``random_shooting`` on an analytic critic whose maximum
  is known (``_analytic_q.RecordingCritic``): how close the targets and actions come;
- a stand-in put in place of both names in the student's module (as the dqn_loop probes do
  for the loop's functions): it returns, for each observation, an action the case fixes,
  with the critic's value there, and records how it was called. Its answer is known
  exactly, so the targets, the regression step and the exploration noise can be checked
  to the last digit or by exact statistics, whatever state the student's cem is in.
"""
from __future__ import annotations

import copy
import random
from typing import Any

import numpy as np
import torch

from autograder.probes._analytic_q import RecordingCritic, observation_index, observations_of
from autograder.probes._convert import gradients, tensor_to_plain
from autograder.probes._training import loop_milestones, trained_parameters
from autograder.worker import ProbeInputError
from dqkit.batch import Batch
from dqkit.networks import Critic

# Rows on which the stand-in asks a q_function for values, to tell which critic it is.
_IDENTIFY_ROWS = 5


def _critic(sizes: list[int], state: dict[str, np.ndarray]) -> Critic:
    """A ``Critic(obs_dim, action_dim, hidden)`` with the given weights; sizes =
    [obs_dim, action_dim, *hidden]."""
    critic = Critic(sizes[0], sizes[1], sizes[2:])
    critic.load_state_dict({name: torch.as_tensor(value) for name, value in state.items()})
    return critic


def _f32(values: Any) -> torch.Tensor:
    return torch.as_tensor(np.asarray(values, dtype=np.float32))


def _maximizer(sampled_q, settings: dict[str, Any]):
    return sampled_q.Maximizer(**settings)


class StandIn:
    """Replaces ``cem_argmax`` and ``random_shooting`` in the student's module.

    ``table`` [N, obs_dim] lists the observations it knows and ``actions`` [N, A] the
    action it returns for each; an observation it does not know gets the box's centre.
    ``critics`` maps a name to a module, so that each call can say which critic it got
    (by comparing values on a few fixed rows). Each call also records the box it got and a
    fingerprint of its generator: four numbers drawn from a copy of it, so the generator
    itself is left as it was. Like the real maximizers it runs without autograd and returns
    float32 (actions [B, A], values [B]).
    """

    def __init__(self, table: np.ndarray, actions: np.ndarray, critics: dict[str, Any]):
        self.table = np.asarray(table, dtype=np.float64)
        self.actions = np.asarray(actions, dtype=np.float32)
        self.critics = critics
        self.calls: list[dict[str, Any]] = []
        generator = np.random.default_rng(12345)
        self.probe_obs = _f32(generator.normal(0.0, 1.0, (_IDENTIFY_ROWS, self.table.shape[1])))
        self.probe_actions = _f32(generator.uniform(-1.0, 1.0, (_IDENTIFY_ROWS, self.actions.shape[1])))

    def _which(self, q_function) -> str:
        try:
            values = q_function(self.probe_obs, self.probe_actions).detach().to(torch.float64).numpy()
        except Exception:  # noqa: BLE001 - an odd q_function is reported as "other", not crashed on
            return "other"
        for name, module in self.critics.items():
            expected = module(self.probe_obs, self.probe_actions).detach().to(torch.float64).numpy()
            if np.shape(values) == np.shape(expected) and np.allclose(values, expected, atol=1e-6):
                return name
        return "other"

    def _answer(self, function: str, q_function, observations, low, high, rng, settings: dict[str, Any]):
        grad_enabled = torch.is_grad_enabled()
        if type(observations) is not torch.Tensor or observations.dim() != 2:
            raise ProbeInputError(f"{function} got observations of type {type(observations).__name__} "
                                  f"{list(getattr(observations, 'shape', []))}; maximize passes float32 [B, obs_dim]")
        with torch.no_grad():
            rows = observations.detach().to(torch.float64).numpy()
            index = observation_index(self.table, rows) if rows.shape[1] == self.table.shape[1] else \
                np.full(len(rows), -1)
            low_t, high_t = torch.as_tensor(low, dtype=torch.float32), torch.as_tensor(high, dtype=torch.float32)
            centre = ((low_t + high_t) / 2).numpy()
            chosen = np.where(index[:, None] >= 0, self.actions[np.maximum(index, 0)], centre[None, :])
            actions = torch.as_tensor(chosen.astype(np.float32))
            values = q_function(observations, actions)
            generator = isinstance(rng, np.random.Generator)
            self.calls.append({"function": function, "critic": self._which(q_function),
                               "index": index.astype(np.int64), "grad_enabled": grad_enabled,
                               "settings": settings, "generator": generator,
                               "fingerprint": copy.deepcopy(rng).random(4) if generator else None,
                               "low": low_t.to(torch.float64).numpy(), "high": high_t.to(torch.float64).numpy(),
                               "values": values.detach().to(torch.float64).numpy().copy()})
        return actions, values.detach()

    def cem_argmax(self, q_function, observations, low, high, rng, num_samples=64, num_elites=6, iterations=3,
                   initial_std=None, min_std=1e-2):
        settings = {"num_samples": num_samples, "num_elites": num_elites, "iterations": iterations}
        return self._answer("cem_argmax", q_function, observations, low, high, rng, settings)

    def random_shooting(self, q_function, observations, low, high, num_samples, rng):
        return self._answer("random_shooting", q_function, observations, low, high, rng,
                            {"num_samples": num_samples})


class PolyakRecorder:
    """Replaces ``polyak_update`` in the student's module: records the call (and how many
    optimizer steps came before it) and does a correct update (target <- tau * online +
    (1 - tau) * target), so that the target weights depend only on how it was called."""

    def __init__(self, critics: dict[str, Any]):
        self.critics, self.calls = critics, []
        self.steps = 0  # optimizer steps so far, counted by a hook on the optimizer

    def count_step(self, optimizer, args, kwargs) -> None:
        self.steps += 1

    def _name(self, module) -> str:
        return next((name for name, known in self.critics.items() if module is known), "other")

    def __call__(self, target_network, online_network, tau):
        self.calls.append({"target": self._name(target_network), "online": self._name(online_network),
                           "tau": float(tau) if isinstance(tau, (int, float, np.floating)) else None,
                           "steps_before": self.steps})
        with torch.no_grad():
            online = dict(online_network.state_dict())
            for name, tensor in target_network.state_dict().items():
                if tensor.is_floating_point():
                    tensor.lerp_(online[name], float(tau))


def _swapped(module, replacements: dict[str, Any]):
    """Set attributes of the student's module; return a function that restores them."""
    originals = {name: getattr(module, name, None) for name in replacements}
    for name, value in replacements.items():
        setattr(module, name, value)

    def restore() -> None:
        for name, value in originals.items():
            setattr(module, name, value)
    return restore


def _plain_result(value: Any, what: str) -> dict[str, Any]:
    plain = tensor_to_plain(value, what)
    plain["requires_grad"] = bool(value.requires_grad)
    return plain


# -- sampled_targets ----------------------------------------------------------------------------
def targets(rewards: np.ndarray, terminated: np.ndarray, next_observations: np.ndarray, sizes: list[int],
            target_state: dict[str, np.ndarray], designated: np.ndarray, low: np.ndarray, high: np.ndarray,
            gamma: float, maximizer: dict[str, Any], seed: int) -> dict[str, Any]:
    """sampled_targets with the stand-in maximizer on a fixed target critic network."""
    import sampled_q

    target_critic = _critic(sizes, target_state)
    stand_in = StandIn(next_observations, designated, {"target": target_critic})
    restore = _swapped(sampled_q, {"cem_argmax": stand_in.cem_argmax, "random_shooting": stand_in.random_shooting})
    try:
        result = sampled_q.sampled_targets(_f32(rewards), _f32(terminated), _f32(next_observations), target_critic,
                                           low, high, np.random.default_rng(seed), gamma,
                                           _maximizer(sampled_q, maximizer))
    finally:
        restore()
    with torch.no_grad():
        max_values = target_critic(_f32(next_observations), _f32(designated)).to(torch.float64).numpy()
    return {"result": _plain_result(result, "sampled_targets(...)"), "calls": stand_in.calls,
            "max_values": max_values}


def targets_analytic(q: dict[str, Any], rewards: np.ndarray, terminated: np.ndarray, low: np.ndarray,
                     high: np.ndarray, gamma: float, maximizer: dict[str, Any], seed: int) -> dict[str, Any]:
    """sampled_targets with the student's own maximizer; the target critic is an analytic
    Q-function of the case's next observations, whose maximum is known."""
    import sampled_q

    critic = RecordingCritic(q, keep_samples=False)
    result = sampled_q.sampled_targets(_f32(rewards), _f32(terminated), observations_of(q), critic, low, high,
                                       np.random.default_rng(seed), gamma, _maximizer(sampled_q, maximizer))
    return {"result": _plain_result(result, "sampled_targets(...)"), "calls": len(critic.calls)}


# -- choose_actions -----------------------------------------------------------------------------
def actions_analytic(q: dict[str, Any], low: np.ndarray, high: np.ndarray, maximizer: dict[str, Any],
                     seed: int) -> dict[str, Any]:
    """choose_actions with exploration_std = 0 and the student's own maximizer on an
    analytic critic."""
    import sampled_q

    critic = RecordingCritic(q, keep_samples=False)
    result = sampled_q.choose_actions(critic, observations_of(q), low, high, np.random.default_rng(seed), 0.0,
                                      _maximizer(sampled_q, maximizer))
    return {"result": tensor_to_plain(result, "choose_actions(...)"), "calls": len(critic.calls)}


def exploration(observations: np.ndarray, designated: np.ndarray, sizes: list[int], state: dict[str, np.ndarray],
                low: np.ndarray, high: np.ndarray, exploration_std: float, maximizer: dict[str, Any],
                repeats: int, seed: int) -> dict[str, Any]:
    """``repeats`` calls of choose_actions with one generator and the stand-in maximizer,
    whose greedy action for each observation is ``designated``. Stops at the first result
    of the wrong dtype or shape."""
    import sampled_q

    critic = _critic(sizes, state)
    stand_in = StandIn(observations, designated, {"online": critic})
    restore = _swapped(sampled_q, {"cem_argmax": stand_in.cem_argmax, "random_shooting": stand_in.random_shooting})
    rng = np.random.default_rng(seed)
    drawn = []
    try:
        for _ in range(repeats):
            plain = tensor_to_plain(sampled_q.choose_actions(critic, _f32(observations), low, high, rng,
                                                             exploration_std, _maximizer(sampled_q, maximizer)),
                                    "choose_actions(...)")
            if plain["dtype"] != "float32" or plain["shape"] != list(np.shape(designated)):
                return {"layout": {"dtype": plain["dtype"], "shape": plain["shape"]}, "calls": stand_in.calls[:1]}
            drawn.append(plain["values"])
    finally:
        restore()
    return {"actions": np.stack(drawn, axis=1), "calls": stand_in.calls[:3], "call_count": len(stand_in.calls)}


# -- same seed, same result ---------------------------------------------------------------------
def replays(q: dict[str, Any], rewards: np.ndarray, terminated: np.ndarray, low: np.ndarray, high: np.ndarray,
            gamma: float, exploration_std: float, maximizer: dict[str, Any], seed: int) -> dict[str, Any]:
    """choose_actions and sampled_targets with the student's own maximizer, three times:
    generator seeds (seed, seed, seed + 1), the global generators of numpy, torch and
    random reseeded to (1, 2, 1) before each."""
    import sampled_q

    runs = []
    for rng_seed, global_seed in ((seed, 1), (seed, 2), (seed + 1, 1)):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        rng = np.random.default_rng(rng_seed)
        settings = _maximizer(sampled_q, maximizer)
        actions = sampled_q.choose_actions(RecordingCritic(q, keep_samples=False), observations_of(q), low, high,
                                           rng, exploration_std, settings)
        values = sampled_q.sampled_targets(_f32(rewards), _f32(terminated), observations_of(q),
                                           RecordingCritic(q, keep_samples=False), low, high, rng, gamma, settings)
        runs.append({"actions": tensor_to_plain(actions, "choose_actions(...)")["values"],
                     "targets": tensor_to_plain(values, "sampled_targets(...)")["values"]})
    return {"runs": runs}


# -- update_critic ------------------------------------------------------------------------------
def _update_once(sampled_q, sizes: list[int], online_state: dict[str, np.ndarray], target_state: dict[str, np.ndarray],
                 batch: dict[str, np.ndarray], designated_next: np.ndarray, designated_current: np.ndarray,
                 low: np.ndarray, high: np.ndarray, gamma: float, tau: float, maximizer: dict[str, Any],
                 max_grad_norm: float, learning_rate: float, rng: np.random.Generator):
    """One update_critic call with plain SGD, the stand-in maximizer (it knows the batch's
    next observations and, to name a mix-up, its observations) and a recording
    polyak_update; returns the stats and both critics, the stand-in and the recorder."""
    critic, target_critic = _critic(sizes, online_state), _critic(sizes, target_state)
    critics = {"online": critic, "target": target_critic}
    table = np.concatenate([batch["next_observations"], batch["observations"]])
    stand_in = StandIn(table, np.concatenate([designated_next, designated_current]), critics)
    polyak = PolyakRecorder(critics)
    restore = _swapped(sampled_q, {"cem_argmax": stand_in.cem_argmax, "random_shooting": stand_in.random_shooting,
                                   "polyak_update": polyak})
    minibatch = Batch(*(_f32(batch[name]) for name in ("observations", "actions", "rewards", "next_observations",
                                                       "terminated", "truncated")))
    optimizer = torch.optim.SGD(critic.parameters(), lr=learning_rate)
    optimizer.register_step_post_hook(polyak.count_step)
    try:
        stats = sampled_q.update_critic(critic, target_critic, optimizer, minibatch, low, high, rng, gamma, tau,
                                        _maximizer(sampled_q, maximizer), max_grad_norm)
    finally:
        restore()
    return stats, critic, target_critic, stand_in, polyak


def update(sizes: list[int], online_state: dict[str, np.ndarray], target_state: dict[str, np.ndarray],
           batch: dict[str, np.ndarray], designated_next: np.ndarray, designated_current: np.ndarray,
           low: np.ndarray, high: np.ndarray, gamma: float, tau: float, maximizer: dict[str, Any],
           max_grad_norm: float, learning_rate: float, seed: int) -> dict[str, Any]:
    """One update_critic call (``_update_once``). Returns the stats, both critics' weights, and
    the recorded calls: each maximizer call with how many of its rows are the batch's next
    observations and how many its observations, and each polyak_update call."""
    import sampled_q

    stats, critic, target_critic, stand_in, polyak = _update_once(
        sampled_q, sizes, online_state, target_state, batch, designated_next, designated_current, low, high, gamma,
        tau, maximizer, max_grad_norm, learning_rate, np.random.default_rng(seed))
    if not isinstance(stats, dict):
        raise ProbeInputError(f"update_critic returned a {type(stats).__name__}; it should return a dict")
    clean = {}
    for key, value in stats.items():
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        clean[str(key)] = float(value) if isinstance(value, (int, float, np.floating, np.integer)) else None
    batch_size = len(batch["rewards"])
    calls = [dict(call, next_rows=int(np.sum((call["index"] >= 0) & (call["index"] < batch_size))),
                  current_rows=int(np.sum(call["index"] >= batch_size))) for call in stand_in.calls]

    def weights(module) -> dict[str, np.ndarray]:
        return {name: tensor.detach().to(torch.float64).numpy().copy() for name, tensor in module.state_dict().items()}

    return {"stats": clean, "online": weights(critic), "target": weights(target_critic), "calls": calls,
            "polyak": polyak.calls, "target_grads": gradients(target_critic)}


def update_replays(seed: int, **case: Any) -> dict[str, Any]:
    """Three update_critic calls on fresh critics: generator seeds (seed, seed, seed + 1), the
    global generators of numpy, torch and random reseeded to (1, 2, 1) before each. For each,
    the fingerprints of the generators the stand-in maximizer was handed (``StandIn``)."""
    import sampled_q

    runs = []
    for rng_seed, global_seed in ((seed, 1), (seed, 2), (seed + 1, 1)):
        random.seed(global_seed)
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        stand_in = _update_once(sampled_q, rng=np.random.default_rng(rng_seed), **case)[3]
        runs.append([call["fingerprint"] for call in stand_in.calls])
    return {"runs": runs}


# -- learning -----------------------------------------------------------------------------------
def learn(config: dict[str, Any], milestones: list = ()) -> dict[str, Any]:
    """Train with the student's own parts (cem, random_shooting, replay_buffer,
    target_network); send back the trained critic's parameters (or those of the moment a
    failed milestone stopped the run). ``config`` holds the SampledQConfig fields, with
    ``maximizer`` as a dict."""
    import sampled_q

    def network_of(result: Any) -> Any:
        return getattr(getattr(result, "agent", None), "critic", None)

    fields = dict(config, progress=False, log_path=None)
    maximizer = sampled_q.Maximizer(**fields.pop("maximizer"))
    fields["hidden_sizes"] = tuple(fields.get("hidden_sizes", (64, 64)))
    return trained_parameters(sampled_q.train, sampled_q.SampledQConfig(maximizer=maximizer, **fields),
                              network_of, "the critic",
                              loop_milestones("sampled_q", config, milestones, network_of, "the critic"))


PROBES = {"targets": targets, "targets_analytic": targets_analytic, "actions_analytic": actions_analytic,
          "exploration": exploration, "replays": replays, "update": update, "update_replays": update_replays,
          "learn": learn}
