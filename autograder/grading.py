"""Run the grader tests on a submission and turn the outcome into scores and messages.

pytest runs here, in the grader's process, over the grader's own test files; the student's
code runs only in the worker those tests talk to. Every test ends as a :class:`GradedTest`
with a score and a message written for the student; the results can be printed as a table
and written as Gradescope's ``results.json``.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pytest

from autograder import sanitize, solution_cells, wire
from autograder.graders.support import Failure
from autograder.parts import PARTS, PARTS_DIR, Part, part_of_test_file
from autograder.sandbox import Limits, StudentCrash, StudentError, Worker, copy_module

GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_published"}


@dataclass
class GradedTest:
    part: str
    visibility: str
    name: str
    nodeid: str
    max_score: float
    score: float = 0.0
    output: str = ""
    status: str = "failed"  # "passed", "failed", or "error" (a fault in the grader itself)
    seconds: float = 0.0
    number: str = ""


@dataclass
class Report:
    submission: str
    tests: list[GradedTest] = field(default_factory=list)
    seconds: float = 0.0
    internal_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the student should know about their submission as a whole (a notebook that
    could not be read, a module found nowhere)."""
    from_notebooks: dict[str, str] = field(default_factory=dict)
    """Module file name -> the notebook whose solution cell it was read from."""
    refused: dict[str, str] = field(default_factory=dict)
    """Part -> why its module file was not graded (a link, a special file, too large)."""

    @property
    def score(self) -> float:
        return sum(test.score for test in self.tests)

    @property
    def max_score(self) -> float:
        return sum(test.max_score for test in self.tests)

    def part_scores(self) -> dict[str, tuple[float, float]]:
        totals: dict[str, tuple[float, float]] = {}
        for test in self.tests:
            score, maximum = totals.get(test.part, (0.0, 0.0))
            totals[test.part] = (score + test.score, maximum + test.max_score)
        return totals


MESSAGE_LIMIT = 2000
"""Characters kept of the message of an exception raised by student code."""
SOURCE_LINE_LIMIT = 300
"""Characters kept of each source line of a student's traceback."""
OUTPUT_TAIL_LINES = 20
"""Lines kept of what student code printed before it stopped a test."""


def student_message(error: BaseException) -> tuple[str, str]:
    """(status, message) for an exception that ended a grader test.

    Everything the student's code controls (the exception's type, message and source
    lines, its output, the values quoted by a failed check) arrives here from the worker
    as plain data, possibly forged; each piece is cut to a bounded length and made safe
    to show (``autograder/sanitize.py``)."""
    if isinstance(error, Failure):
        return "failed", sanitize.text(str(error))
    if isinstance(error, StudentError):
        info = error.info if isinstance(error.info, dict) else {}
        importing = info.get("importing")
        prefix = f"Importing {sanitize.text(importing, 100, one_line=True)}.py failed: " if importing else ""
        message = sanitize.text(info.get("message", ""), MESSAGE_LIMIT)
        if error.kind == "not_implemented":
            return "failed", f"{prefix}not implemented yet ({message})."
        if error.kind == "bad_output":
            return "failed", f"{prefix}{message}"
        where = info.get("where")
        lines = where[-3:] if isinstance(where, list) else []
        at = "".join(f"\n    at {sanitize.text(line, SOURCE_LINE_LIMIT, one_line=True)}" for line in lines)
        kind = sanitize.text(info.get("type"), 100, one_line=True)
        return "failed", f"{prefix}your code raised {kind}: {message}{at}"
    if isinstance(error, StudentCrash) and error.cut:
        return "failed", f"This test was cut: {error.reason}. Earlier tests used the time."
    if isinstance(error, StudentCrash):
        message = f"Your code stopped the test: {sanitize.text(error.reason, MESSAGE_LIMIT)}."
        tail = "\n".join(sanitize.text(error.output_tail[-600:]).strip().splitlines()[-OUTPUT_TAIL_LINES:])
        if tail:
            message += "\nLast output:\n" + tail
        return "failed", message
    # A fault of the grader itself: frames by file name only, so no path of the grader's
    # machine reaches the student; the error's text may quote student values.
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if "_pytest" not in frame.filename and "pluggy" not in frame.filename]
    detail = "".join(f"  {Path(frame.filename).name}, line {frame.lineno}, in {frame.name}\n"
                     for frame in frames[-4:])
    detail += sanitize.text(f"{type(error).__name__}: {error}", MESSAGE_LIMIT)
    # The grader cannot tell which of the two it was, so it names both.
    return "error", (f"Internal grader error ({type(error).__name__}) while checking this test: either your code "
                     "sent back an answer of a form the test does not expect, or the grader has a fault; if your "
                     f"code is otherwise correct, please tell the course staff.\n{detail}")


class _StudentFixture:
    """pytest plugin: the ``student`` fixture, the submission's worker, handed over as an
    object so that no path of the submission reaches pytest's command line."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    @pytest.fixture(scope="session")
    def student(self) -> Worker:
        """The submission's worker process; every call runs student code there."""
        return self.worker


LEARNING_TEST_PREFIX = "test_learns_"
"""Grader tests named so train a whole agent; they run after every other test."""


class _Collector:
    """pytest plugin: one GradedTest per grader test."""

    def __init__(self) -> None:
        self.results: dict[str, GradedTest] = {}
        self.order: list[str] = []
        self.position: dict[str, int] = {}
        """nodeid -> place in the course's order, in which the tests are numbered and reported."""

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # The learning checks last: when a grading's time budget runs out, only they can be
        # cut, never a deterministic test of a later part.
        self.position = {item.nodeid: index for index, item in enumerate(items)}
        items.sort(key=lambda item: item.name.startswith(LEARNING_TEST_PREFIX))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        result = self.results.get(item.nodeid)
        if result is None:
            part, visibility = part_of_test_file(Path(str(item.fspath)))
            marker = item.get_closest_marker("points")
            doc = (getattr(item, "function", None).__doc__ or item.name).strip().splitlines()[0]
            result = GradedTest(
                part=part,
                visibility=visibility,
                name=doc,
                nodeid=item.nodeid,
                max_score=float(marker.args[0]) if marker else 0.0,
            )
            self.results[item.nodeid] = result
            self.order.append(item.nodeid)
        result.seconds += report.duration
        if report.when == "call" and report.passed:
            result.status, result.score, result.output = "passed", result.max_score, ""
        elif report.failed and result.status != "error":
            error = call.excinfo.value if call.excinfo is not None else RuntimeError(report.longreprtext)
            result.status, result.output = student_message(error)
            result.score = 0.0


# -- learning runs side by side ---------------------------------------------------------
JOBS_SWITCH = "DQKIT_JOBS"
"""How many learning runs may train side by side; unset, as many as this process has cores.
``1`` grades as the kit always did: every call in the grading's one worker, one at a time."""


def learning_jobs() -> int:
    """``DQKIT_JOBS`` if it is set, else the number of cores this process may run on, no more
    than its control group's CPU quota allows (a container of 0.5 CPU on a 4-core host: 1)."""
    value = os.environ.get(JOBS_SWITCH, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{JOBS_SWITCH} should be a whole number of at least 1, not {value!r}")
        return int(value)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = cpu_quota()
    return max(1, min(cores, int(quota))) if quota is not None else cores


def cpu_quota(cgroups: Path = Path("/sys/fs/cgroup")) -> float | None:
    """How many CPUs the CFS quota of this process's control group (or of one above it)
    allows, from cgroup v2's ``cpu.max`` or v1's ``cpu.cfs_quota_us``; None without a quota.
    Cores seen are not cores granted: runs side by side under a quota of one CPU would only
    slow each other down, toward their timeouts."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    quotas = []
    for line in lines:
        hierarchy, controllers, path = line.split(":", 2)
        if hierarchy == "0":
            roots = [cgroups]
        elif "cpu" in controllers.split(","):
            roots = [cgroups / "cpu", cgroups / controllers]
        else:
            continue
        for root in roots:
            folder = root / path.lstrip("/")
            for directory in [folder, *folder.parents]:
                if not directory.is_relative_to(root):
                    break
                try:
                    if hierarchy == "0":
                        limit, period = (directory / "cpu.max").read_text().split()[:2]
                        if limit != "max":
                            quotas.append(int(limit) / int(period))
                    else:
                        limit = int((directory / "cpu.cfs_quota_us").read_text())
                        if limit > 0:
                            quotas.append(limit / int((directory / "cpu.cfs_period_us").read_text()))
                except (OSError, ValueError):
                    continue
    return min(quotas) if quotas else None


@dataclass(eq=False)
class _Run:
    """One learning round trip, trained in a fresh worker of its own."""

    module: str
    probe: str
    args: dict[str, Any]
    timeout: float
    spent: float
    """Seconds of the module's learning budget used before this run: its budget is what is left."""
    born: float
    """When the grading's clock started (its worker's first start)."""
    worker: Worker | None = None
    thread: threading.Thread | None = None
    claimed: bool = False
    dropped: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: Exception | None = None
    seconds: float = 0.0
    """How long the training call took, its answer or crash included."""
    fallback: bool = False
    """The fresh worker could not start, or not import the module: the grading's worker runs
    the call instead, as it does with one job."""

    @property
    def key(self) -> tuple[str, str, float]:
        return self.probe, wire.dumps(self.args), self.timeout


class LearningRuns:
    """Learning runs trained side by side, each in a fresh worker started like the grading's
    own (same submission, limits and account), at most ``slots`` at a time.

    A fresh worker per run, because a run in a worker that ran other calls first could depend
    on them (a student's module-level state); the reference seeds everything it uses, so its
    results are those of one worker. Each run's budgets are the grading's: its deadline is
    the smallest of its own timeout, what is left of its module's learning budget, and what
    is left of the whole grading's, all on the grader's clock. A run counts against its
    module's budget only once the grading takes its result; one never taken is killed."""

    def __init__(self, submission: Path, modules: list[str], limits: Limits, run_as: str | None,
                 slots: int) -> None:
        self.submission, self.modules, self.limits, self.run_as = submission, modules, limits, run_as
        self.slots = slots
        self._lock = threading.Lock()
        self._queue: list[_Run] = []
        self._running: list[_Run] = []
        self._runs: list[_Run] = []
        self._closed = False

    def ahead(self, run: _Run) -> None:
        """Queue ``run`` to train before it is asked for (the queue keeps its order)."""
        with self._lock:
            if self._closed or any(known.key == run.key and not known.claimed for known in self._runs):
                return
            self._runs.append(run)
            self._queue.append(run)
            self._start_queued()

    def claim(self, key: tuple[str, str, float], spent: float) -> _Run | None:
        """The started run of ``key``, with the same budget used before it, taken for the grading;
        None if there is none (one still queued is dropped: the caller decides whether it runs)."""
        with self._lock:
            for run in list(self._runs):
                if run.key != key or run.claimed:
                    continue
                if run.thread is not None and run.spent == spent:
                    run.claimed = True
                    return run
                self._drop(run)
        return None

    def now(self, run: _Run) -> _Run:
        """Start ``run`` as soon as a slot is free, before every queued one; already taken."""
        run.claimed = True
        with self._lock:
            if self._closed:
                run.fallback = True
                run.done.set()
                return run
            self._runs.append(run)
            self._queue.insert(0, run)
            self._start_queued()
        return run

    def widen(self, slots: int) -> None:
        """Let ``slots`` runs train at a time from now on."""
        with self._lock:
            self.slots = slots
            self._start_queued()

    def drop_unclaimed(self, keys: Iterable[tuple[str, str, float]]) -> None:
        """Kill the runs of ``keys`` that were never taken: their test is over."""
        keys = set(keys)
        with self._lock:
            for run in [run for run in self._runs if run.key in keys and not run.claimed]:
                self._drop(run)

    def close(self) -> None:
        """Kill every run and wait until their workers are gone."""
        with self._lock:
            self._closed = True
            self._queue.clear()
            running = list(self._running)
        # A run may be starting its process while this kills: kill until its thread is done.
        for run in running:
            while run.thread.is_alive():
                with self._lock:
                    run.worker.kill()
                run.thread.join(0.1)

    # -- with the lock held --------------------------------------------------------------
    def _drop(self, run: _Run) -> None:
        run.dropped = True
        self._runs.remove(run)
        if run in self._queue:
            self._queue.remove(run)
        elif run.worker is not None:
            run.worker.kill()

    def _start_queued(self) -> None:
        while self._queue and len(self._running) < self.slots and not self._closed:
            run = self._queue.pop(0)
            run.worker = Worker(self.submission, self.modules, limits=self.limits, run_as=self.run_as)
            run.worker.continue_budgets(run.born, run.module, run.spent)
            run.thread = threading.Thread(target=self._train, args=(run,), daemon=True,
                                          name=f"learning {run.probe}")
            self._running.append(run)
            run.thread.start()

    # -- in the run's thread -----------------------------------------------------------
    def _train(self, run: _Run) -> None:
        try:
            run.worker.import_module(run.module)
            with self._lock:
                # A kill while the process was starting may have missed it; this does not.
                wanted = not (run.dropped or self._closed)
            if wanted:
                started = time.monotonic()
                try:
                    run.value = run.worker.call(run.probe, run.args, run.timeout, kind="learning")
                except (StudentCrash, StudentError) as error:
                    run.error = error
                run.seconds = time.monotonic() - started
        except Exception:  # noqa: BLE001 - no start, no import, or a fault of the grader's own
            # The grading's worker makes the call instead and meets whatever it was, as with one job.
            run.fallback = True
        finally:
            with self._lock:
                run.worker.__exit__(None, None, None)
                self._running.remove(run)
                self._start_queued()
            run.done.set()


class _SharedWorker(Worker):
    """The grading's worker, whose learning round trips train in :class:`LearningRuns`: every
    check before a round trip (a module that hung, its import, a budget already spent) and
    every charge after it are made here, as with one job, so messages and cuts are the same."""

    def __init__(self, *args: Any, runs: LearningRuns, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runs = runs
        self._trained_seconds = 0.0

    def _run_for(self, probe: str, args: dict[str, Any], timeout: float, spent: float) -> _Run:
        return _Run(probe.partition(".")[0], probe, args, timeout, spent, born=self._born)

    def learn_ahead(self, probe: str, args: dict[str, Any], timeout: float) -> tuple[str, str, float]:
        """Queue a learning run the grading will probably ask for; returns its key."""
        run = self._run_for(probe, args, timeout, self._spent.get((probe.partition(".")[0], "learning"), 0.0))
        self.runs.ahead(run)
        return run.key

    def learn(self, probe: str, args: dict[str, Any], timeout: float) -> tuple[Any, float]:
        value = self.call(probe, args, timeout, kind="learning")
        return value, self._trained_seconds

    def _timed(self, module: str, kind: str, request: dict, timeout: float) -> Any:
        if kind != "learning":
            return super()._timed(module, kind, request, timeout)
        key = (module, kind)
        spent = self._spent.get(key, 0.0)
        run = self._run_for(request["probe"], request["args"], timeout, spent)
        taken = self.runs.claim(run.key, spent)
        if taken is None:
            seconds, why = self._budget(module, kind, timeout)
            if seconds <= 0:
                raise StudentCrash(f"not run: {why}", cut=True)
            taken = self.runs.now(run)
        taken.done.wait()
        if taken.fallback:
            started = time.monotonic()
            try:
                return super()._timed(module, kind, request, timeout)
            finally:
                self._trained_seconds = time.monotonic() - started
        self._spent[key] = spent + taken.seconds
        self._trained_seconds = taken.seconds
        if taken.error is not None:
            raise taken.error
        return taken.value


class _LearningAhead:
    """pytest plugin: queues the first run of every selected learning test as soon as the
    tests are known, for the cores the grading's worker leaves free; lets the runs use every
    core once the learning tests begin; kills what a learning test left untaken."""

    def __init__(self, worker: _SharedWorker, jobs: int) -> None:
        self.worker, self.jobs = worker, jobs
        self.keys: dict[str, list[tuple[str, str, float]]] = {}

    @staticmethod
    def _learning(item: pytest.Item) -> bool:
        return item.name.startswith(LEARNING_TEST_PREFIX)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # Imported here: it brings torch, which the grader's other commands do without (the
        # collected grader tests have imported it by now).
        from autograder.graders.learning import learning_run

        learning = [item for item in session.items if self._learning(item)]
        if len(learning) == len(session.items):
            self.worker.runs.widen(self.jobs)
        for item in learning:
            part, _ = part_of_test_file(Path(str(item.fspath)))
            cases = getattr(getattr(item, "module", None), "CASES", {})
            firsts = [learning_run(case, case["args"]["seeds"][0]) for case in cases.values()
                      if case.get("probe") == f"{part}.learn"]
            self.keys[item.nodeid] = [self.worker.learn_ahead(*first) for first in firsts]

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self._learning(item):
            self.worker.runs.widen(self.jobs)

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        self.worker.runs.drop_unclaimed(self.keys.get(item.nodeid, []))


@dataclass(frozen=True)
class CatalogEntry:
    """One grader test as ``grade`` will number it, known without running anything."""

    part: str
    visibility: str
    number: str
    name: str
    points: float


def catalog(part: Part, visibilities: Iterable[str] = ("public", "hidden")) -> list[CatalogEntry]:
    """The tests of ``part`` in grading order (public file, then hidden; definition order in
    each), numbered as ``grade`` numbers them, read from the test files' source."""
    index = next(position for position, known in enumerate(PARTS, start=1) if known.name == part.name)
    entries: list[CatalogEntry] = []
    for path in grader_files([part], list(visibilities)):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                points = next((decorator.args[0].value for decorator in node.decorator_list
                               if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "points"), 0)
                doc = (ast.get_docstring(node) or node.name).strip().splitlines()[0]
                entries.append(CatalogEntry(part.name, part_of_test_file(path)[1], f"{index}.{len(entries) + 1}", doc,
                                            float(points)))
    return entries


def grader_files(parts: Iterable[Part], visibilities: Iterable[str]) -> list[Path]:
    return [part.tests(v) for part in parts for v in visibilities if part.tests(v).exists()]


def grade(submission: Path, parts: Iterable[Part] = PARTS,
          visibilities: Iterable[str] = ("public", "hidden"), keyword: str | None = None,
          run_as: str | None = None, limits: Limits = Limits(), jobs: int | None = None) -> Report:
    """Grade ``submission`` (a directory laid out like ``assignments/``, or holding the
    notebooks of the notebook editing mode); student code runs as the account ``run_as`` if
    given (the grader must then run as root). Up to ``jobs`` learning runs train side by
    side (default: :func:`learning_jobs`); with 1, everything runs in one worker."""
    submission = Path(submission).resolve()
    parts = list(parts)
    jobs = learning_jobs() if jobs is None else max(1, jobs)
    with graded_modules(submission, parts) as (folder, extraction, notes):
        report = _run_tests(folder, parts, visibilities, keyword, run_as, limits, jobs)
    report.submission = str(submission)
    report.from_notebooks = dict(extraction.sources)
    notes = {**notes, **{part: f"{why}." for part, why in report.refused.items()}}
    for test in report.tests:
        if test.part in notes and test.status != "passed":
            test.output = f"{notes[test.part]}\n{test.output}"
    report.notes = [*notes.values(), *extraction.problems.get("", [])]
    return report


@contextlib.contextmanager
def graded_modules(submission: Path, parts: list[Part]):
    """Yield (the folder whose modules are graded, the notebooks' extraction, a note per part).

    A module that a solution cell of one of the submission's notebooks writes (the notebook
    editing mode, see ``autograder/solution_cells.py``) is taken from the saved cell, over a
    file of the same name: the cell is its source, and the file is only as new as the last
    time the cell ran. Nothing is run to read a notebook. Without such notebooks the folder
    is the submission itself."""
    graded = [part.filename for part in PARTS]
    extraction = solution_cells.extract(solution_cells.notebooks_under(submission), graded)
    if not extraction.modules and not extraction.problems:
        yield submission, extraction, {}
        return
    notes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="dq-modules-") as scratch:
        folder = Path(scratch)
        for name in graded:
            source = submission / name
            if name in extraction.modules:
                # errors="replace": a lone surrogate from the notebook's JSON cannot crash the grader
                (folder / name).write_text(extraction.modules[name], encoding="utf-8", errors="replace")
            else:
                # Copied by the worker's own rule; what it refuses, the worker refuses again and reports.
                copy_module(source, folder / name)
        for part in parts:
            problems = extraction.problems.get(part.filename, [])
            present = (folder / part.filename).exists()
            if problems:
                fallback = (f"{part.filename} was graded as the file of that name in your submission."
                            if present else f"No other {part.filename} was found, so its tests score 0.")
                notes[part.name] = " ".join([*(f"{problem}." for problem in problems), fallback])
            elif not present and extraction.modules:
                notes[part.name] = (f"{part.filename} was not found: no notebook of your submission has the "
                                    f"cell that writes it (its first line: {solution_cells.MAGIC} "
                                    f"../assignments/{part.filename}), and no file of that name is in it.")
        yield folder, extraction, notes


def _run_tests(submission: Path, parts: list[Part], visibilities: Iterable[str], keyword: str | None,
               run_as: str | None, limits: Limits, jobs: int = 1) -> Report:
    files = grader_files(parts, list(visibilities))
    collector = _Collector()
    args = [str(path) for path in files] + [
        "--rootdir", str(PARTS_DIR),
        "-c", str(PARTS_DIR / "pytest.ini"),
        "--confcutdir", str(PARTS_DIR),
        "--import-mode=importlib",
        "-p", "no:cacheprovider",
        "-p", "no:randomly",
        "-q", "--no-header", "--tb=no", "-rN", "--color=no",
    ]
    if keyword:
        args += ["-k", keyword]
    start = time.monotonic()
    captured = io.StringIO()
    modules = [part.name for part in PARTS]
    plugins: list[Any] = [collector]
    if jobs == 1:
        worker = Worker(submission, modules, limits=limits, run_as=run_as)
    else:
        # While the other tests run, the grading's worker keeps a core busy.
        runs = LearningRuns(submission, modules, limits, run_as, slots=jobs - 1)
        worker = _SharedWorker(submission, modules, limits=limits, run_as=run_as, runs=runs)
        plugins.append(_LearningAhead(worker, jobs))
    with worker:
        # Started before the tests, outside the capture: a set-up that cannot run the worker
        # is an error for whoever runs the grader (WorkerStartError), not a score of 0.
        worker.start()
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                exit_code = pytest.main(args, plugins=[*plugins, _StudentFixture(worker)])
        finally:
            if isinstance(worker, _SharedWorker):
                worker.runs.close()
    graded = {part.name for part in parts}
    report = Report(submission=str(submission), seconds=time.monotonic() - start,
                    refused={module: why for module, why in worker.refused.items() if module in graded})
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        report.internal_errors.append(f"pytest exited with {exit_code!r}:\n{captured.getvalue()[-3000:]}")
    # Numbers follow the course's part order, whichever parts were graded.
    order = {part.name: index for index, part in enumerate(PARTS, start=1)}
    counters: dict[str, int] = {}
    for nodeid in sorted(collector.order, key=lambda nodeid: collector.position.get(nodeid, 0)):
        result = collector.results[nodeid]
        counters[result.part] = counters.get(result.part, 0) + 1
        result.number = f"{order.get(result.part, 0)}.{counters[result.part]}"
        report.tests.append(result)
    return report


# -- output ------------------------------------------------------------------------------
def _fmt(value: float) -> str:
    return f"{value:g}"


STAFF_ONLY = "The grader hit an internal error; the course staff has the details."
BEING_GRADED = "Your submission is being graded; this file is replaced when it is done."
"""What a feedback file says from the start of a grading until its end."""


def format_report(report: Report, show_passed: bool = False, for_student: bool = False) -> str:
    """The report as a table: a row per part with its score, then each failed test (every
    test if ``show_passed``) with its message. ``for_student`` leaves out what only the
    course staff should read: the details of an internal error, in a test or in the grader."""
    lines = []
    part_titles = {part.name: part.title for part in PARTS}
    scores = report.part_scores()
    width = max([len("Total"), *(len(part_titles.get(part, part)) for part in scores)])
    for part, (score, maximum) in scores.items():
        lines.append(f"{part_titles.get(part, part):<{width}} {_fmt(score):>5} / {_fmt(maximum)}")
        tests = [test for test in report.tests if test.part == part]
        if score == 0 and len(tests) > 1 and len({test.output for test in tests}) == 1:
            # Typically "not implemented yet": say it once, not once per test.
            lines.append(f"  FAIL all {len(tests)} tests:")
            lines.extend(f"         {line}" for line in sanitize.text(tests[0].output).splitlines())
            continue
        first_with: dict[str, str] = {}
        for test in tests:
            if test.status == "passed" and not show_passed:
                continue
            mark = "ok" if test.status == "passed" else "FAIL"
            name = sanitize.text(test.name, one_line=True)
            lines.append(f"  {mark:<4} {test.number:<5} [{test.visibility}] {name} "
                         f"({_fmt(test.score)}/{_fmt(test.max_score)})")
            if test.output in first_with:
                lines.append(f"         (same message as {first_with[test.output]})")
                continue
            if test.output:
                first_with[test.output] = test.number
            output = sanitize.text(test.output)
            if for_student and test.status == "error":
                output = output.partition("\n")[0]  # "Internal grader error (...) ...: either ... or ..."
            lines.extend(f"         {line}" for line in output.splitlines())
    lines.append(f"{'Total':<{width}} {_fmt(report.score):>5} / {_fmt(report.max_score)}"
                 f"   ({report.seconds:.1f} s)")
    lines.extend(f"NOTE: {sanitize.text(note)}" for note in report.notes)
    if report.internal_errors and for_student:
        lines.append(f"GRADER ERROR: {STAFF_ONLY}")
    elif report.internal_errors:
        lines.extend(f"GRADER ERROR: {sanitize.text(error)}" for error in report.internal_errors)
    return "\n".join(lines)


def gradescope_results(report: Report) -> dict[str, Any]:
    """The report in Gradescope's results.json format; every text in it made safe to show."""
    tests = []
    for test in report.tests:
        entry = {
            "name": sanitize.text(f"{test.part}: {test.name}", one_line=True),
            "number": test.number,
            "score": test.score,
            "max_score": test.max_score,
            "status": "passed" if test.status == "passed" else "failed",
            "output": sanitize.text(test.output),
            "visibility": GRADESCOPE_VISIBILITY.get(test.visibility, "after_published"),
        }
        tests.append(entry)
    results: dict[str, Any] = {
        "score": report.score,
        "execution_time": round(report.seconds, 2),
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    notes = [sanitize.text(note) for note in report.notes]
    if notes:
        results["output"] = "\n".join(notes)
    if report.internal_errors:
        results["output"] = "\n".join([*notes, STAFF_ONLY])
        results["extra_data"] = {"internal_errors": [sanitize.text(error) for error in report.internal_errors]}
    return results


def fallback_results(reason: str) -> dict[str, Any]:
    """What results.json says if grading never finishes (``reason`` may quote the student)."""
    return {"score": 0.0, "output": f"Grading did not finish: {sanitize.text(reason)}", "stdout_visibility": "hidden",
            "tests": []}


def refused_results(reason: str) -> dict[str, Any]:
    """What results.json says of a submission that could not be graded as it is."""
    return {**fallback_results(reason), "output": f"Your submission could not be graded: {sanitize.text(reason)}."}


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` so that the file is, at every moment, either the
    old one or the whole new one; it is plain ASCII and valid JSON whatever ``data`` holds
    (lone surrogates are replaced, and a NaN is an error rather than invalid JSON)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(sanitize.json_safe(data), indent=2, allow_nan=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    with os.fdopen(handle, "w", encoding="ascii") as stream:
        stream.write(text)
    os.replace(temporary, path)


def report_dict(report: Report) -> dict[str, Any]:
    return sanitize.json_safe({"submission": report.submission, "seconds": report.seconds,
                               "tests": [asdict(test) for test in report.tests]})
