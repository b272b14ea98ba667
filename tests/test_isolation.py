"""Hostile submissions: each costs only the tests it affects, and the grader always
finishes with a valid results file."""
from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading import grade as grade_parts
from autograder.parts import PARTS
from autograder.shared.policies import DQN_LOOP_PARTS
from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"
FULL = {"replay_buffer": 19.0, "target_network": 14.0}
FIRST_TWO = [part for part in PARTS if part.name in FULL]


def grade(submission: Path, parts=FIRST_TWO):
    """Grade the two parts these hostile submissions target."""
    return grade_parts(submission, parts)


def reference_with(tmp_path: Path, part: str, old: str, new: str, base: Path = SOLUTIONS) -> Path:
    """A copy of ``base`` whose ``part`` module has ``old`` replaced by ``new`` once."""
    submission = tmp_path / "submission"
    shutil.copytree(base, submission)
    path = submission / f"{part}.py"
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {part}.py"
    path.write_text(text.replace(old, new))
    return submission


def prepend(tmp_path: Path, part: str, code: str) -> Path:
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, submission)
    path = submission / f"{part}.py"
    header = "from __future__ import annotations\n"
    text = path.read_text()
    assert text.count(header) == 1
    path.write_text(text.replace(header, header + code + "\n"))
    return submission


def scores(report) -> dict[str, float]:
    return {part: score for part, (score, _) in report.part_scores().items()}


def outputs(report, part: str) -> list[str]:
    return [test.output for test in report.tests if test.part == part]


def test_os_exit_at_import_costs_only_that_part(tmp_path):
    submission = prepend(tmp_path, "replay_buffer", "import os\nos._exit(0)")
    report = grade(submission)
    assert scores(report) == {"replay_buffer": 0.0, "target_network": FULL["target_network"]}
    messages = outputs(report, "replay_buffer")
    assert all("importing replay_buffer.py" in m and "exited with code 0" in m for m in messages)
    assert not report.internal_errors


def test_sys_exit_inside_a_method_is_a_failed_test(tmp_path):
    submission = reference_with(tmp_path, "replay_buffer", "        return self.size\n",
                                "        raise SystemExit(0)\n")
    report = grade(submission)
    assert scores(report)["replay_buffer"] == 0.0
    assert scores(report)["target_network"] == FULL["target_network"]
    assert any("SystemExit" in m for m in outputs(report, "replay_buffer"))


@pytest.mark.slow
def test_infinite_loop_in_add_is_bounded(tmp_path):
    submission = reference_with(tmp_path, "replay_buffer", "        slot = self.next_index\n",
                                "        while True:\n            pass\n")
    start = time.monotonic()
    report = grade(submission)
    elapsed = time.monotonic() - start
    assert scores(report) == {"replay_buffer": 0.0, "target_network": FULL["target_network"]}
    messages = outputs(report, "replay_buffer")
    assert any("did not finish within" in m for m in messages)
    assert all("did not finish within" in m or "timed out" in m for m in messages)
    # The hang budget (30 s) bounds the total; a worker restart costs about a second.
    assert elapsed < 75, f"grading a hanging submission took {elapsed:.0f} s"


def test_memory_bomb_fails_the_test_not_the_grader(tmp_path):
    submission = reference_with(tmp_path, "replay_buffer", "        slot = self.next_index\n",
                                "        hog = bytearray(64 * 2**30)\n        slot = self.next_index\n")
    report = grade(submission)
    assert scores(report) == {"replay_buffer": 0.0, "target_network": FULL["target_network"]}
    assert any("MemoryError" in m for m in outputs(report, "replay_buffer"))


def test_output_flood_is_cut_off(tmp_path):
    submission = reference_with(tmp_path, "replay_buffer", "        slot = self.next_index\n",
                                "        print('x' * 2**20 * 100)\n        slot = self.next_index\n")
    report = grade(submission, [p for p in PARTS if p.name == "replay_buffer"])
    assert scores(report) == {"replay_buffer": 0.0}
    assert not report.internal_errors


def test_conftest_pytest_ini_and_sitecustomize_are_ignored(tmp_path):
    submission = tmp_path / "submission"
    shutil.copytree(ASSIGNMENTS, submission)
    force_pass = (
        "import pytest\n"
        "@pytest.hookimpl(hookwrapper=True)\n"
        "def pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n"
        "    report = outcome.get_result()\n"
        "    report.outcome = 'passed'\n"
        "    report.longrepr = None\n"
    )
    (submission / "conftest.py").write_text(force_pass)
    (submission / "pytest.ini").write_text("[pytest]\naddopts = -p no:terminal --co\n")
    report = grade(submission)
    assert report.score == 0.0
    assert report.max_score == sum(FULL.values())
    assert all("not implemented yet" in test.output for test in report.tests)


def test_sitecustomize_and_stray_modules_are_not_loaded(tmp_path):
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, submission)
    for name in ("sitecustomize.py", "usercustomize.py", "numpy.py", "torch.py"):
        (submission / name).write_text("import os\nos._exit(3)\n")
    report = grade(submission)
    assert report.score == sum(FULL.values())


def test_reference_solution_is_not_importable_from_the_worker(tmp_path):
    submission = prepend(tmp_path, "target_network",
                         "from solutions.target_network import hard_update, polyak_update")
    report = grade(submission)
    assert scores(report)["target_network"] == 0.0
    assert any("No module named 'solutions'" in m for m in outputs(report, "target_network"))


def test_lying_tensor_subclass_is_rejected(tmp_path):
    subclass = (
        "import torch as _torch\n"
        "class _Agreeable(_torch.Tensor):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
    )
    submission = reference_with(
        tmp_path, "replay_buffer", "            rewards=torch.as_tensor(self.rewards[indices]),\n",
        "            rewards=torch.as_tensor(self.rewards[indices]).as_subclass(_Agreeable),\n")
    path = submission / "replay_buffer.py"
    path.write_text(path.read_text() + "\n" + subclass)
    report = grade(submission, [p for p in PARTS if p.name == "replay_buffer"])
    assert scores(report)["replay_buffer"] < FULL["replay_buffer"]
    assert any("should be a torch.Tensor" in m for m in outputs(report, "replay_buffer"))


def test_garbage_on_the_answer_pipe_is_a_crash_not_a_grade(tmp_path):
    scribble = (
        "import os\n"
        "for _fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(_fd, b'\\x00\\x00\\x00\\x10{\"ok\": true}   ')\n"
        "    except OSError:\n"
        "        pass\n"
    )
    submission = prepend(tmp_path, "target_network", scribble)
    report = grade(submission)
    assert scores(report)["target_network"] == 0.0
    assert scores(report)["replay_buffer"] == FULL["replay_buffer"]


def importers_of(module: str) -> set[str]:
    """The parts whose reference module imports ``module``."""
    importers = set()
    for part in PARTS:
        tree = ast.parse((SOLUTIONS / part.filename).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == module:
                importers.add(part.name)
            elif isinstance(node, ast.Import) and any(alias.name == module for alias in node.names):
                importers.add(part.name)
    return importers


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("kind", ["reference", "stubs", "exit_at_import"])
def test_cli_writes_valid_results_json(tmp_path, kind):
    submission = {"reference": SOLUTIONS, "stubs": ASSIGNMENTS}.get(kind)
    if submission is None:
        submission = prepend(tmp_path, "target_network", "import os\nos._exit(0)")
    results = tmp_path / "results" / "results.json"
    completed = run_cli("grade", str(submission), "--results", str(results))
    assert completed.returncode == 0, completed.stderr
    data = json.loads(results.read_text())
    validate_results(data)
    maximum = sum(test["max_score"] for test in data["tests"])
    # The parts whose modules import target_network cannot be imported either, and a learning
    # check that trains with the student's DQN loop (which imports it) cannot train.
    broken = {"target_network", *importers_of("target_network")}
    trained_by_the_loop = set(DQN_LOOP_PARTS) if "dqn_loop" in broken else set()
    lost = sum(test["max_score"] for test in data["tests"]
               if test["name"].split(":")[0] in broken
               or (test["name"].split(":")[0] in trained_by_the_loop and ": learning:" in test["name"]))
    expected = {"reference": maximum, "stubs": 0.0, "exit_at_import": maximum - lost}[kind]
    assert data["score"] == pytest.approx(expected)
    assert {test["visibility"] for test in data["tests"]} == {"visible", "after_published"}
