"""Learning runs side by side (``DQKIT_JOBS``, :class:`autograder.grading.LearningRuns`) change
no score, status or message, stay inside the grading's budgets on the grader's clock, and
leave no worker behind. NAF and DDPG train in seconds, so they stand for the four learning
parts; a grading with one job is the reference for what a grading with two must say."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from autograder.grading import JOBS_SWITCH, cpu_quota, grade, learning_jobs
from autograder.parts import part_named
from autograder.sandbox import Limits

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
PAIR = [part_named("naf"), part_named("ddpg")]

SHORT_TRAINING = '''
import dataclasses as _dataclasses
import time as _time

_reference_train = train


def train(config):
    # Too few steps to solve Pendulum-v1: every seed is tried, and each is measured.
    _time.sleep({sleep})
    return _reference_train(_dataclasses.replace(config, total_steps={steps}))
'''

SLEEPS = '''
import time as _time


def train(config):
    _time.sleep(10_000)
'''


def submission_with(tmp_path: Path, extra: str, parts=PAIR) -> Path:
    """The reference, with ``extra`` appended to each of ``parts``' modules."""
    folder = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, folder)
    for part in parts:
        with open(folder / part.filename, "a", encoding="utf-8") as module:
            module.write(extra)
    return folder


def without_timings(text: str) -> str:
    return re.sub(r"\d+(\.\d+)? s\b", "# s", text)


def verdicts(report) -> list[tuple]:
    """Everything a report says about each test, but how long things took."""
    return [(test.number, test.part, test.visibility, test.name, test.status, test.score, test.max_score,
             without_timings(test.output)) for test in report.tests]


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Workers' scratch folders under this test's own folder, so that a worker left behind
    is recognised by its command line, which names its scratch folder. The children this
    process already had (such as the resource tracker a test that used multiprocessing
    before this one leaves for the process's lifetime) are not this test's."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    _EARLIER_CHILDREN[folder] = {pid for pid, _ in _processes(folder) if pid is not None}
    return folder


_EARLIER_CHILDREN: dict[Path, set[str]] = {}


def _processes(scratch: Path) -> list[tuple[str | None, str]]:
    """(pid if a live child of this process, else None; "pid: command") of every process
    that names ``scratch`` on its command line or is a live child of this one."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        state, parent = fields[0], int(fields[1])
        child = parent == os.getpid() and state != "Z"
        if str(scratch) in command or child:
            found.append((entry.name if child else None, f"{entry.name}: {command[:200]}"))
    return found


def left_behind(scratch: Path) -> list[str]:
    """Processes that name ``scratch`` on their command line, and live children of this one
    that it did not have when the test began."""
    earlier = _EARLIER_CHILDREN.get(scratch, set())
    return [shown for pid, shown in _processes(scratch) if pid is None or pid not in earlier]


def test_the_switch_sets_the_jobs(monkeypatch):
    monkeypatch.setenv(JOBS_SWITCH, "1")
    assert learning_jobs() == 1
    monkeypatch.setenv(JOBS_SWITCH, "3")
    assert learning_jobs() == 3
    monkeypatch.delenv(JOBS_SWITCH)
    assert learning_jobs() == len(os.sched_getaffinity(0))
    for wrong in ("0", "two", "-1"):
        monkeypatch.setenv(JOBS_SWITCH, wrong)
        with pytest.raises(ValueError, match="DQKIT_JOBS should be a whole number of at least 1"):
            learning_jobs()


@pytest.mark.parametrize("files, quota", [
    ({"cpu.max": "50000 100000\n"}, 0.5),
    ({"cpu.max": "max 100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "150000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1.5),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),
], ids=["v2-half-a-cpu", "v2-no-quota", "v1-one-and-a-half", "v1-no-quota", "no-files"])
def test_a_cpu_quota_is_read_from_the_control_group_root(tmp_path, files, quota):
    """The files at the root of the control groups count whatever group this process is in
    (the search walks up to the root); this machine's own groups are not read."""
    if not Path("/proc/self/cgroup").exists():
        pytest.skip("no control groups here")
    lines = Path("/proc/self/cgroup").read_text()
    if any(name.startswith("cpu/") for name in files) and not re.search(r"^\d+:[^:]*\bcpu\b", lines, re.M):
        pytest.skip("no cgroup v1 cpu controller here")
    if "cpu.max" in files and not lines.startswith("0::") and "\n0::" not in lines:
        pytest.skip("no cgroup v2 here")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cpu_quota(tmp_path) == quota


@pytest.mark.slow
def test_the_reference_grades_the_same_with_one_job_and_two(scratch):
    one = grade(SOLUTIONS, PAIR, jobs=1)
    two = grade(SOLUTIONS, PAIR, jobs=2)
    assert one.score == one.max_score
    assert verdicts(two) == verdicts(one)
    assert left_behind(scratch) == []


@pytest.mark.slow
def test_learning_that_never_succeeds_says_the_same_with_one_job_and_two(tmp_path, scratch):
    """Every seed is tried, in a fresh worker with two jobs and in the grading's one worker
    (after the part's other tests) with one: the returns the grader measures, which the
    messages quote, are the same."""
    submission = submission_with(tmp_path, SHORT_TRAINING.format(sleep=0, steps=1_500))
    one = grade(submission, PAIR, jobs=1)
    two = grade(submission, PAIR, jobs=2)
    learning = [test for test in one.tests if "learning" in test.name]
    assert len(learning) == 2 and all("seed 303:" in test.output for test in learning), learning
    assert verdicts(two) == verdicts(one)
    assert left_behind(scratch) == []


@pytest.mark.slow
def test_the_learning_budget_cuts_the_same_seed_with_one_job_and_two(tmp_path, scratch):
    """Runs of 4 s against a learning budget of 10 s: the third seed of each part is cut,
    whether the first ran ahead in a worker of its own or not."""
    submission = submission_with(tmp_path, SHORT_TRAINING.format(sleep=4, steps=300))
    limits = Limits(learning_seconds=10)
    reports = {}
    for jobs in (1, 2):
        started = time.monotonic()
        reports[jobs] = grade(submission, PAIR, keyword="learns", limits=limits, jobs=jobs)
        # Per part: 10 s of learning runs, the workers' starts and the grader's evaluations.
        assert time.monotonic() - started < 2 * 10 + 40
    assert verdicts(reports[2]) == verdicts(reports[1])
    for test in reports[2].tests:
        assert "time budget of" in test.output and "learning runs (10 s) ran out" in test.output, test.output
    assert left_behind(scratch) == []


@pytest.mark.slow
def test_a_sleeper_in_the_learning_parts_cannot_stretch_the_total(tmp_path, scratch):
    """Both parts' other tests pass; both train() sleep. Their runs, side by side, are both
    stopped when the grading's 45 s run out, and the grading ends then."""
    limits = Limits(total_seconds=45)
    started = time.monotonic()
    report = grade(submission_with(tmp_path, SLEEPS), PAIR, limits=limits, jobs=2)
    elapsed = time.monotonic() - started
    assert elapsed < 45 + 15, elapsed
    learning = [test for test in report.tests if "learning" in test.name]
    assert len(learning) == 2 and all(test.score == 0 for test in learning)
    assert report.score == report.max_score - sum(test.max_score for test in learning)
    for test in learning:
        # "stopped", not "not run": the second was running when the budget ran out.
        assert "stopped after" in test.output, test.output
        assert "whole grading's time budget (45 s) ran out" in test.output, test.output
    assert left_behind(scratch) == []


@pytest.mark.slow
def test_a_run_never_asked_for_is_killed_and_costs_nothing(tmp_path, scratch):
    """NAF's functions all hang: its first test times out, so the hang budget refuses its
    learning run; the run started ahead of it, asleep in train, is killed, not waited for."""
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, submission)
    path = submission / "naf.py"
    lines = []
    for line in path.read_text().splitlines():
        lines.append(line)
        if line.startswith("def ") and line.rstrip().endswith(":"):
            lines.append("    import time; time.sleep(10_000)")
    path.write_text("\n".join(lines) + "\n")
    limits = Limits(hang_budget_seconds=1)
    started = time.monotonic()
    report = grade(submission, [part_named("naf")], limits=limits, jobs=2)
    elapsed = time.monotonic() - started
    [learning] = [test for test in report.tests if "learning" in test.name]
    assert "earlier calls into naf.py timed out" in learning.output, learning.output
    # One timeout of a test (at most 30 s) and the worker's start; not the 150 s of a learning run.
    assert elapsed < 30 + 30, elapsed
    assert left_behind(scratch) == []
