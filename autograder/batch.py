"""Grading a whole class: ``python -m autograder grade-all SUBMISSIONS --out OUT [--jobs N]``.

SUBMISSIONS holds one entry per student: a folder or a ``.zip`` holding their modules (in
one folder at any depth) and notebooks, read by the rules of ``autograder/submission.py``. The
entry's name, without ``.zip``, names the student; their id, the name of their folder in
OUT and of their row in the gradebook, is that name made safe for a file system and a
spreadsheet (``sanitize.file_name``: unchanged for an ordinary name). Each student is
graded by a grader process of its own (``python -m autograder grade``), so one submission
cannot disturb another's grading, and ``--jobs`` of them run side by side. Per student,
OUT/<id>/ gets ``results.json`` (Gradescope's format), ``feedback.txt`` (what the student
should read), ``answers.txt`` (their written answers, for the instructor to grade; see
``autograder/answers.py``) and ``grader.log`` (the grader's own output, for the course staff);
OUT/gradebook.csv gets one row per student, and OUT/gradebook-key.csv says what each of its
test columns is. A student whose ``results.json`` is complete for the parts asked for is
skipped unless ``--force``, so an interrupted run resumes where it stopped. Scores do not
depend on the order or on ``--jobs``: every grading is seeded and runs alone in its own
processes. With ``--scheduler ADDRESS`` the gradings run on the workers of a Dask cluster
instead (``autograder/cluster.py``), and everything else is the same.
"""
from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from tqdm.auto import tqdm

from autograder import answers, sanitize
from autograder.grading import (BEING_GRADED, JOBS_SWITCH, catalog, fallback_results, learning_jobs, refused_results,
                                write_json_atomically)
from autograder.parts import PARTS, Part
from autograder.submission import GRADED_FILES, SubmissionError, collect

GRADING_TIMEOUT = 15 * 60
"""Wall-clock limit for grading one student, learning checks included."""
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
GRADEBOOK = "gradebook.csv"
ANSWERS = "answers.txt"
"""A student's written answers, in their folder in OUT."""
ANSWERED = "answered"
"""The gradebook's column of how many written questions a student answered."""
GRADEBOOK_KEY = "gradebook-key.csv"
OUTPUT_FILES = (GRADEBOOK, GRADEBOOK_KEY)
"""What grade-all writes in OUT besides the students' folders: no student's id is one of
these (its temporary files start with a dot, which no id does)."""
MAXIMUM_ROW = "(maximum)"
"""The gradebook's first row, the most each column can score; no id has parentheses."""
PART_NUMBERS = {part.name: str(index) for index, part in enumerate(PARTS, start=1)}
"""A part's number: the first half of its tests' numbers (``1`` in ``1.3``)."""
LOG_LIMIT = 200_000
"""Characters kept of the grader's output in grader.log."""


@dataclass(frozen=True)
class Student:
    id: str
    """The student's folder in OUT and their row in the gradebook: ``name`` made safe by
    ``sanitize.file_name`` (the same as ``name`` for an ordinary name)."""
    name: str
    """The entry's name in SUBMISSIONS without ``.zip``, as found: anything a file name can hold."""
    source: Path


def find_students(submissions: Path) -> list[Student]:
    """One Student per entry of ``submissions`` whose name does not start with a dot (a
    folder, or a ``.zip`` in any case; anything else, links included, is not graded, with
    the reason in its row), sorted by name.

    Two entries whose ids are equal up to case (``Ana`` and ``ana``, or ``ana`` and
    ``ana.zip``; names equal up to Unicode normalization have equal ids) are an error: on a
    case-insensitive file system their results would share a folder, and only a person can
    tell which submission counts."""
    if not submissions.is_dir():
        raise SubmissionError(f"{submissions} is not a directory of submissions")
    students = []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        # Every other entry is someone's submission, never skipped in silence: one that is
        # neither a folder nor a zip (or is a link to one) gets a gradebook row that says so.
        is_zip = entry.name.lower().endswith(".zip") and not entry.is_dir()
        name = entry.name[:-len(".zip")] if is_zip and len(entry.name) > len(".zip") else entry.name
        students.append(Student(sanitize.file_name(name, reserved=OUTPUT_FILES), name, entry))
    by_id: dict[str, list[Student]] = {}
    for student in students:
        by_id.setdefault(student.id.casefold(), []).append(student)
    clashes = [", ".join(ascii(student.source.name) for student in group)
               for group in by_id.values() if len(group) > 1]
    if clashes:
        raise SubmissionError(sanitize.text(
            f"more than one submission for one student: {'; '.join(clashes)}. Names equal up to case "
            "or Unicode normalization count as one student (their results would share a folder on some file "
            "systems): keep one submission of each"))
    return students


def _read_results(results_path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _tests_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The tests of a results.json, keeping only well-formed entries (the file may have
    been written by anything that could write there)."""
    tests = data.get("tests")
    return [test for test in tests if isinstance(test, dict) and isinstance(test.get("number"), str)] \
        if isinstance(tests, list) else []


def is_complete(results_path: Path, parts: Iterable[Part] = PARTS) -> bool:
    """A results.json written at the end of a grading of (at least) ``parts``, not the
    fallback written first."""
    data = _read_results(results_path)
    if data is None:
        return False
    graded = {test["number"].partition(".")[0] for test in _tests_of(data)}
    return bool(graded) and {PART_NUMBERS[part.name] for part in parts} <= graded


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _not_graded(folder: Path, reason: str, written: list[answers.WrittenAnswer]) -> dict[str, Any]:
    """Record, in the student's results.json and feedback.txt, that they could not be graded
    (with their written answers, which do not need a grading)."""
    data = refused_results(reason)
    if written:
        data = answers.with_answers(data, written)
    write_json_atomically(folder / "results.json", data)
    section = f"\n{answers.summary(written)}\n" if written else ""
    _write_text(folder / "feedback.txt", f"Your submission could not be graded: {sanitize.text(reason)}.\n{section}")
    return data


def grade_student(student: Student, out: Path, parts: list[str] | None = None,
                  timeout: float = GRADING_TIMEOUT, learning_workers: str | None = None) -> dict[str, Any]:
    """Grade one student (all parts, or only ``parts``) into ``out/<id>/``; returns their
    results.json data. ``learning_workers``: the grading's ``DQKIT_JOBS`` (default: as set)."""
    folder = out / student.id
    folder.mkdir(parents=True, exist_ok=True)
    results_path, feedback_path = folder / "results.json", folder / "feedback.txt"
    write_json_atomically(results_path, fallback_results("grading started"))
    for stale in (feedback_path, folder / "grader.log", folder / ANSWERS):
        stale.unlink(missing_ok=True)  # an earlier run's must not outlive this grading
    with tempfile.TemporaryDirectory(prefix="dq-submission-") as scratch:
        submission = Path(scratch)
        try:
            collected = collect(student.source, submission)
        except SubmissionError as error:
            problem = str(error)
        else:
            problem = None
        # Read before student code runs, and whether or not it can be graded; nothing is run.
        written = answers.read(submission)
        if written:
            _write_text(folder / ANSWERS, answers.document(written))
        if problem is not None:
            return _not_graded(folder, problem, written)
        if not collected.modules and not collected.notebooks:
            return _not_graded(folder, f"none of the graded files ({', '.join(GRADED_FILES)}) and no notebook "
                                       "was found", written)
        command = [sys.executable, "-m", "autograder", "grade", str(submission), "--results", str(results_path),
                   "--feedback", str(feedback_path),
                   *[argument for name in parts or [] for argument in ("--part", name)]]
        try:
            # Bytes, not text: what a grading prints need not be valid UTF-8.
            completed = subprocess.run(command, cwd=PACKAGE_ROOT, capture_output=True, timeout=timeout,
                                       env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT),
                                            **({JOBS_SWITCH: learning_workers} if learning_workers else {})})
        except subprocess.TimeoutExpired:
            _write_text(folder / "grader.log", f"Grading took longer than {timeout:g} s and was stopped.\n")
            return _not_graded(folder, f"grading took longer than {timeout:g} s and was stopped", written)
    log = (completed.stdout + completed.stderr).decode("utf-8", "replace")
    if completed.returncode != 0:
        log += f"\n(the grader exited with code {completed.returncode})\n"
    _write_text(folder / "grader.log", sanitize.text(log, LOG_LIMIT, lines=LOG_LIMIT))
    data = _read_results(results_path)
    try:
        verdict = feedback_path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        verdict = BEING_GRADED
    if data is None or (not _tests_of(data) and verdict.startswith(BEING_GRADED)):
        return _not_graded(folder, "the grader stopped before it finished; the course staff has its log", written)
    if written and not answers.holds_answers(data):  # a submission the grader refused: its answers still count
        data = answers.with_answers(data, written)
        write_json_atomically(results_path, data)
    return data


def gradebook_column(number: str) -> str:
    """The gradebook's column for the test numbered ``number`` (``1.10`` -> ``T1.10``): the
    letter keeps a spreadsheet from reading ``1.10`` as the number 1.1."""
    return f"T{number}"


def _points(value: Any, maximum: float) -> float:
    """A score read from a results.json, as a number between 0 and ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return min(max(float(value), 0.0), maximum)


def _number(value: float) -> str:
    return f"{value:g}"


def gradebook_rows(results: dict[str, dict], parts: Iterable[Part] = PARTS,
                   names: dict[str, str] | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of the gradebook: the id, the total, the number of written questions
    answered (ungraded: the answers are in each student's answers.txt) and a column per part,
    then a column per test (``T1.3``, see :func:`gradebook_column`) and a note. The first row
    holds the most each column can score; then one row per student in ``results`` (id ->
    results.json data; ``names`` maps an id to the submission's own name where they differ).
    Every cell is safe to open in a spreadsheet, and a score is read as a number between 0 and
    its test's points, whatever the results file holds; only the kit's own questions are
    counted as answered, and the count is empty for results that do not report them."""
    parts = list(parts)
    entries = {part.name: catalog(part) for part in parts}
    test_columns = [gradebook_column(entry.number) for tests in entries.values() for entry in tests]
    columns = ["student", "total", ANSWERED, *entries, *test_columns, "note"]
    maximum = {"student": MAXIMUM_ROW, ANSWERED: str(len(answers.questions())),
               "note": "the most each column can score"}
    for part, tests in entries.items():
        maximum[part] = _number(sum(entry.points for entry in tests))
        maximum.update({gradebook_column(entry.number): _number(entry.points) for entry in tests})
    maximum["total"] = _number(sum(entry.points for tests in entries.values() for entry in tests))
    rows = [maximum]
    for student_id in sorted(results):
        data = results[student_id]
        scores = {}
        for test in _tests_of(data):
            scores.setdefault(test["number"], test.get("score"))
        row = {"student": sanitize.cell(student_id)}
        total = 0.0
        for part, tests in entries.items():
            points = [_points(scores.get(entry.number), entry.points) for entry in tests]
            row.update({gradebook_column(entry.number): _number(score) for entry, score in zip(tests, points)})
            row[part] = _number(sum(points))
            total += sum(points)
        row["total"] = _number(total)
        answered = answers.answered_in(data)
        row[ANSWERED] = "" if answered is None else str(answered)
        notes = []
        name = (names or {}).get(student_id, student_id)
        if name != student_id:
            notes.append(f"submitted as {ascii(name)}")
        if not _tests_of(data):
            notes.append(f"not graded: {data.get('output') or 'no results'}")
        row["note"] = sanitize.cell("; ".join(notes))
        rows.append(row)
    return columns, rows


def key_rows(parts: Iterable[Part] = PARTS) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of the gradebook's key: for each test column, its part, whether the
    test is public or hidden, its points and the sentence that says what it checks."""
    columns = ["test", "part", "visibility", "points", "description"]
    rows = [{"test": gradebook_column(entry.number), "part": entry.part, "visibility": entry.visibility,
             "points": _number(entry.points), "description": sanitize.cell(entry.name, limit=sanitize.TEXT_LIMIT)}
            for part in parts for entry in catalog(part)]
    return columns, rows


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    # UTF-8 with a byte-order mark, so that spreadsheets read accented names correctly.
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def write_gradebook(out: Path, results: dict[str, dict], parts: Iterable[Part] = PARTS,
                    names: dict[str, str] | None = None) -> None:
    """Write OUT/gradebook.csv and its key, OUT/gradebook-key.csv."""
    parts = list(parts)
    _write_csv(out / GRADEBOOK, *gradebook_rows(results, parts, names))
    _write_csv(out / GRADEBOOK_KEY, *key_rows(parts))


@dataclass
class ClassResults:
    """What one run of grade-all did."""

    results: dict[str, dict] = field(default_factory=dict)
    """Student id -> results.json data, for every student in SUBMISSIONS."""
    graded: list[str] = field(default_factory=list)
    """The ids graded in this run."""
    skipped: list[str] = field(default_factory=list)
    """The ids whose complete results were kept (without ``--force``)."""

    @property
    def not_graded(self) -> list[str]:
        """The ids graded in this run whose submission could not be graded."""
        return [student for student in self.graded if not _tests_of(self.results[student])]


@contextlib.contextmanager
def _gradings(out: Path, students: list[Student], parts: list[str] | None, jobs: int,
              scheduler: str | None) -> Iterator[Callable[[Student], Future]]:
    """Where the gradings run: in ``jobs`` threads here, or on the workers of the Dask
    scheduler at ``scheduler``. Yields a function that starts one student's grading and
    returns its future. The cluster is contacted only if there are ``students`` to grade."""
    if scheduler and students:
        from autograder.cluster import gradings

        # DQKIT_JOBS, when set here, decides for every grading; otherwise each worker gives
        # each of its gradings its share of its own cores.
        with gradings(scheduler, out, students, parts, os.environ.get(JOBS_SWITCH) or None) as grade:
            yield grade
        return
    # The cores are shared among the gradings side by side: each one's learning runs get
    # its share (DQKIT_JOBS, when set, decides for all of them).
    learning = os.environ.get(JOBS_SWITCH) or str(max(1, learning_jobs() // max(1, jobs)))
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        yield lambda student: pool.submit(grade_student, student, out, parts, learning_workers=learning)


def grade_all(submissions: Path, out: Path, jobs: int = 1, force: bool = False, parts: list[str] | None = None,
              progress: bool = True, scheduler: str | None = None) -> ClassResults:
    """Grade every student in ``submissions`` (all parts, or only ``parts``) into ``out``
    and write the gradebook. ``scheduler``: the address of a Dask scheduler whose workers
    grade, instead of ``jobs`` threads here."""
    if scheduler:
        from autograder.cluster import require_dask

        require_dask()
    # Absolute: each grading runs in the kit's folder, and perhaps on another machine.
    students = find_students(Path(submissions).absolute())
    shown = [part for part in PARTS if not parts or part.name in parts]
    out = Path(out).absolute()
    out.mkdir(parents=True, exist_ok=True)
    outcome = ClassResults()
    pending = []
    for student in students:
        results_path = out / student.id / "results.json"
        if not force and is_complete(results_path, shown):
            outcome.results[student.id] = _read_results(results_path) or {}
            outcome.skipped.append(student.id)
        else:
            pending.append(student)
    with _gradings(out, pending, parts, jobs, scheduler) as grade, \
            tqdm(total=len(students), initial=len(students) - len(pending), disable=not progress,
                 desc="grading", unit="student") as bar:
        futures = {grade(student): student for student in pending}
        for future in as_completed(futures):
            outcome.results[futures[future].id] = future.result()
            bar.update(1)
    outcome.graded = sorted(student.id for student in pending)
    write_gradebook(out, outcome.results, shown, {student.id: student.name for student in students})
    return outcome
