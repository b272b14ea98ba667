"""More hostile submissions (``tests/test_isolation.py`` has the first ones), and
determinism: the same submission graded five times gets the same score and messages.

Each hostile submission tries one thing; each gets exactly the score it earned, and the
grader finishes within its time bound.
"""
from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from autograder.grading import grade
from autograder.parts import PARTS, part_named
from tests.mutants import MUTANTS, mutated_source
from tests.test_isolation import FULL, outputs, prepend, reference_with, scores

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
DQN_FULL = 20.0
DQN_TARGETS_RETURN = "    return rewards + gamma * (1.0 - terminated) * next_values\n"


def parts(*names: str):
    return [part_named(name) for name in names]


def running_processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_fork_bomb_is_bounded_and_cleaned_up(tmp_path):
    # Bounded for the test's sake: 40 children that would each live for a while.
    marker = "31.4159"
    bomb = (
        "import os as _os\n"
        "for _ in range(40):\n"
        "    if _os.fork() == 0:\n"
        f"        _os.execvp('sleep', ['sleep', '{marker}'])\n"
    )
    submission = prepend(tmp_path, "replay_buffer", bomb)
    start = time.monotonic()
    report = grade(submission, parts("replay_buffer", "target_network"))
    assert time.monotonic() - start < 60
    # The parent process goes on as if nothing happened, so its tests pass.
    assert scores(report) == FULL
    time.sleep(0.5)
    assert running_processes_with(f"sleep {marker}") == [], "the worker's children outlived grading"


def test_os_exit_inside_a_method_costs_only_the_tests_that_call_it(tmp_path):
    submission = reference_with(tmp_path, "target_network", "    target_network.load_state_dict(online_network.state_dict())\n",
                                "    import os\n    os._exit(0)\n")
    report = grade(submission, parts("replay_buffer", "target_network"))
    assert scores(report)["replay_buffer"] == FULL["replay_buffer"]
    hard, polyak = ([test for test in report.tests if test.part == "target_network" and kind in test.name]
                    for kind in ("hard_update", "polyak_update"))
    assert hard and all(test.score == 0 and "exited with code 0" in test.output for test in hard)
    assert polyak and all(test.status == "passed" for test in polyak)


def test_monkeypatching_the_grader_or_pytest_changes_nothing(tmp_path):
    # The stub of target_network, plus code that tries to make every check pass.
    patcher = (
        "import sys as _sys\n"
        "for _name in list(_sys.modules):\n"
        "    if _name.startswith(('autograder', 'pytest', '_pytest', 'numpy.testing')):\n"
        "        _module = _sys.modules[_name]\n"
        "        for _attribute in ('fail', 'expect', 'expect_close', 'main', 'isclose', 'allclose'):\n"
        "            if hasattr(_module, _attribute):\n"
        "                setattr(_module, _attribute, lambda *args, **kwargs: True)\n"
        "try:\n"
        "    import pytest as _pytest\n"
        "    _pytest.fail = lambda *args, **kwargs: None\n"
        "    import autograder.graders.support as _support\n"
        "    _support.fail = lambda *args, **kwargs: None\n"
        "except ImportError:\n"
        "    pass\n"
    )
    submission = prepend(tmp_path, "target_network", patcher)
    (submission / "target_network.py").write_text(
        (submission / "target_network.py").read_text().replace(
            "(online_state[name], tau)", "(online_state[name], 1.0)"))
    report = grade(submission, parts("target_network"))
    assert scores(report)["target_network"] < FULL["target_network"]


class _Agreeable:
    def __eq__(self, other):
        return True


def test_an_object_that_equals_everything_scores_nothing(tmp_path):
    submission = reference_with(
        tmp_path, "dqn", DQN_TARGETS_RETURN,
        "    class _Agreeable:\n"
        "        def __eq__(self, other):\n"
        "            return True\n"
        "        def __array__(self, *args, **kwargs):\n"
        "            raise TypeError('no')\n"
        "    return _Agreeable()\n")
    report = grade(submission, parts("dqn"))
    targets_tests = [test for test in report.tests if "dqn_targets" in test.name or "target" in test.name]
    assert targets_tests and all(test.score == 0 for test in targets_tests)
    assert any("should be a torch.Tensor" in message for message in outputs(report, "dqn"))


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_nan_and_inf_outputs_fail_with_a_clear_message(tmp_path, value):
    submission = reference_with(tmp_path, "dqn", DQN_TARGETS_RETURN,
                                f"    return torch.full_like(rewards, float('{value}'))\n")
    report = grade(submission, parts("dqn"))
    assert scores(report)["dqn"] < DQN_FULL
    assert any("NaN or inf" in message for message in outputs(report, "dqn"))


class _Trap:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def test_a_booby_trapped_checkpoint_is_never_loaded(tmp_path):
    marker = tmp_path / "checkpoint_was_loaded"
    submission = prepend(tmp_path, "replay_buffer", "")
    for name in ("checkpoint.pt", "q_network.pt", "model.pkl"):
        (submission / name).write_bytes(pickle.dumps(_Trap(marker)))
    report = grade(submission, parts("replay_buffer", "dqn_loop"))
    assert not marker.exists()
    assert not report.internal_errors


# -- determinism -------------------------------------------------------------------------
STOCHASTIC_PARTS = ("replay_buffer", "dqn", "double_dqn", "n_step", "random_shooting", "cem")


def fingerprint(report) -> list[tuple[str, float, str]]:
    return [(test.number, test.score, test.output) for test in report.tests]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["reference", "partly_correct"])
def test_five_gradings_give_the_same_scores_and_messages(tmp_path, kind):
    submission = SOLUTIONS
    if kind == "partly_correct":
        mutant = next(m for m in MUTANTS if m.part == "cem" and m.name == "refit_on_all_samples")
        submission = prepend(tmp_path, "cem", "")
        (submission / "cem.py").write_text(mutated_source(mutant))
    selected = [part for part in PARTS if part.name in STOCHASTIC_PARTS]
    runs = [fingerprint(grade(submission, selected)) for _ in range(5)]
    assert all(run == runs[0] for run in runs[1:])
    total = sum(score for _, score, _ in runs[0])
    if kind == "partly_correct":
        assert 0 < total < sum(test.max_score for test in grade(SOLUTIONS, selected).tests)
    else:
        assert all(output == "" for _, _, output in runs[0])
