"""Learning checks judge what the grader measures, never what student code says about itself.

Each submission here is the reference ``dqn_loop.py`` (or ``ddpg.py``) with ``train``
replaced by a forgery that returns at once: a result that claims to have solved the task,
an untrained network that claims the same, a probe table patched to send back invented
parameters, and a reply frame written straight onto the worker's answer pipe. None earns a
learning point; each failure says what the grader observed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.grading import grade, gradescope_results
from autograder.parts import PARTS, part_named

REPO = Path(__file__).resolve().parent.parent

CLAIMS_SOLVED = '''
def train(config):
    return TrainResult(q_network=None, evaluations=[(1, 500.0)], solved_at=1)
'''

UNTRAINED_CLAIMS_SOLVED = '''
def train(config):
    env = make_env(config.env_id, config.seed)
    network = QNetwork(env.observation_space.shape[0], int(env.action_space.n), config.hidden_sizes)
    return TrainResult(q_network=network, evaluations=[(1, 500.0)], solved_at=1, env_steps=1)
'''

PATCHED_PROBE = '''
import numpy as np
import autograder.parts.dqn_loop.probes as _probes

def _forged(config, **_):
    shapes = {"net.0.weight": (128, 4), "net.0.bias": (128,), "net.2.weight": (128, 128), "net.2.bias": (128,),
              "net.4.weight": (2, 128), "net.4.bias": (2,)}
    return {"state": {name: np.ones(shape, np.float32) for name, shape in shapes.items()},
            "solved_at": 1, "evaluations": [[1, 500.0]]}

_probes.PROBES["learn"] = _forged
'''

FORGED_FRAME = '''
import json, os, struct, sys

def train(config):
    # The answer pipe is the third argument the worker was started with; the request id
    # counts the grader's calls (a guess that only has to be right once).
    answer_fd = int(sys.argv[3])
    for request_id in range(1, 60):
        body = json.dumps({"id": request_id, "ok": True, "value": {"state": {}, "solved_at": 1}}).encode()
        try:
            os.write(answer_fd, struct.pack(">I", len(body)) + body)
        except OSError:
            break
    os._exit(0)
'''


def submission(tmp_path: Path, part: str, extra: str) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    for known in PARTS:
        shutil.copy(REPO / "solutions" / known.filename, folder / known.filename)
    with open(folder / f"{part}.py", "a", encoding="utf-8") as module:
        module.write(extra)
    return folder


@pytest.mark.parametrize("forgery", [CLAIMS_SOLVED, UNTRAINED_CLAIMS_SOLVED, PATCHED_PROBE, FORGED_FRAME],
                         ids=["result-claims-solved", "untrained-network-claims-solved", "patched-probe-table",
                              "frame-on-the-answer-pipe"])
def test_a_forged_learning_run_earns_nothing(tmp_path, forgery):
    report = grade(submission(tmp_path, "dqn_loop", forgery), [part_named("dqn_loop")], keyword="learns_cartpole")
    [test] = report.tests
    assert test.score == 0, test.output
    assert any(word in test.output for word in ("475", "not the kit's", "torch.nn.Module", "stopped the test")), test.output


def test_an_untrained_network_is_measured_by_the_grader(tmp_path):
    report = grade(submission(tmp_path, "dqn_loop", UNTRAINED_CLAIMS_SOLVED), [part_named("dqn_loop")],
                   keyword="learns_cartpole")
    [test] = report.tests
    # Its greedy policy balances the pole for a few dozen steps at most: the grader says so.
    assert "did not reach a mean greedy return of 475" in test.output, test.output
    assert "seed 101:" in test.output and "seed 303:" in test.output


def test_a_continuous_agent_that_claims_success_earns_nothing(tmp_path):
    forgery = '''
def train(config):
    return LoopResult(evaluations=[(1, 0.0)], solved_at=1)
'''
    report = grade(submission(tmp_path, "ddpg", forgery), [part_named("ddpg")], keyword="learns_pendulum")
    [test] = report.tests
    assert test.score == 0 and "the actor should be a torch.nn.Module" in test.output, test.output


FORGED_ENCODER = '''
import sys
_wire = sys.modules["autograder.worker"].wire
_encode = _wire.encode

def _forged(message):
    if message.get("ok"):
        message = dict(message, value={body})
    return _encode(message)

_wire.encode = _forged
'''


@pytest.mark.parametrize("body, refused", [
    ("[0] * (8 * 1024 * 1024)", True),            # a 24 MB answer: over the limit
    ("[0] * (3 * 1024 * 1024)", False),           # 9 MB: read, wrong, and quoted only in part
    ("{'__ndarray__': '', 'dtype': 'float32', 'shape': [2**70]}", True),
], ids=["over-the-limit", "large", "impossible-shape"])
def test_forged_answers_cost_the_grader_nothing(tmp_path, body, refused):
    folder = tmp_path / "submission"
    folder.mkdir()
    source = (REPO / "solutions" / "replay_buffer.py").read_text()
    (folder / "replay_buffer.py").write_text(source + FORGED_ENCODER.replace("{body}", body))
    report = grade(folder, [part_named("replay_buffer")])
    assert report.score == 0 and not report.internal_errors
    outputs = [test.output for test in report.tests]
    if refused:
        assert all("malformed answer" in output for output in outputs), [output[:300] for output in outputs]
    assert max(map(len, outputs)) < 5_000
    assert len(json.dumps(gradescope_results(report))) < 200_000


def test_an_answer_too_deeply_nested_to_encode_stops_only_the_worker(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    source = (REPO / "solutions" / "replay_buffer.py").read_text()
    (folder / "replay_buffer.py").write_text(
        source + FORGED_ENCODER.replace("{body}", "eval('[' * 100000 + ']' * 100000)"))
    report = grade(folder, [part_named("replay_buffer")])
    assert report.score == 0 and not report.internal_errors
    assert all(test.status == "failed" for test in report.tests)


def test_a_hard_link_is_not_graded(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text((REPO / "solutions" / "replay_buffer.py").read_text())
    (folder / "replay_buffer.py").hardlink_to(elsewhere)
    report = grade(folder, [part_named("replay_buffer")])
    assert report.score == 0
    assert any("hard link" in note for note in report.notes), report.notes
    assert all("hard link" in test.output for test in report.tests)


# A dueling submission with nothing written, whose import replaces dqn_loop.train by a function
# that returns, untrained, a DuelingQNetwork whose weights were set by hand to a linear
# controller that balances the pole (push right when w . s > 0).
HAND_SET_DUELING = '''
import torch as _torch


def _set_by_hand(config):
    import dqn_loop
    network = DuelingQNetwork(4, 2, config.hidden_sizes)
    with _torch.no_grad():
        for parameter in network.parameters():
            parameter.zero_()
        layers = [layer for layer in network.trunk if isinstance(layer, _torch.nn.Linear)]
        controller = _torch.tensor([0.1, 0.5, 10.0, 2.0])
        layers[0].weight[0], layers[0].weight[1] = controller, -controller
        for layer in layers[1:]:
            layer.weight[0, 0] = layer.weight[1, 1] = 1.0
        network.advantage_head.weight[1, 0] = network.advantage_head.weight[0, 1] = 1.0
    return dqn_loop.TrainResult(q_network=network)


import dqn_loop as _loop
_loop.train = _set_by_hand
'''


def test_a_hand_set_network_earns_no_learning_point_without_the_parts_functions(tmp_path):
    """The learning points of part dueling need its functions to work first: otherwise weights
    set by hand, in a submission that writes nothing, would earn them (the grader's own
    measurement of this network solves CartPole, as the first assertion shows)."""
    from autograder.graders.policies import greedy_return
    from autograder.shared.networks import GraderDuelingQ

    folder = submission(tmp_path, "dqn_loop", "")
    stub = (REPO / "assignments" / "dueling.py").read_text(encoding="utf-8")
    (folder / "dueling.py").write_text(stub + HAND_SET_DUELING, encoding="utf-8")
    case = json.loads(part_named("dueling").fixtures("hidden").read_text())["cartpole"]
    config = case["args"]["config"]
    namespace = {"DuelingQNetwork": GraderDuelingQ}
    exec(HAND_SET_DUELING.replace("import dqn_loop as _loop\n_loop.train = _set_by_hand\n", "")
         .replace("    import dqn_loop\n", "").replace("return dqn_loop.TrainResult(q_network=network)", "return network"),
         namespace)
    network = namespace["_set_by_hand"](type("Config", (), {"hidden_sizes": tuple(config["hidden_sizes"])}))
    state = {name: tensor.detach().numpy() for name, tensor in network.state_dict().items()}
    assert greedy_return("dueling", config, 101, state) >= config["solved_return"]

    report = grade(folder, [part_named("dueling")], keyword="learns_cartpole")
    [test] = report.tests
    assert test.score == 0, test.output
    assert "not implemented" in test.output.lower() or "Not trained" in test.output, test.output
