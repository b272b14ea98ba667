"""grade-all on a Dask cluster (``--scheduler``, ``autograder/cluster.py``): a local cluster of
two worker processes gives the gradebook of ``--jobs 2`` byte for byte, a second run skips
everyone, and workers that cannot grade (one that does not see OUT, one that runs another
kit) stop the run before anything is graded, with an error naming each.

The tests that start a cluster are skipped when Dask is not installed (the optional extra,
``requirements-dask.txt``; ``.ci/run`` installs it). Only the first two parts are graded, as
in ``tests/test_batch.py``, whose helpers build the class.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import batch, cluster
from autograder.batch import GRADEBOOK, GRADEBOOK_KEY
from autograder.cluster import MARKER_PREFIX, kit_differences
from autograder.sandbox import isolation
from tests.mutants import MUTANTS, mutated_source
from tests.test_batch import ASSIGNMENTS, PARTS, SOLUTIONS, copy_of, read_gradebook, zip_of

REPO = Path(__file__).resolve().parent.parent
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="the optional Dask extra is not installed: pip install -r requirements-dask.txt")


def grade_all(submissions: Path, out: Path, *how: str) -> subprocess.CompletedProcess:
    """``python -m autograder grade-all`` of the first two parts, ``how``: ``--jobs 2`` or ``--scheduler ADDRESS``."""
    return subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out), *how,
                           *[argument for part in PARTS for argument in ("--part", part)]],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def make_small_class(root: Path) -> list[str]:
    """Five submissions: full marks, a bug, the stubs, a zip, and one with nothing to grade
    (grade-all records why and tries it again on the next run)."""
    copy_of(SOLUTIONS, root / "reference")
    mutant = next(mutant for mutant in MUTANTS if mutant.name == "tau_on_wrong_side")
    (copy_of(SOLUTIONS, root / "buggy") / f"{mutant.part}.py").write_text(mutated_source(mutant))
    copy_of(ASSIGNMENTS, root / "stubs")
    zip_of(SOLUTIONS, root / "zipped.zip")
    (root / "empty").mkdir()
    return ["buggy", "empty", "reference", "stubs", "zipped"]


def results_without_time(folder: Path) -> dict:
    data = json.loads((folder / "results.json").read_text())
    data.pop("execution_time", None)  # the only field that depends on where and when it ran
    return data


@pytest.fixture
def scheduler():
    """A Dask scheduler on this machine, with no workers: its address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def start_worker(address: str, *wrapper: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``dask worker ADDRESS`` (one thread), run under ``wrapper`` in ``cwd`` (which ``-m`` puts
    first on its import path); waits until it has joined."""
    from distributed import Client

    worker = subprocess.Popen([*wrapper, sys.executable, "-m", "distributed.cli.dask_worker", address,
                               "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                              cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    with Client(address, set_as_default=False) as client:
        client.wait_for_workers(1, timeout=60)
    return worker


def stop(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)  # the worker and whatever it started
    worker.wait(timeout=30)


@needs_dask
@pytest.mark.slow
def test_a_two_worker_cluster_gives_the_gradebook_of_two_jobs(tmp_path):
    from distributed import LocalCluster

    submissions = tmp_path / "submissions"
    submissions.mkdir()
    students = make_small_class(submissions)
    by_jobs, by_cluster = tmp_path / "by_jobs", tmp_path / "by_cluster"
    completed = grade_all(submissions, by_jobs, "--jobs", "2")
    assert completed.returncode == 0, completed.stderr[-3000:]

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        completed = grade_all(submissions, by_cluster, "--scheduler", cluster.scheduler_address)
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert "5 submission(s): 5 graded now, 0 skipped; 1 could not be graded" in completed.stdout
        assert "grading: 100%" in completed.stderr  # the same progress bar
        assert (by_cluster / GRADEBOOK).read_bytes() == (by_jobs / GRADEBOOK).read_bytes()
        assert (by_cluster / GRADEBOOK_KEY).read_bytes() == (by_jobs / GRADEBOOK_KEY).read_bytes()
        for student in students:
            assert results_without_time(by_cluster / student) == results_without_time(by_jobs / student), student
        assert sorted(os.listdir(by_cluster)) == sorted([*students, GRADEBOOK, GRADEBOOK_KEY])  # no check file left
        gradebook = read_gradebook(by_cluster / GRADEBOOK)
        assert gradebook["reference"]["total"] == gradebook["zipped"]["total"] == "33"
        assert gradebook["stubs"]["total"] == "0" and float(gradebook["buggy"]["total"]) < 33
        assert gradebook["empty"]["note"].startswith("not graded: ")

        # Resumable: a second run skips everyone graded and leaves their files as they were; the
        # submission that could not be graded is tried again, as with --jobs.
        graded = [student for student in students if student != "empty"]
        before = {student: (by_cluster / student / "results.json").stat().st_mtime_ns for student in graded}
        book = (by_cluster / GRADEBOOK).read_bytes()
        again = grade_all(submissions, by_cluster, "--scheduler", cluster.scheduler_address)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "5 submission(s): 1 graded now, 4 skipped (already graded; --force grades them again); " \
               "1 could not be graded" in again.stdout
        assert {student: (by_cluster / student / "results.json").stat().st_mtime_ns for student in graded} == before
        assert (by_cluster / GRADEBOOK).read_bytes() == book


@needs_dask
@pytest.mark.skipif(not isolation().sandboxed, reason="needs bubblewrap to hide a folder from a worker")
def test_a_worker_that_cannot_see_out_is_an_error_before_anything_is_graded(tmp_path, scheduler):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    make_small_class(submissions)
    hidden = tmp_path / "hidden"  # the worker sees an empty folder of its own here
    hidden.mkdir()
    worker = start_worker(scheduler, isolation().bwrap, "--dev-bind", "/", "/", "--tmpfs", str(hidden),
                          "--die-with-parent")
    try:
        completed = grade_all(submissions, hidden / "out", "--scheduler", scheduler)
    finally:
        stop(worker)
    assert completed.returncode == 2, completed.stderr[-3000:]
    assert "error: nothing was graded: 1 problem(s) on the workers of" in completed.stderr
    assert f"it does not see OUT ({hidden / 'out'}) as grade-all does: the file grade-all has just written there, " \
           f"{MARKER_PREFIX}" in completed.stderr
    assert "a shared file system" in completed.stderr
    assert os.listdir(hidden / "out") == []  # no student's folder, no gradebook, and the check's file removed


@needs_dask
def test_a_worker_running_another_kit_is_an_error_before_anything_is_graded(tmp_path, scheduler):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    make_small_class(submissions)
    other = tmp_path / "other_kit"
    for package in ("autograder", "dqkit"):
        shutil.copytree(REPO / package, other / package, ignore=shutil.ignore_patterns("__pycache__"))
    for pins in cluster.PINS:
        shutil.copy(REPO / pins, other)
    with open(other / "autograder" / "grading.py", "a") as grading:
        grading.write("\n# edited on one machine only\n")
    worker = start_worker(scheduler, cwd=other, env={**os.environ, "PYTHONPATH": str(other)})
    try:
        completed = grade_all(submissions, tmp_path / "out", "--scheduler", scheduler)
    finally:
        stop(worker)
    assert completed.returncode == 2, completed.stderr[-3000:]
    assert f"it runs another kit or environment (the kit's code differs; its kit is at {other}," in completed.stderr
    assert os.listdir(tmp_path / "out") == []


@needs_dask
def test_no_scheduler_and_no_workers_are_clear_errors(tmp_path, scheduler, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2.0)
    submissions = tmp_path / "submissions"
    copy_of(SOLUTIONS, submissions / "reference")
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        nobody = f"tcp://127.0.0.1:{unused.getsockname()[1]}"
    with pytest.raises(cluster.ClusterError, match=f"no Dask scheduler answered at {nobody} .*Start one with "
                                                   "`dask scheduler`"):
        batch.grade_all(submissions, tmp_path / "out", parts=PARTS, progress=False, scheduler=nobody)
    with pytest.raises(cluster.ClusterError, match=f"the Dask scheduler at {scheduler} has no workers: start them "
                                                   f"with `dask worker {scheduler}`"):
        batch.grade_all(submissions, tmp_path / "out", parts=PARTS, progress=False, scheduler=scheduler)
    assert os.listdir(tmp_path / "out") == []


def test_kit_differences_name_each_package_that_differs():
    here = {"the kit's code": "aaaa", "Python": "3.11", "torch": "2.13.0", "numpy": "2.4.6"}
    there = {"the kit's code": "bbbb", "Python": "3.12", "torch": "2.12.0", "numpy": "2.4.6", "extra": "1.0"}
    assert kit_differences(here, there) == ["the kit's code differs", "Python 3.12 there, 3.11 here",
                                            "extra 1.0 there, not pinned here", "torch 2.12.0 there, 2.13.0 here"]
    assert kit_differences(here, dict(here)) == []


def test_without_dask_scheduler_is_a_one_line_error_saying_how_to_install_it(tmp_path):
    # Dask hidden from this process whether or not it is installed; grade-all itself does not need it.
    hide_dask = ("import sys; sys.modules['distributed'] = None; from autograder.cli import main; "
                 "sys.exit(main(sys.argv[1:]))")
    completed = subprocess.run([sys.executable, "-c", hide_dask, "grade-all", str(tmp_path), "--out",
                                str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:8786"],
                               cwd=REPO, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert completed.stderr == ("error: --scheduler needs Dask distributed, an optional extra: install it into the "
                                "kit's environment with `.venv/bin/python -m pip install -r requirements-dask.txt`\n")
    assert not (tmp_path / "out").exists()
    both = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(tmp_path), "--out", str(tmp_path),
                           "--jobs", "2", "--scheduler", "tcp://127.0.0.1:8786"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert both.returncode == 2 and "not allowed with argument --jobs" in both.stderr
