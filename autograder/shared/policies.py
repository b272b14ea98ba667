"""The grader's own measurement of a trained agent, for the learning checks.

The worker trains the student's agent and sends back nothing but the trained network's
parameters, as arrays. Here, in the grader's process, those arrays are loaded into a network
of the kit's own class (built from the course config, never from anything the submission
defines), and the greedy policy is run on the grader's own environment instances from the
same start states as the training loop's evaluations. What the student's code reports about
its run (its evaluations, ``solved_at``, logged rows) is never used for a verdict.

The worker uses the same measurement for one thing only: to stop a training run early when
it is clearly failing (``autograder/probes/_training.py``). That can only cost the student
the run; the grader still measures whatever parameters come back.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from autograder.shared import pixels
from autograder.shared.networks import GraderDuelingQ
from dqkit.continuous import EVALUATION_SEED
from dqkit.envs import evaluate
from dqkit.networks import Critic, QNetwork, mlp

GRID_POINTS = 2001
"""Actions tried per observation when the grader maximizes a critic over a 1-D action box."""

NETWORK_KEYS = {
    "dqn_loop": ("", "the Q-network (QNetwork) returned as TrainResult.q_network"),
    "dueling": ("", "the dueling Q-network (DuelingQNetwork, which dqn_loop.train builds through the name "
                    "QNetwork) returned as TrainResult.q_network"),
    "ddpg": ("net.", "the actor (Actor) of the trained agent"),
    "naf": ("mu_net.", "the mu network of the trained NAFNetwork"),
    "sampled_q": ("", "the critic (Critic) of the trained agent"),
    "pixels": ("", "the convolutional Q-network (PixelQNetwork) returned as PixelTrainResult.q_network"),
}
"""Per learning part: the prefix, in the trained module's state, of the parameters the
grader's network takes (the whole QNetwork, DuelingQNetwork or Critic; only the MLP of Actor
and NAFNetwork that gives the squashed action), and what they are."""

DQN_LOOP_PARTS = ("dqn_loop", "dueling")
"""The parts whose learning check trains with the student's DQN loop (``dqn_loop.train``)."""


def q_network_class(part: str) -> type[nn.Module]:
    """The grader's Q-network class of a DQN-loop part (built with obs_dim, num_actions,
    hidden_sizes)."""
    return QNetwork if part == "dqn_loop" else GraderDuelingQ


class NotTheKitsNetwork(ValueError):
    """Parameters that do not fit the kit's network; the message is written for the student."""


def evaluation_seed(part: str, seed: int) -> int:
    """Episode k of the evaluations starts from reset(seed=evaluation_seed + k), as in the
    loops: the DQN loop offsets by its run's seed, the continuous loop never does."""
    return EVALUATION_SEED + seed if part in DQN_LOOP_PARTS else EVALUATION_SEED


def _load(network: nn.Module, state: Any, prefix: str, what: str) -> nn.Module:
    """``network`` with the arrays of ``state`` under ``prefix``; a clear failure unless they
    are exactly the kit's parameters: same names, shapes, float32, finite (else
    NotTheKitsNetwork)."""
    if not isinstance(state, dict):
        raise NotTheKitsNetwork(f"The learning probe did not send back {what}'s parameters.")
    expected = network.state_dict()
    arrays = {}
    for name, tensor in expected.items():
        value = state.get(prefix + name)
        if not isinstance(value, np.ndarray) or list(value.shape) != list(tensor.shape):
            got = "nothing" if value is None else f"shape {list(np.shape(value))}"
            raise NotTheKitsNetwork(f"The trained network is not the kit's: {what} should have a parameter {prefix + name} "
                 f"of shape {list(tensor.shape)}, and it has {got}. Build it as the provided code does "
                 "(the course's hidden_sizes), and do not replace it.")
        if value.dtype != np.float32:
            raise NotTheKitsNetwork(f"{what}'s parameter {prefix + name} is {value.dtype}; the kit's networks are float32.")
        if not np.all(np.isfinite(value)):
            raise NotTheKitsNetwork(f"{what}'s parameter {prefix + name} contains NaN or inf: training diverged.")
        arrays[name] = torch.from_numpy(value.copy())
    network.load_state_dict(arrays, strict=True)
    return network.eval()


def _box(env_id: str) -> tuple[int, gym.spaces.Space]:
    env = gym.make(env_id)
    try:
        return int(np.prod(env.observation_space.shape)), env.action_space
    finally:
        env.close()


def greedy_policy(part: str, config: dict[str, Any], state: Any) -> Callable[[np.ndarray], np.ndarray]:
    """The deterministic policy of the trained parameters ``state``, in the form
    ``dqkit.envs.evaluate`` takes (observations float32 [E, obs_dim] -> actions [E, ...])."""
    prefix, what = NETWORK_KEYS[part]
    obs_dim, space = _box(config["env_id"])
    hidden = tuple(config["hidden_sizes"])
    if part in DQN_LOOP_PARTS:
        q_network = _load(q_network_class(part)(obs_dim, int(space.n), hidden), state, prefix, what)
        return lambda observations: q_network(torch.as_tensor(observations)).argmax(dim=1).numpy()
    low = torch.as_tensor(space.low, dtype=torch.float32)
    high = torch.as_tensor(space.high, dtype=torch.float32)
    centre, half_range = (high + low) / 2, (high - low) / 2
    if part in ("ddpg", "naf"):
        # Actor and NAFNetwork squash their output onto the box the same way.
        net = _load(mlp(obs_dim, len(low), hidden), state, prefix, what)
        return lambda observations: (centre + half_range * torch.tanh(net(torch.as_tensor(observations)))).numpy()
    if part == "sampled_q":
        if len(low) != 1:
            raise ValueError("the grader maximizes a critic by a grid over a 1-D action box only")
        critic = _load(Critic(obs_dim, 1, hidden), state, prefix, what)
        grid = torch.linspace(float(low[0]), float(high[0]), GRID_POINTS)

        def act(observations: np.ndarray) -> np.ndarray:
            rows = torch.as_tensor(observations).repeat_interleave(GRID_POINTS, dim=0)
            values = critic(rows, grid.repeat(len(observations)).unsqueeze(1)).reshape(len(observations), -1)
            return grid[values.argmax(dim=1)].unsqueeze(1).numpy()
        return act
    raise KeyError(f"no greedy policy for part {part!r}")


@contextlib.contextmanager
def _one_thread():
    # One thread, as in the worker, so the grader's forward passes are computed the same way.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            yield
    finally:
        torch.set_num_threads(threads)


def greedy_return(part: str, config: dict[str, Any], seed: int, state: Any) -> float:
    """Mean undiscounted return of the greedy policy of ``state`` over the config's
    ``eval_episodes`` episodes, measured here (part pixels: on frames, through the grader's
    own frame pipeline, ``autograder/shared/pixels.py``)."""
    if part == "pixels":
        prefix, what = NETWORK_KEYS[part]
        q_network = _load(pixels.grader_network(config, int(config["hidden_size"])), state, prefix, what)
        with _one_thread():
            return float(np.mean(pixels.play(q_network, config, seed)))
    policy = greedy_policy(part, config, state)
    with _one_thread():
        returns = evaluate(policy, config["env_id"], int(config["eval_episodes"]), seed=evaluation_seed(part, seed))
    return float(np.mean(returns))
