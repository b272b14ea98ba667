"""Grading a whole class: ``python -m autograder grade-all SUBMISSIONS --out OUT [--jobs N]``.

SUBMISSIONS holds one entry per student: a folder laid out like ``assignments/`` or a
``.zip`` of one (the files may sit at the zip's root or in one folder inside it). The
entry's name, without ``.zip``, is the student's id. Each student is graded by a grader
process of its own (``python -m autograder grade``), so one submission cannot disturb
another's grading, and ``--jobs`` of them run side by side. Per student, OUT/<id>/ gets
``results.json`` (Gradescope's format) and ``feedback.txt`` (the table the student would
see); OUT/gradebook.csv gets one row per student. A student whose ``results.json`` is
already complete is skipped unless ``--force``, so an interrupted run resumes where it
stopped. Scores do not depend on the order or on ``--jobs``: every grading is seeded and
runs alone in its own processes.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from autograder.grading import fallback_results, write_json_atomically
from autograder.parts import PARTS
from autograder.solution_cells import MAX_NOTEBOOK_BYTES, MAX_NOTEBOOKS, SKIPPED_FOLDERS, copy_notebooks

GRADED_FILES = [part.filename for part in PARTS]
MAX_FILE_BYTES = 2 * 1024**2
"""A graded module larger than this in a zip is refused (a zip bomb, not homework)."""
GRADING_TIMEOUT = 15 * 60
"""Wall-clock limit for grading one student, learning checks included."""
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class SubmissionError(Exception):
    """A submission that cannot be graded as it is; the message says why."""


@dataclass(frozen=True)
class Student:
    id: str
    source: Path


def find_students(submissions: Path) -> list[Student]:
    """One Student per folder or ``.zip`` in ``submissions``, sorted by id."""
    if not submissions.is_dir():
        raise SubmissionError(f"{submissions} is not a directory of submissions")
    students = []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            students.append(Student(entry.name, entry))
        elif entry.is_file() and entry.suffix == ".zip":
            students.append(Student(entry.stem, entry))
    ids = [student.id for student in students]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    if duplicates:
        raise SubmissionError(f"more than one submission for {', '.join(duplicates)} (a folder and a zip?)")
    return students


def unpack(archive: Path, target: Path) -> None:
    """Copy the graded modules out of a zip into ``target``, by name only.

    Only members whose file name is one of the graded modules are read, and only from the
    zip's root or from a single folder inside it; nothing is extracted by its own path, so
    names like ``../x`` or absolute paths cannot write outside ``target``. Notebooks (in
    the notebook editing mode they hold the modules) are copied by file name into
    ``target``; the grader reads them without running them.
    """
    try:
        with zipfile.ZipFile(archive) as bundle:
            _unpack_notebooks(bundle, target)
            members = [info for info in bundle.infolist()
                       if not info.is_dir() and Path(info.filename).name in GRADED_FILES
                       and "__MACOSX" not in info.filename]
            folders = {str(Path(info.filename).parent) for info in members}
            if len(folders) > 1:
                raise SubmissionError(f"{archive.name}: the graded files are spread over several folders "
                                      f"({', '.join(sorted(folders))}); put them in one")
            for info in members:
                if info.file_size > MAX_FILE_BYTES:
                    raise SubmissionError(f"{archive.name}: {info.filename} is larger than "
                                          f"{MAX_FILE_BYTES // 1024**2} MB")
                with bundle.open(info) as stream:
                    data = stream.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise SubmissionError(f"{archive.name}: {info.filename} is larger than it claims")
                (target / Path(info.filename).name).write_bytes(data)
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{archive.name} is not a readable zip file ({error})") from None


def _unpack_notebooks(bundle: zipfile.ZipFile, target: Path) -> None:
    """Copy a zip's notebooks into ``target`` by file name (a second notebook of the same
    name gets a number); each is cut at the size limit, which the grader then reports."""
    notebooks = [info for info in bundle.infolist() if not info.is_dir() and info.filename.endswith(".ipynb")
                 and not SKIPPED_FOLDERS.intersection(Path(info.filename).parts)]
    for info in notebooks[:MAX_NOTEBOOKS]:
        name, number = Path(info.filename).name, 1
        while (target / name).exists():
            number += 1
            name = f"{Path(info.filename).stem}-{number}.ipynb"
        with bundle.open(info) as stream:
            (target / name).write_bytes(stream.read(MAX_NOTEBOOK_BYTES + 1))


def _copy_modules(folder: Path, target: Path) -> None:
    for name in GRADED_FILES:
        source = folder / name
        if source.is_file() and not source.is_symlink():
            shutil.copyfile(source, target / name)
    copy_notebooks(folder, target)


def is_complete(results_path: Path) -> bool:
    """A results.json written at the end of a grading (not the fallback written first)."""
    try:
        data = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(data.get("tests"))


def grade_student(student: Student, out: Path, parts: list[str] | None = None,
                  timeout: float = GRADING_TIMEOUT) -> dict:
    """Grade one student (all parts, or only ``parts``) into ``out/<id>/``; returns their
    results.json data."""
    folder = out / student.id
    folder.mkdir(parents=True, exist_ok=True)
    results_path = folder / "results.json"
    write_json_atomically(results_path, fallback_results("grading started"))
    with tempfile.TemporaryDirectory(prefix="dq-submission-") as scratch:
        submission = Path(scratch)
        try:
            if student.source.is_dir():
                _copy_modules(student.source, submission)
            else:
                unpack(student.source, submission)
        except SubmissionError as error:
            (folder / "feedback.txt").write_text(f"Your submission could not be graded: {error}\n")
            data = fallback_results(str(error))
            write_json_atomically(results_path, data)
            return data
        if not any((submission / name).exists() for name in GRADED_FILES) and not any(submission.rglob("*.ipynb")):
            message = f"none of the graded files ({', '.join(GRADED_FILES)}) and no notebook was found"
            (folder / "feedback.txt").write_text(f"Your submission could not be graded: {message}.\n")
            data = fallback_results(message)
            write_json_atomically(results_path, data)
            return data
        command = [sys.executable, "-m", "autograder", "grade", str(submission), "--results", str(results_path),
                   *[argument for name in parts or [] for argument in ("--part", name)]]
        try:
            completed = subprocess.run(command, cwd=PACKAGE_ROOT, capture_output=True, text=True,
                                       timeout=timeout, env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)})
            feedback = completed.stdout
            if completed.returncode != 0:
                feedback += f"\n(the grader exited with code {completed.returncode})\n{completed.stderr[-2000:]}"
        except subprocess.TimeoutExpired:
            feedback = f"Grading took longer than {timeout:g} s and was stopped."
            write_json_atomically(results_path, fallback_results(feedback))
        (folder / "feedback.txt").write_text(feedback)
    try:
        return json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = fallback_results("the grader wrote no readable results")
        write_json_atomically(results_path, data)
        return data


def gradebook_rows(results: dict[str, dict]) -> tuple[list[str], list[dict[str, object]]]:
    """Columns and rows of the gradebook: one row per student; a column per test (by its
    number and name), then one per graded part, then the total."""
    tests: dict[str, str] = {}
    for data in results.values():
        for test in data.get("tests", []):
            tests.setdefault(test["number"], f"{test['number']} {test['name']}")
    numbers = sorted(tests, key=lambda number: tuple(int(piece) for piece in number.split(".")))
    # A test's number is "<part's place in PARTS>.<test>", whichever parts were graded.
    graded_parts = {number.split(".")[0] for number in numbers}
    part_columns = {str(index): part.name for index, part in enumerate(PARTS, start=1) if str(index) in graded_parts}
    columns = ["student", *[tests[number] for number in numbers], *part_columns.values(), "total", "note"]
    rows = []
    for student_id in sorted(results):
        data = results[student_id]
        row: dict[str, object] = {"student": student_id, "total": data.get("score", 0.0), "note": ""}
        row.update({name: 0.0 for name in part_columns.values()})
        by_number = {test["number"]: test for test in data.get("tests", [])}
        for number in numbers:
            score = by_number[number]["score"] if number in by_number else 0.0
            row[tests[number]] = score
            row[part_columns[number.split(".")[0]]] += score
        if not data.get("tests"):
            row["note"] = data.get("output", "not graded")
        rows.append(row)
    return columns, rows


def write_gradebook(path: Path, results: dict[str, dict]) -> None:
    columns, rows = gradebook_rows(results)
    temporary = path.with_suffix(".csv.tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def grade_all(submissions: Path, out: Path, jobs: int = 1, force: bool = False, parts: list[str] | None = None,
              progress: bool = True) -> dict[str, dict]:
    """Grade every student in ``submissions`` (all parts, or only ``parts``); returns
    id -> results.json data."""
    students = find_students(Path(submissions))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    pending = []
    for student in students:
        results_path = out / student.id / "results.json"
        if not force and is_complete(results_path):
            results[student.id] = json.loads(results_path.read_text(encoding="utf-8"))
        else:
            pending.append(student)
    with tqdm(total=len(students), initial=len(students) - len(pending), disable=not progress,
              desc="grading", unit="student") as bar, ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = {pool.submit(grade_student, student, out, parts): student for student in pending}
        for future in as_completed(futures):
            results[futures[future].id] = future.result()
            bar.update(1)
    write_gradebook(out / "gradebook.csv", results)
    return results
