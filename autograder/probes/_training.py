"""What the learning probes share: run the student's ``train`` and send back the trained
network's parameters. The grader evaluates them itself (``autograder/graders/policies.py``):
nothing ``train`` reports about its own run is sent.

A run that is clearly failing stops early, at the milestones of the learning case: after
``step`` environment steps, the network being trained must already reach a greedy return of
at least ``return`` (measured as the grader measures, ``autograder/shared/policies.py``),
which the reference does on nearly every seed (``benchmarks/calibration.md``). Below it, the
run stops there and the parameters of that moment are sent back; the grader measures them
itself, as it would the end of a full run. Stopping can only cost the run it stops, so this
is the one place where the worker measures anything: a submission that defeats it only
trains for its whole budget.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import ModuleType, SimpleNamespace
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from autograder.shared import policies
from autograder.worker import ProbeInputError


class _Stop(BaseException):
    """Raised out of the training env's ``step`` to end a run at a failed milestone."""


def parameters_of(network: Any, what: str) -> dict[str, np.ndarray]:
    """``network``'s parameters and buffers as float32 arrays (ProbeInputError unless it is
    a torch module of floating-point tensors)."""
    if not isinstance(network, torch.nn.Module):
        raise ProbeInputError(f"{what} should be a torch.nn.Module but is a {type(network).__qualname__}")
    state = {}
    for name, tensor in network.state_dict().items():
        if type(tensor) not in (torch.Tensor, torch.nn.Parameter) or not tensor.is_floating_point():
            raise ProbeInputError(f"{what}'s {name} is not a floating-point tensor")
        state[name] = tensor.detach().cpu().to(torch.float32).numpy().astype(np.float32, copy=True)
    return state


class Milestones:
    """Watches a training run's environment steps and, after each milestone's number of
    steps, measures the network being trained.

    The training env is the first one the training loop gets from ``make_env`` of the
    module ``home`` (replaced there while the run lasts); the network is found, as ``network_of``
    finds it in a finished run's result, among the local variables of the running
    ``loop`` function. With ``record`` nothing stops, and every measurement is kept (the
    calibration uses this on the reference)."""

    def __init__(self, part: str, config: dict[str, Any], milestones: Sequence[Sequence[float]],
                 home: ModuleType, loop: Callable[..., Any], network_of: Callable[[Any], Any], what: str,
                 record: bool = False):
        self.part, self.config, self.what = part, dict(config), what
        self.milestones = {int(step): float(minimum) for step, minimum in milestones}
        self.home, self.loop, self.network_of, self.record = home, loop, network_of, record
        self.steps = 0
        self._counted = False
        self.measured: list[tuple[int, float]] = []
        """(steps, greedy return) at each milestone reached."""
        self.stopped: dict[str, Any] | None = None
        """Where the run was stopped, and the parameters at that moment."""

    def __enter__(self) -> "Milestones":
        self._make_env = getattr(self.home, "make_env", None)
        if self._make_env is not None and self.milestones:
            monitor, make_env = self, self._make_env

            class Counted(gym.Wrapper):
                def step(self, action):
                    monitor.before_step()
                    return self.env.step(action)

            def counted_make_env(*args, **kwargs):
                # Only the first env is the training env (the provided code makes it first);
                # the steps of any other, such as one a loop evaluates on, are not counted.
                env = make_env(*args, **kwargs)
                if monitor._counted:
                    return env
                monitor._counted = True
                return Counted(env)

            self.home.make_env = counted_make_env
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if self._make_env is not None:
            self.home.make_env = self._make_env
        return kind is _Stop

    def before_step(self) -> None:
        minimum = self.milestones.get(self.steps)
        self.steps += 1
        if minimum is None or self.stopped is not None:
            return
        state = self._current_state()
        if state is None:
            return  # the network is not where the provided code keeps it: no early stop
        try:
            measured = policies.greedy_return(self.part, self.config, int(self.config["seed"]), state)
        except policies.NotTheKitsNetwork:
            return  # the grader reports this at the end of the run
        self.measured.append((self.steps - 1, measured))
        if measured < minimum and not self.record:
            self.stopped = {"at_step": self.steps - 1, "state": state}
            raise _Stop

    def _current_state(self) -> dict[str, np.ndarray] | None:
        frame = sys._getframe(2)
        while frame is not None and frame.f_code is not getattr(self.loop, "__code__", None):
            frame = frame.f_back
        if frame is None:
            return None
        try:
            return parameters_of(self.network_of(SimpleNamespace(**frame.f_locals)), self.what)
        except ProbeInputError:
            return None


def trained_parameters(train: Callable[[Any], Any], config: Any, network_of: Callable[[Any], Any],
                       what: str, milestones: Milestones) -> dict[str, Any]:
    """``train(config)``; then ``network_of(result)``'s parameters and buffers as float32
    arrays, or, if ``milestones`` stopped the run, the parameters where it stopped."""
    with milestones:
        result = train(config)
    if milestones.stopped is not None:
        return {"state": milestones.stopped["state"], "stopped_at": milestones.stopped["at_step"]}
    return {"state": parameters_of(network_of(result), what)}


def loop_milestones(part: str, config: dict[str, Any], milestones: Sequence[Sequence[float]],
                    network_of: Callable[[Any], Any], what: str) -> Milestones:
    """Milestones of a continuous-action part, whose runs go through the kit's own loop
    (``dqkit.continuous.run_off_policy``, whose local ``agent`` holds the networks)."""
    from dqkit import continuous

    return Milestones(part, config, milestones, continuous, continuous.run_off_policy, network_of, what)
