"""TensorBoard logs and checkpoints of training runs, and ``python -m autograder watch``.

A run given a log location writes TensorBoard scalars equal to its CSV and a checkpoint that
loads safely; the grader's runs, which have none, write neither; ``watch`` turns a
checkpoint into a GIF of the greedy agent, and on the stubs says what is not implemented."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.parts import part_named
from dqkit.metrics import (CHECKPOINT_NAME, CheckpointError, CsvLogger, load_checkpoint, network_state,
                           networks_in, read_csv, run_folder, save_checkpoint)
from dqkit.networks import QNetwork
from tests.reference import load

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"


@pytest.fixture(autouse=True)
def one_thread():
    """Train on one thread, as the grader and `curve` do: faster for networks this small."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def short_dqn_run(log_path: Path | None, steps: int = 1_200):
    """The reference dqn_loop on CartPole-v1 for ``steps`` steps: every metric gets logged."""
    sys.path.insert(0, str(SOLUTIONS))
    try:
        dqn_loop = load("dqn_loop")
    finally:
        sys.path.remove(str(SOLUTIONS))
    config = dqn_loop.DQNConfig(seed=3, total_steps=steps, learning_starts=200, eval_every=400, log_every=200,
                                eval_episodes=1, solved_return=None, progress=False,
                                log_path=None if log_path is None else str(log_path))
    return dqn_loop.train(config)


def tensorboard_scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(folder))
    accumulator.Reload()
    return {tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
            for tag in accumulator.Tags()["scalars"]}


# -- TensorBoard beside the CSV ------------------------------------------------------------------
def test_run_folder_is_the_csv_path_without_its_suffix():
    assert run_folder("runs/dqn_seed1.csv") == Path("runs/dqn_seed1")
    assert run_folder("runs/dqn") == Path("runs/dqn_run")  # never the CSV file itself


def test_a_run_with_a_log_location_writes_tensorboard_scalars_equal_to_its_csv(tmp_path):
    log_path = tmp_path / "runs" / "dqn.csv"
    short_dqn_run(log_path)
    csv_series = read_csv(log_path)
    events = sorted(run_folder(log_path).glob("events.out.tfevents.*"))
    assert len(events) == 1, events
    scalars = tensorboard_scalars(run_folder(log_path))
    assert {"losses/td_loss", "charts/episodic_return", "charts/eval_return", "charts/epsilon"} <= set(scalars)
    assert set(scalars) == set(csv_series)
    for name, points in csv_series.items():
        assert [step for step, _ in scalars[name]] == [step for step, _ in points], name
        # TensorBoard stores float32.
        np.testing.assert_allclose([value for _, value in scalars[name]], [value for _, value in points],
                                   rtol=1e-6, err_msg=name)


def test_a_new_run_at_the_same_log_location_replaces_the_old_events(tmp_path):
    log_path = tmp_path / "runs" / "again.csv"
    for _ in range(2):
        logger = CsvLogger(log_path)
        logger.log(1, **{"charts/episodic_return": 10.0})
        logger.close()
    assert len(list(run_folder(log_path).glob("events.out.tfevents.*"))) == 1
    assert tensorboard_scalars(run_folder(log_path)) == {"charts/episodic_return": [(1, 10.0)]}


def test_the_continuous_loop_logs_and_saves_the_agents_networks(tmp_path):
    sys.path.insert(0, str(SOLUTIONS))
    try:
        ddpg = load("ddpg")
    finally:
        sys.path.remove(str(SOLUTIONS))
    log_path = tmp_path / "ddpg.csv"
    ddpg.train(ddpg.DDPGConfig(seed=1, total_steps=300, learning_starts=100, eval_every=100, log_every=100,
                               eval_episodes=1, solved_return=None, progress=False, log_path=str(log_path)))
    scalars = tensorboard_scalars(run_folder(log_path))
    assert {"losses/critic_loss", "losses/actor_loss", "charts/eval_return"} <= set(scalars)
    assert set(scalars) == set(read_csv(log_path))
    state = load_checkpoint(run_folder(log_path) / CHECKPOINT_NAME)
    assert networks_in(state) == {"actor", "critic", "target_actor", "target_critic"}


def test_without_a_log_location_nothing_is_written_and_tensorboard_is_not_loaded(tmp_path):
    # A fresh interpreter, so that an import by another test cannot hide one by the loop.
    script = ("import sys, torch; from tests.test_watch import short_dqn_run; torch.set_num_threads(1); "
              "short_dqn_run(None, steps=300); "
              "print('tensorboard' in ' '.join(sys.modules))")
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "False"
    assert list(tmp_path.iterdir()) == []
    logger = CsvLogger(None)
    logger.log(1, **{"losses/td_loss": 1.0})
    assert logger.writer is None and logger.save_checkpoint({"q_network": QNetwork(4, 2, (8,))}) is None


LEARNING_PROBES = ["dqn_loop", "sampled_q", "naf", "ddpg", "dueling"]


@pytest.mark.slow
def test_the_graders_learning_runs_write_no_events_and_no_checkpoints(tmp_path):
    """Each part's learning probe, with the grader's own config plus a log location that it
    must drop, in the worker's way (student modules on the path), from an empty folder."""
    configs = {}
    for part in LEARNING_PROBES:
        case = json.loads(part_named(part).fixtures("hidden").read_text())
        config = next(entry["args"]["config"] for entry in case.values()
                      if isinstance(entry, dict) and str(entry.get("probe", "")).endswith(".learn"))
        configs[part] = dict(config, total_steps=150, learning_starts=50, eval_every=10**9, solved_return=None,
                             log_path="runs/leak.csv")
    script = f"""
import importlib, json, sys
sys.path.insert(0, {str(SOLUTIONS)!r})
for part, config in json.loads({json.dumps(json.dumps(configs))}).items():
    importlib.import_module("autograder.parts." + part + ".probes").learn(config)
print("tensorboard" in " ".join(sys.modules))
"""
    completed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=600)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "False"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_grading_a_learning_part_leaves_no_events_or_checkpoints(tmp_path):
    def written() -> set[Path]:
        return {path for pattern in ("events.out.tfevents.*", CHECKPOINT_NAME)
                for folder in (REPO, tmp_path) for path in folder.rglob(pattern) if ".venv" not in path.parts}

    before = written()
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade", str(SOLUTIONS), "--part", "dqn_loop"],
                               cwd=tmp_path, capture_output=True, text=True, timeout=900,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert completed.returncode == 0, completed.stderr
    total = [line for line in completed.stdout.splitlines() if line.startswith("Total")][0]
    assert total.split()[1] == total.split()[3], total
    assert written() == before
    assert list(tmp_path.iterdir()) == []


# -- checkpoints ---------------------------------------------------------------------------------
def test_a_checkpoint_round_trips_as_a_flat_state_dict(tmp_path):
    torch.manual_seed(0)
    q_network = QNetwork(4, 2, (8,))
    path = save_checkpoint(tmp_path / "run" / CHECKPOINT_NAME, {"q_network": q_network, "config": "not a module"})
    state = load_checkpoint(path)
    assert networks_in(state) == {"q_network"}
    assert set(state) == {f"q_network.{name}" for name in q_network.state_dict()}
    copy = QNetwork(4, 2, (8,))
    copy.load_state_dict(network_state(state, "q_network"), strict=True)
    for name, tensor in q_network.state_dict().items():
        assert torch.equal(copy.state_dict()[name], tensor), name
    assert not list(path.parent.glob("*.partial"))


def test_the_logger_saves_the_checkpoint_in_its_run_folder(tmp_path):
    logger = CsvLogger(tmp_path / "runs" / "a.csv")
    logger.close()
    assert logger.save_checkpoint({"q_network": QNetwork(4, 2, (8,))}) == tmp_path / "runs" / "a" / CHECKPOINT_NAME


class Payload:
    """Would create a file if it were ever unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("content, message", [
    (b"", "not a readable checkpoint"),
    (b"this is not a checkpoint", "not a readable checkpoint"),
    ("truncated", "not a readable checkpoint"),
    ("pickled object", "not a readable checkpoint"),
    ("not tensors", "not a kit checkpoint"),
], ids=["empty", "text", "truncated", "pickled-object", "not-tensors"])
def test_a_damaged_or_foreign_checkpoint_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / CHECKPOINT_NAME
    marker = tmp_path / "unpickled"
    if content == "truncated":
        save_checkpoint(path, {"q_network": QNetwork(4, 2, (8,))})
        path.write_bytes(path.read_bytes()[:200])
    elif content == "pickled object":
        with open(path, "wb") as handle:
            pickle.dump({"q_network.weight": Payload(marker)}, handle)
    elif content == "not tensors":
        torch.save({"q_network.weight": [1.0, 2.0]}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(CheckpointError, match=f"{CHECKPOINT_NAME} is {message}.*Delete it and train again"):
        load_checkpoint(path)
    assert not marker.exists()


def test_a_missing_checkpoint_says_how_to_make_one(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at .*log_path='runs/NAME.csv'"):
        load_checkpoint(tmp_path / CHECKPOINT_NAME)


# -- watch ---------------------------------------------------------------------------------------
def watch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "watch", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def test_watch_knows_the_networks_of_every_learning_part():
    from autograder.parts import LEARNING_PARTS
    from autograder.watch import WATCHED

    assert set(WATCHED) == {part.name for part in LEARNING_PARTS}
    assert all(watched.policy_network in watched.networks for watched in WATCHED.values())


def test_watch_finds_the_newest_checkpoint_of_the_part(tmp_path):
    from autograder.watch import find_checkpoint

    runs = tmp_path / "runs"
    older = save_checkpoint(runs / "old" / CHECKPOINT_NAME, {"q_network": QNetwork(4, 2, (8,))})
    newer = save_checkpoint(runs / "deeper" / "new" / CHECKPOINT_NAME, {"q_network": QNetwork(4, 2, (8,))})
    other_part = save_checkpoint(runs / "ddpg" / CHECKPOINT_NAME, {"actor": QNetwork(3, 1, (8,)),
                                                                   "critic": QNetwork(4, 1, (8,)),
                                                                   "target_actor": QNetwork(3, 1, (8,)),
                                                                   "target_critic": QNetwork(4, 1, (8,))})
    for seconds, path in enumerate([older, newer, other_part]):
        os.utime(path, (1_000_000 + seconds, 1_000_000 + seconds))
    assert find_checkpoint("dqn_loop", runs) == newer
    assert find_checkpoint("ddpg", runs) == other_part
    assert find_checkpoint("naf", runs) is None


def test_watch_tells_a_dueling_checkpoint_from_a_plain_dqn_one(tmp_path):
    """Both DQN-loop parts save a ``q_network``; each part finds only its own kind, whatever
    the hidden sizes and whichever is newer, and a checkpoint of the other kind is refused
    with a message that says so."""
    from autograder.shared.networks import GraderDuelingQ
    from autograder.watch import WatchError, find_checkpoint, greedy_policy

    runs = tmp_path / "runs"
    plain = save_checkpoint(runs / "plain" / CHECKPOINT_NAME, {"q_network": QNetwork(4, 2, (8,))})
    dueling = save_checkpoint(runs / "dueling" / CHECKPOINT_NAME, {"q_network": GraderDuelingQ(4, 2, (16, 8))})
    for newest_first in ([plain, dueling], [dueling, plain]):
        for seconds, path in enumerate(reversed(newest_first)):
            os.utime(path, (1_000_000 + seconds, 1_000_000 + seconds))
        assert find_checkpoint("dqn_loop", runs) == plain
        assert find_checkpoint("dueling", runs) == dueling
    config = {"env_id": "CartPole-v1", "hidden_sizes": [8]}
    with pytest.raises(WatchError, match="has the layers \\['advantage_head', 'trunk', 'value_head'\\], which are not "
                                         "those of dqn_loop's network: it was saved by another part's training"):
        greedy_policy("dqn_loop", config, dueling)
    with pytest.raises(WatchError, match="has the layers \\['net'\\], which are not those of dueling's network"):
        greedy_policy("dueling", config, plain)
    assert greedy_policy("dqn_loop", config, plain)(np.zeros((3, 4), dtype=np.float32)).shape == (3,)


def test_watch_on_the_stubs_says_not_implemented_yet(tmp_path):
    completed = watch("dqn_loop", "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "agent.gif"))
    assert completed.returncode == 1
    assert "error: not implemented yet: replay_buffer:" in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert not (tmp_path / "agent.gif").exists()


def test_watch_names_a_damaged_checkpoint(tmp_path):
    (tmp_path / "runs" / "broken").mkdir(parents=True)
    (tmp_path / "runs" / "broken" / CHECKPOINT_NAME).write_bytes(b"garbage")
    completed = watch("dqn_loop", "solutions", "--runs", str(tmp_path / "runs"), "--out", str(tmp_path / "a.gif"))
    assert completed.returncode == 1
    assert "broken/checkpoint.pt is not a readable checkpoint" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_watch_writes_gifs_only(tmp_path):
    completed = watch("dqn_loop", "solutions", "--out", str(tmp_path / "agent.mp4"))
    assert completed.returncode == 1 and "only animated GIFs" in completed.stderr


@pytest.mark.slow
def test_watch_plays_the_reference_checkpoint_into_a_gif(tmp_path):
    from PIL import Image

    from autograder.graders.policies import evaluation_seed, greedy_policy
    from dqkit.envs import evaluate

    runs = tmp_path / "runs"
    short_dqn_run(runs / "short.csv", steps=2_000)
    out = tmp_path / "agent.gif"
    completed = watch("dqn_loop", "solutions", "--runs", str(runs), "--out", str(out), "--episodes", "2")
    assert completed.returncode == 0, completed.stderr
    assert f"{runs / 'short' / CHECKPOINT_NAME} (the newest in" in completed.stdout
    returns = [float(line.split()[3]) for line in completed.stdout.splitlines() if line.startswith("episode")]
    steps = [int(line.split()[5]) for line in completed.stdout.splitlines() if line.startswith("episode")]
    # The return shown is the one the grader's evaluation measures for the same start state.
    state = {name: tensor.numpy() for name, tensor in
             network_state(load_checkpoint(runs / "short" / CHECKPOINT_NAME), "q_network").items()}
    policy = greedy_policy("dqn_loop", {"env_id": "CartPole-v1", "hidden_sizes": [128, 128]}, state)
    with torch.no_grad():
        assert returns == evaluate(policy, "CartPole-v1", 2, seed=evaluation_seed("dqn_loop", 0))
    with Image.open(out) as gif:
        assert gif.n_frames == sum(steps) + 2 > 2  # each episode's first frame, then one per step
        assert gif.size == (600, 400)
