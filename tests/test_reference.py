"""The reference solution on tiny inputs with hand-computed answers, and its input checks."""
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tests.reference import load

REPO = Path(__file__).resolve().parent.parent
replay_buffer = load("replay_buffer")
target_network = load("target_network")
random_shooting = load("random_shooting")
cem = load("cem")


def filled_buffer(capacity: int, count: int) -> "replay_buffer.ReplayBuffer":
    buffer = replay_buffer.ReplayBuffer(capacity, obs_shape=(2,))
    for k in range(count):
        buffer.add([k, k], action=k % 2, reward=float(k), next_obs=[k + 1, k + 1],
                   terminated=(k == 2), truncated=(k == 3))
    return buffer


def test_buffer_keeps_newest_and_wraps():
    buffer = filled_buffer(capacity=3, count=5)
    assert len(buffer) == 3
    batch = buffer.sample(300, np.random.default_rng(0))
    assert set(batch.rewards.tolist()) == {2.0, 3.0, 4.0}
    # Slots 0 and 1 were overwritten by transitions 3 and 4; slot 2 still holds transition 2.
    assert buffer.rewards.tolist() == [3.0, 4.0, 2.0]
    assert buffer.next_index == 2


def test_batch_fields_dtypes_and_flags():
    batch = filled_buffer(capacity=8, count=5).sample(64, np.random.default_rng(1))
    assert batch.observations.dtype == torch.float32 and batch.observations.shape == (64, 2)
    assert batch.actions.dtype == torch.int64 and batch.actions.shape == (64,)
    for field in ("rewards", "terminated", "truncated"):
        assert getattr(batch, field).dtype == torch.float32 and getattr(batch, field).shape == (64,)
    rewards = batch.rewards
    torch.testing.assert_close(batch.terminated, (rewards == 2).float())
    torch.testing.assert_close(batch.truncated, (rewards == 3).float())
    torch.testing.assert_close(batch.next_observations, batch.observations + 1)


def test_continuous_actions():
    buffer = replay_buffer.ReplayBuffer(4, obs_shape=(1,), action_dim=2)
    buffer.add([0.0], np.array([0.5, -0.5]), 1.0, [1.0], False, False)
    batch = buffer.sample(3, np.random.default_rng(2))
    assert batch.actions.dtype == torch.float32 and batch.actions.shape == (3, 2)
    torch.testing.assert_close(batch.actions, torch.tensor([[0.5, -0.5]] * 3))


def test_same_seed_same_batch():
    buffer = filled_buffer(capacity=10, count=10)
    first = buffer.sample(16, np.random.default_rng(7))
    second = buffer.sample(16, np.random.default_rng(7))
    torch.testing.assert_close(first.rewards, second.rewards)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda b: b.sample(4, np.random.default_rng(0)), ValueError, "empty replay buffer"),
        (lambda b: b.add([0.0, 0.0, 0.0], 0, 0.0, [0.0, 0.0], False, False), ValueError, r"obs has shape \(3,\)"),
        (lambda b: b.add([0.0, 0.0], 1.5, 0.0, [0.0, 0.0], False, False), TypeError, "discrete actions"),
        (lambda b: b.add([0.0, 0.0], 0, float("nan"), [0.0, 0.0], False, False), ValueError, "finite"),
        (lambda b: b.add([0.0, 0.0], 0, 0.0, [0.0, 0.0], "no", False), TypeError, "terminated must be a bool"),
        (lambda b: b.sample(4, 123), TypeError, "numpy Generator"),
        (lambda b: b.sample(0, np.random.default_rng(0)), ValueError, "batch_size"),
    ],
    ids=["empty", "obs-shape", "float-action", "nan-reward", "flag-type", "rng-type", "zero-batch"],
)
def test_buffer_rejects_bad_input(call, error, match):
    buffer = replay_buffer.ReplayBuffer(5, obs_shape=(2,))
    with pytest.raises(error, match=match):
        call(buffer)


@pytest.mark.parametrize("args, match", [((0, (2,)), "capacity"), ((5, (0,)), "obs_shape"),
                                          ((5, (2,), 0), "action_dim")],
                         ids=["capacity", "obs-shape", "action-dim"])
def test_buffer_rejects_bad_construction(args, match):
    with pytest.raises(ValueError, match=match):
        replay_buffer.ReplayBuffer(*args)


def small_network() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1))


def test_polyak_hand_computed():
    online, target = small_network(), small_network()
    with torch.no_grad():
        for tensor in online.state_dict().values():
            tensor.fill_(1 if not tensor.is_floating_point() else 1.0)
        for tensor in target.state_dict().values():
            tensor.fill_(5 if not tensor.is_floating_point() else 0.0)
    target_network.polyak_update(target, online, tau=0.25)
    for name, tensor in target.state_dict().items():
        expected = 1 if name.endswith("num_batches_tracked") else 0.25  # 0.25*1 + 0.75*0
        torch.testing.assert_close(tensor, torch.full_like(tensor, expected), msg=name)


@pytest.mark.parametrize("tau", [0.0, 1.0, 0.1], ids=["tau0", "tau1", "tau0.1"])
def test_polyak_matches_naive_formula_and_records_no_graph(tau):
    online, target = small_network(), small_network()
    with torch.no_grad():
        for tensor in target.parameters():
            tensor.add_(1.0)
    before = copy.deepcopy(target.state_dict())
    target_network.polyak_update(target, online, tau)
    for name, tensor in target.state_dict().items():
        if tensor.is_floating_point():
            expected = tau * online.state_dict()[name] + (1 - tau) * before[name]
            torch.testing.assert_close(tensor, expected, msg=name)
    assert all(p.grad_fn is None and p.is_leaf for p in target.parameters())


def test_hard_update_copies_without_sharing():
    online, target = small_network(), small_network()
    with torch.no_grad():
        online[0].weight.fill_(3.0)
        online[1].running_mean.fill_(2.0)
    target_network.hard_update(target, online)
    torch.testing.assert_close(target[0].weight, online[0].weight)
    torch.testing.assert_close(target[1].running_mean, online[1].running_mean)
    with torch.no_grad():
        online[0].weight.add_(1.0)
    assert torch.all(target[0].weight == 3.0)


@pytest.mark.parametrize("tau, error, match", [(1.5, ValueError, r"1 - tau"), (-0.1, ValueError, r"\[0, 1\]"),
                                                ("0.1", TypeError, "number")],
                         ids=["above-one", "negative", "string"])
def test_polyak_rejects_bad_tau(tau, error, match):
    with pytest.raises(error, match=match):
        target_network.polyak_update(small_network(), small_network(), tau)


def test_updates_reject_mismatched_or_identical_networks():
    network = small_network()
    with pytest.raises(ValueError, match="same object"):
        target_network.hard_update(network, network)
    with pytest.raises(ValueError, match="different parameters"):
        target_network.hard_update(network, nn.Linear(2, 1))


def test_fixtures_are_up_to_date():
    completed = subprocess.run([sys.executable, "-m", "autograder", "fixtures", "--check"],
                               cwd=REPO, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_course_config_is_the_reference_default():
    import dataclasses
    import sys

    from autograder.parts.dqn_loop.secret.cases import COURSE_CONFIG

    sys.path.insert(0, str(REPO / "solutions"))
    try:
        dqn_loop = load("dqn_loop")
    finally:
        sys.path.remove(str(REPO / "solutions"))
    defaults = dataclasses.asdict(dqn_loop.DQNConfig())
    defaults["hidden_sizes"] = list(defaults["hidden_sizes"])
    for field in ("seed", "log_path", "progress"):
        defaults.pop(field)
    assert COURSE_CONFIG == defaults


# -- continuous actions: random_shooting and cem ------------------------------------------------
def slope_critic(observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q(s, a) = s[0] * a[0]: observation [1] wants the largest action, [-1] the smallest."""
    return observations[:, 0] * actions[:, 0]


def test_random_shooting_picks_each_observations_best_sample():
    observations = torch.tensor([[1.0], [-1.0]])
    actions, values = random_shooting.random_shooting(slope_critic, observations, np.array([0.0], np.float32),
                                                      np.array([2.0], np.float32), 5, np.random.default_rng(3))
    # The same draws, by hand: row b holds observation b's 5 samples.
    samples = 2.0 * np.random.default_rng(3).random((2, 5, 1)).astype(np.float32)
    assert actions.dtype == torch.float32 and actions.shape == (2, 1) and values.shape == (2,)
    assert actions[0, 0].item() == pytest.approx(samples[0].max())
    assert actions[1, 0].item() == pytest.approx(samples[1].min())
    torch.testing.assert_close(values, torch.tensor([samples[0].max(), -samples[1].min()]))


def test_cem_finds_the_top_of_a_bowl_and_keeps_the_bounds():
    optimum = torch.tensor([[0.3, -0.8], [-0.5, 0.1]])

    def bowl(observations, actions):
        centre = optimum[observations[:, 0].long()]
        return -((actions - centre) ** 2).sum(dim=1)

    calls = []

    def counting_bowl(observations, actions):
        calls.append(len(actions))
        return bowl(observations, actions)

    observations = torch.tensor([[0.0], [1.0]])
    actions, values = cem.cem_argmax(counting_bowl, observations, [-1.0, -1.0], [1.0, 1.0],
                                     np.random.default_rng(0), num_samples=100, num_elites=10, iterations=6)
    assert calls == [200] * 6  # one call of B * M rows per iteration
    torch.testing.assert_close(actions, optimum, atol=0.02, rtol=0)
    torch.testing.assert_close(values, bowl(observations, actions))
    assert torch.all(actions.abs() <= 1.0)


def test_cem_std_floor_keeps_coinciding_elites_apart():
    # Q grows towards the corner (1, 1); a huge initial std clips most samples onto it, so
    # the elites coincide and only the floor keeps the next round from being one point.
    rounds = []

    def corner(observations, actions):
        rounds.append(actions.clone())
        return actions.sum(dim=1)

    cem.cem_argmax(corner, torch.zeros(1, 1), [0.0, 0.0], [1.0, 1.0], np.random.default_rng(1),
                   num_samples=64, num_elites=4, iterations=2, initial_std=50.0, min_std=0.1)
    second = rounds[1]
    assert len(torch.unique(second, dim=0)) > 1
    assert torch.all(second >= 1.0 - 0.1 * 6)  # within six floors of the corner


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"num_elites": 65}, ValueError, r"num_elites \(65\) must be at most num_samples \(64\)"),
        ({"num_samples": 0}, ValueError, "num_samples must be a positive integer"),
        ({"iterations": 2.5}, ValueError, "iterations must be a positive integer"),
        ({"initial_std": -1.0}, ValueError, "initial_std must be positive"),
        ({"initial_std": [0.1, 0.2, 0.3]}, ValueError, r"initial_std must be a number or have shape \[action_dim\]"),
        ({"min_std": -0.1}, ValueError, "min_std must be a number >= 0"),
        ({"low": [1.0, 0.0]}, ValueError, "dimension 0 has low=1 and high=1"),
        ({"high": [1.0]}, ValueError, r"same shape \[action_dim\], got \[2\] and \[1\]"),
        ({"observations": torch.zeros(3)}, ValueError, r"observations must have shape \[B, obs_dim\]"),
        ({"observations": torch.zeros(2, 3, dtype=torch.float64)}, TypeError, "observations must be float32"),
        ({"rng": 0}, TypeError, "numpy Generator"),
    ],
    ids=["elites-above-samples", "zero-samples", "fractional-iterations", "negative-initial-std",
         "initial-std-shape", "negative-min-std", "low-not-below-high", "bound-shapes", "observations-1d",
         "observations-float64", "rng-type"],
)
def test_cem_rejects_bad_arguments(kwargs, error, match):
    arguments = {"q_function": slope_critic, "observations": torch.zeros(2, 3), "low": [-1.0, -1.0],
                 "high": [1.0, 1.0], "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=match):
        cem.cem_argmax(**arguments)


def test_random_shooting_rejects_bad_arguments():
    observations = torch.zeros(2, 1)
    with pytest.raises(ValueError, match="num_samples must be a positive integer"):
        random_shooting.random_shooting(slope_critic, observations, [0.0], [1.0], 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"high must be finite"):
        random_shooting.random_shooting(slope_critic, observations, [0.0], [np.inf], 4, np.random.default_rng(0))
    with pytest.raises(TypeError, match="numpy Generator"):
        random_shooting.random_shooting(slope_critic, observations, [0.0], [1.0], 4, None)
