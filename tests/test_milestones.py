"""Early stopping of learning runs at milestones (autograder/probes/_training.py), and what
the grader makes of a run that comes back stopped (autograder/graders/learning.py)."""
from __future__ import annotations

import types

import numpy as np
import pytest
import torch

from autograder.graders.learning import check_solves
from autograder.graders.support import Failure
from autograder.probes import _training
from autograder.probes._training import Milestones, trained_parameters
from autograder.shared.policies import greedy_return
from dqkit.envs import make_env
from dqkit.networks import QNetwork

CONFIG = {"env_id": "CartPole-v1", "hidden_sizes": [16], "eval_episodes": 2, "seed": 3, "solved_return": 475.0,
          "total_steps": 40}


def loop_module() -> types.ModuleType:
    """A module shaped like dqn_loop: ``train`` gets its env from the module's make_env and
    keeps the network in a local called q_network, as the provided code does."""
    module = types.ModuleType("fake_loop")
    module.make_env = make_env

    def train(config):
        env = module.make_env(config["env_id"], config["seed"])
        other = module.make_env(config["env_id"], config["seed"])  # e.g. to evaluate on: its steps do not count
        other.reset(seed=0)
        torch.manual_seed(config["seed"])
        q_network = QNetwork(4, 2, tuple(config["hidden_sizes"]))
        env.reset(seed=config["seed"])
        for step in range(config["total_steps"]):
            _, _, terminated, truncated, _ = env.step(step % 2)
            if terminated or truncated:
                env.reset()
            other.step(0)
            other.reset()
            with torch.no_grad():  # "training": the network changes after every step
                q_network.net[0].bias.add_(1.0)
        return types.SimpleNamespace(q_network=q_network, steps=config["total_steps"])

    module.train = train
    return module


def network_of(result):
    return getattr(result, "q_network", None)


def run(milestones, record=False, module=None):
    module = module or loop_module()
    monitor = Milestones("dqn_loop", CONFIG, milestones, module, module.train, network_of, "q", record=record)
    return module, monitor, trained_parameters(module.train, CONFIG, network_of, "q", monitor)


def test_a_run_below_a_milestone_stops_there_with_that_moments_parameters():
    module, monitor, sent = run([[10, 1e9], [20, 1e9]])
    assert sent["stopped_at"] == 10 and monitor.steps == 11  # the 11th step was never taken
    torch.manual_seed(CONFIG["seed"])
    initial = QNetwork(4, 2, (16,)).state_dict()["net.0.bias"].numpy()
    assert np.allclose(sent["state"]["net.0.bias"], initial + 10.0)  # after ten steps of "training"
    assert module.make_env is make_env  # put back, also after a stop
    # What the worker measured is what the grader measures on what it sent.
    assert monitor.measured == [(10, greedy_return("dqn_loop", CONFIG, 3, sent["state"]))]


def test_a_run_above_its_milestones_and_a_recording_run_go_to_the_end():
    _, monitor, sent = run([[10, -1.0], [30, -1.0]])
    assert "stopped_at" not in sent and monitor.steps == 40 and [at for at, _ in monitor.measured] == [10, 30]
    _, monitor, sent = run([[10, 1e9], [30, 1e9]], record=True)
    assert "stopped_at" not in sent and monitor.steps == 40 and len(monitor.measured) == 2


def test_without_milestones_or_without_the_network_where_expected_nothing_stops():
    _, monitor, sent = run([])
    assert "stopped_at" not in sent and monitor.steps == 0  # the env was not even wrapped
    module = loop_module()
    # The monitor looks for the network in the frame of the loop it is given; a loop that
    # never runs is never found, so nothing is measured and nothing stops.
    monitor = Milestones("dqn_loop", CONFIG, [[10, 1e9]], module, network_of, network_of, "q")
    sent = trained_parameters(module.train, CONFIG, network_of, "q", monitor)
    assert "stopped_at" not in sent and monitor.steps == 40 and monitor.measured == []


def test_the_stop_is_not_an_ordinary_exception():
    # A loop that catches Exception around its steps cannot swallow the stop by accident.
    assert not issubclass(_training._Stop, Exception)


class FakeStudent:
    """Sends back, for every seed, a fixed answer, as a worker would."""

    def __init__(self, answer):
        self.answer, self.calls, self.milestones = answer, 0, []

    def learn(self, probe, arguments, timeout):
        self.calls += 1
        self.milestones.append(arguments["milestones"])
        return self.answer, 1.5


UNTRAINED = {name: tensor.numpy() for name, tensor in QNetwork(4, 2, (16,)).state_dict().items()}
CASE = {"probe": "dqn_loop.learn",
        "args": {"config": CONFIG, "seeds": [1, 2], "timeout": 60, "reference_rate": "49 of 50 seeds",
                 "milestone_rate": "50 of 50 seeds", "milestones": [[3000, 100.0]]}}


def test_a_stopped_run_is_reported_as_stopped_only_when_the_grader_confirms_it():
    untrained = greedy_return("dqn_loop", CONFIG, 1, UNTRAINED)
    assert untrained < 100
    student = FakeStudent({"state": UNTRAINED, "stopped_at": 3000})
    with pytest.raises(Failure) as failure:
        check_solves(student, CASE, "DQNConfig", "DQN", "Look at your loop.")
    message = str(failure.value)
    assert student.milestones == [[[3000, 100.0]]] * 2  # the worker is told the milestones of every run
    assert student.calls == 2 and message.count("after 3000 steps, where the reference already reaches 100") == 2
    assert "passes each milestone on 50 of 50 seeds" in message
    # A claim of a stop at a step that is no milestone, or above the milestone, is not repeated.
    for claim in (2999, "3000", None):
        with pytest.raises(Failure) as failure:
            check_solves(FakeStudent({"state": UNTRAINED, "stopped_at": claim}), CASE, "DQNConfig", "DQN", "")
        assert "stopped" not in str(failure.value) and "s of training" in str(failure.value)
    lenient = dict(CASE, args=dict(CASE["args"], milestones=[[3000, -1.0]]))
    with pytest.raises(Failure) as failure:
        check_solves(FakeStudent({"state": UNTRAINED, "stopped_at": 3000}), lenient, "DQNConfig", "DQN", "")
    assert "stopped" not in str(failure.value)
