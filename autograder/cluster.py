"""Grading a class on a Dask cluster: ``grade-all SUBMISSIONS --out OUT --scheduler ADDRESS``.

Each student's grading (``batch.grade_student``, a grader process of its own, as with
``--jobs``) runs as a task on a worker of an existing Dask cluster instead of in a thread of
grade-all; grade-all still decides who is graded (skipping complete results), shows the
progress bar and writes the gradebook (``autograder/batch.py``). Dask is an optional extra
(``requirements-dask.txt``), imported only here and only for ``--scheduler``.

A task writes the student's folder in OUT itself, so every worker must see SUBMISSIONS and
OUT at the paths grade-all sees (a shared file system), and must run the same kit for its
grading to be the grading this machine would give. Before anything is graded each worker
checks that it reads a file grade-all has just written in OUT, sees every submission to grade,
and has the same kit files, Python and pinned packages; each task checks again before it
grades, as a worker may join the cluster later.
"""
from __future__ import annotations

import contextlib
import hashlib
import secrets
import sys
from concurrent.futures import Future
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator

from autograder.batch import PACKAGE_ROOT, Student, grade_student
from autograder.grading import learning_jobs

INSTALL = ("--scheduler needs Dask distributed, an optional extra: install it into the kit's environment with "
           "`.venv/bin/python -m pip install -r requirements-dask.txt`")
CONNECT_TIMEOUT = 30.0
"""Seconds to wait for the scheduler to answer, and then for its first worker."""
KIT_PACKAGES = ("autograder", "dqkit")
"""The kit's code: every file of these folders is compared between grade-all and each worker."""
PINS = ("requirements.txt", "requirements-dask.txt")
"""The files whose pinned packages each worker must have at the same versions."""
MARKER_PREFIX = ".cluster-check-"
"""The file grade-all writes in OUT for the workers to find (a dot: no student's id starts with one)."""


class ClusterError(Exception):
    """The cluster cannot grade (Dask missing, no scheduler or workers, a worker that does not
    share OUT, the submissions or the kit); says what to do next."""


def require_dask() -> None:
    """ClusterError, saying how to install the extra, if Dask distributed cannot be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ClusterError(INSTALL) from None


def _pinned_packages() -> list[str]:
    """The names the kit pins, for itself and for this extra (none of a file that is missing)."""
    names = []
    for requirements in PINS:
        try:
            lines = (PACKAGE_ROOT / requirements).read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        names += [line.split("==")[0].strip() for line in lines if "==" in line and not line.lstrip().startswith("#")]
    return names


def kit_identity() -> dict[str, str]:
    """What a worker must share with grade-all: a digest of the kit's code (every file of
    ``KIT_PACKAGES`` by path and content, wherever the kit is), the Python version and the
    installed version of each package pinned in ``PINS``."""
    digest = hashlib.sha256()
    for package in KIT_PACKAGES:
        for path in sorted((PACKAGE_ROOT / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                content = path.read_bytes()
                digest.update(f"{path.relative_to(PACKAGE_ROOT).as_posix()}\0{len(content)}\0".encode())
                digest.update(content)
    identity = {"the kit's code": digest.hexdigest()[:16], "Python": f"{sys.version_info[0]}.{sys.version_info[1]}"}
    for name in _pinned_packages():
        try:
            identity[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            identity[name] = "not installed"
    return identity


def kit_differences(here: dict[str, str], there: dict[str, str]) -> list[str]:
    """What differs between grade-all's kit (``here``) and a worker's (``there``), one phrase each."""
    differences = []
    for name in sorted(set(here) | set(there), key=lambda name: (name != "the kit's code", name != "Python", name)):
        mine, theirs = here.get(name, "not pinned"), there.get(name, "not pinned")
        if mine != theirs:
            differences.append(f"{name} differs" if name == "the kit's code" else f"{name} {theirs} there, {mine} here")
    return differences


def worker_problems(out: str, marker: str, token: str, sources: list[str], kit: dict[str, str]) -> list[str]:
    """Run on a worker: why it cannot grade into ``out`` (empty if it can). It must read
    ``token`` in ``out/marker``, see every path of ``sources`` and run the kit ``kit``."""
    problems = []
    try:
        seen = (Path(out) / marker).read_text(encoding="utf-8")
    except OSError:
        seen = None
    if seen != token:
        problems.append(f"it does not see OUT ({out}) as grade-all does: the file grade-all has just written there, "
                        f"{marker}, is {'not there' if seen is None else 'different there'}")
    missing = [source for source in sources if not Path(source).exists()]
    if missing:
        problems.append(f"it does not see {len(missing)} of the {len(sources)} submissions to grade, "
                        f"e.g. {ascii(missing[0])}")
    differences = kit_differences(kit, kit_identity())
    if differences:
        problems.append(f"it runs another kit or environment ({'; '.join(differences)}; its kit is at "
                        f"{PACKAGE_ROOT}, its Python {sys.executable})")
    return problems


def grade_on_worker(student: Student, out: Path, parts: list[str] | None, learning_workers: str | None,
                    marker: str, token: str, kit: dict[str, str]) -> dict[str, Any]:
    """The task: check this worker again (it may have joined after the check), then grade one
    student into ``out`` as ``batch.grade_student`` does. ``learning_workers`` None: each
    grading gets this worker's share of its cores (its cores, or ``DQKIT_JOBS`` where it
    runs, divided by the gradings it runs at once)."""
    problems = worker_problems(str(out), marker, token, [str(student.source)], kit)
    if problems:
        raise ClusterError(f"a Dask worker could not grade {ascii(student.name)}: {'; '.join(problems)}")
    if learning_workers is None:
        from distributed import get_worker

        learning_workers = str(max(1, learning_jobs() // max(1, get_worker().state.nthreads)))
    return grade_student(student, out, parts, learning_workers=learning_workers)


def _check_workers(client: Any, scheduler: str, out: Path, marker: str, token: str, students: list[Student],
                   kit: dict[str, str]) -> None:
    """ClusterError naming every worker that cannot grade, and why."""
    answers = client.run(worker_problems, str(out), marker, token, [str(student.source) for student in students],
                         kit, on_error="return")
    failures = []
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            answer = [f"it could not run the kit's check ({answer}): start it in the kit's environment"]
        failures += [f"{worker}: {problem}" for problem in answer]
    if failures:
        raise ClusterError(
            f"nothing was graded: {len(failures)} problem(s) on the workers of {scheduler}:\n  "
            + "\n  ".join(failures) + "\nEvery worker must run the kit's environment, on a machine that sees "
            "SUBMISSIONS and OUT at the same paths as this one (a shared file system).")


@contextlib.contextmanager
def gradings(scheduler: str, out: Path, students: list[Student], parts: list[str] | None,
             learning_workers: str | None) -> Iterator[Callable[[Student], Future]]:
    """Connect to the Dask scheduler at ``scheduler``, check its workers, and yield a function
    that starts one student's grading there and returns its (``concurrent.futures``) future.
    Leaving cancels the gradings not yet finished and removes the check's file from ``out``."""
    require_dask()
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise ClusterError(f"no Dask scheduler answered at {scheduler} ({error}). Start one with `dask scheduler` "
                           "and pass the address it prints (e.g. tcp://host:8786)") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers: start them with "
                               f"`dask worker {scheduler}` in the kit's environment") from None
        token = secrets.token_hex(16)
        marker = f"{MARKER_PREFIX}{token[:8]}"
        (out / marker).write_text(token, encoding="utf-8")
        try:
            kit = kit_identity()
            _check_workers(client, scheduler, out, marker, token, students, kit)
            pool = client.get_executor(pure=False)  # every grading runs, even of equal arguments
            try:
                yield lambda student: pool.submit(grade_on_worker, student, out, parts, learning_workers, marker,
                                                  token, kit)
            finally:
                pool.shutdown(wait=False)  # all done, unless grade-all stops early: then cancel the rest
        finally:
            (out / marker).unlink(missing_ok=True)
