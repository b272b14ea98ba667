"""Batch grading: a class of 20 mixed submissions (reference, stubs, buggy, zipped,
hostile) graded into one gradebook, resumable and independent of ``--jobs``.

Only the first two parts are graded here (``--part``), so the whole class takes about a
minute on two cores; what is checked is the batch machinery, not the graders. Hostile
student ids are in ``tests/test_sanitize.py``.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.batch import (ANSWERED, GRADEBOOK, GRADEBOOK_KEY, MAXIMUM_ROW, SubmissionError, find_students,
                              grade_all, gradebook_rows, is_complete, key_rows)
from autograder.grading import catalog
from autograder.parts import part_named
from autograder.submission import collect
from tests.gradescope import validate_results
from tests.mutants import MUTANTS, mutated_source

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"
PARTS = ["replay_buffer", "target_network"]
FULL = {"replay_buffer": 19.0, "target_network": 14.0}
BUGS = ["write_position_from_size", "samples_whole_capacity", "tau_on_wrong_side", "hard_update_parameters_only"]


def copy_of(base: Path, target: Path) -> Path:
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def zip_of(base: Path, target: Path, folder: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as bundle:
        for name in PARTS:
            bundle.write(base / f"{name}.py", f"{folder}{name}.py")
    return target


def with_header(path: Path, code: str) -> None:
    header = "from __future__ import annotations\n"
    text = path.read_text()
    path.write_text(text.replace(header, header + code + "\n", 1))


def make_class(root: Path) -> dict[str, dict[str, str]]:
    """Twenty submissions; returns id -> {part: "full" | "zero" | "less"}."""
    expected: dict[str, dict[str, str]] = {}
    full, zero = {"replay_buffer": "full", "target_network": "full"}, {"replay_buffer": "zero", "target_network": "zero"}
    for k in range(6):
        copy_of(SOLUTIONS, root / f"reference_{k}")
        expected[f"reference_{k}"] = full
    for k in range(4):
        copy_of(ASSIGNMENTS, root / f"stubs_{k}")
        expected[f"stubs_{k}"] = zero
    mutants = {mutant.name: mutant for mutant in MUTANTS if mutant.part in PARTS}
    for name in BUGS:
        mutant = mutants[name]
        submission = copy_of(SOLUTIONS, root / f"buggy_{name}")
        (submission / f"{mutant.part}.py").write_text(mutated_source(mutant))
        expected[f"buggy_{name}"] = {**full, mutant.part: "less"}
    zip_of(SOLUTIONS, root / "zipped_flat.zip")
    zip_of(SOLUTIONS, root / "zipped_in_folder.zip", folder="homework/")
    zip_of(ASSIGNMENTS, root / "zipped_stubs.zip")
    expected.update(zipped_flat=full, zipped_in_folder=full, zipped_stubs=zero)
    exits = copy_of(SOLUTIONS, root / "hostile_exit_at_import")
    with_header(exits / "replay_buffer.py", "import os\nos._exit(0)")
    expected["hostile_exit_at_import"] = {"replay_buffer": "zero", "target_network": "full"}
    forges = copy_of(ASSIGNMENTS, root / "hostile_forged_results")
    forged = '{"score": 1000, "tests": [{"name": "forged", "score": 1000, "max_score": 1}]}'
    with_header(forges / "target_network.py",
                f"import pathlib\npathlib.Path('results.json').write_text({forged!r})")
    expected["hostile_forged_results"] = zero
    conftest = copy_of(ASSIGNMENTS, root / "hostile_conftest")
    (conftest / "conftest.py").write_text(
        "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n")
    expected["hostile_conftest"] = zero
    assert len(expected) == 20
    return expected


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def read_gradebook(path: Path) -> dict[str, dict[str, str]]:
    """Student id -> row; the first row, the maximum of each column, is under MAXIMUM_ROW."""
    return {row["student"]: row for row in read_csv(path)}


def run_grade_all(submissions: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out),
                           "--jobs", "2", *[arg for part in PARTS for arg in ("--part", part)]],
                          cwd=REPO, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_a_class_of_twenty_gets_a_correct_gradebook(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    expected = make_class(submissions)
    out = tmp_path / "out"
    completed = run_grade_all(submissions, out)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "20 submission(s): 20 graded now, 0 skipped." in completed.stdout

    gradebook = read_gradebook(out / GRADEBOOK)
    maximum = gradebook.pop(MAXIMUM_ROW)
    assert set(gradebook) == set(expected)
    tests = [entry for part in PARTS for entry in catalog(part_named(part))]
    columns = list(maximum)
    assert columns == ["student", "total", ANSWERED, *PARTS, *(f"T{entry.number}" for entry in tests), "note"]
    assert [float(maximum[part]) for part in PARTS] == list(FULL.values())
    assert float(maximum["total"]) == sum(FULL.values())
    key = read_csv(out / GRADEBOOK_KEY)
    assert [row["test"] for row in key] == columns[3 + len(PARTS):-1]
    assert [(row["part"], row["description"]) for row in key] == [(entry.part, entry.name) for entry in tests]
    for student, parts in expected.items():
        results = json.loads((out / student / "results.json").read_text())
        validate_results(results)
        row = gradebook[student]
        assert float(row["total"]) == pytest.approx(results["score"])
        assert float(row["total"]) == pytest.approx(sum(float(row[part]) for part in PARTS))
        assert {f"T{test['number']}": test["score"] for test in results["tests"]} == \
            {column: float(row[column]) for column in columns[3 + len(PARTS):-1]}
        assert row[ANSWERED] == "0"  # no notebook in any of these submissions
        for part, outcome in parts.items():
            score = float(row[part])
            want = {"full": FULL[part], "zero": 0.0}.get(outcome)
            if want is None:
                assert 0.0 <= score < FULL[part], f"{student}: {part} scored {score}"
            else:
                assert score == want, f"{student}: {part} scored {score}, expected {want}"
        feedback = (out / student / "feedback.txt").read_text()
        assert feedback.startswith("Replay buffer") and "Total" in feedback
        assert "wrote" not in feedback and str(tmp_path) not in feedback  # only what the student should read
        assert "results.json" in (out / student / "grader.log").read_text()  # the grader's own lines are here
    assert "not implemented yet" in (out / "stubs_0" / "feedback.txt").read_text()

    # Resumable: a second run grades nobody, says so, and leaves every file as it was.
    before = {student: (out / student / "results.json").stat().st_mtime_ns for student in expected}
    book = (out / GRADEBOOK).read_bytes()
    again = run_grade_all(submissions, out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "20 submission(s): 0 graded now, 20 skipped (already graded; --force grades them again)." in again.stdout
    assert {student: (out / student / "results.json").stat().st_mtime_ns for student in expected} == before
    assert (out / GRADEBOOK).read_bytes() == book

    # The same scores in another order of work and with one job.
    some = ["buggy_samples_whole_capacity", "hostile_exit_at_import", "reference_3", "zipped_in_folder"]
    subset = tmp_path / "subset"
    subset.mkdir()
    for student in some:
        source = submissions / student
        if source.exists():
            shutil.copytree(source, subset / student)
        else:
            shutil.copy(submissions / f"{student}.zip", subset / f"{student}.zip")
    alone = grade_all(subset, tmp_path / "out_one_job", jobs=1, parts=PARTS, progress=False)
    assert alone.graded == sorted(some) and alone.skipped == []
    assert {s: d["score"] for s, d in alone.results.items()} == {s: float(gradebook[s]["total"]) for s in some}


def test_zip_members_are_read_by_name_only(tmp_path):
    archive = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../../replay_buffer.py", "x = 1\n")
        bundle.writestr("notes.txt", "hello")
    target = tmp_path / "unpacked"
    target.mkdir()
    collect(archive, target)
    assert [path.name for path in target.iterdir()] == ["replay_buffer.py"]
    assert not (tmp_path.parent / "replay_buffer.py").exists()


def test_bad_zips_and_duplicate_students_are_clear_errors(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="not a readable zip file"):
        collect(tmp_path / "broken.zip", tmp_path)
    spread = tmp_path / "spread.zip"
    with zipfile.ZipFile(spread, "w") as bundle:
        bundle.writestr("a/replay_buffer.py", "")
        bundle.writestr("b/target_network.py", "")
    with pytest.raises(SubmissionError, match="spread over several folders"):
        collect(spread, tmp_path)
    class_dir = tmp_path / "class"
    (class_dir / "ana").mkdir(parents=True)
    shutil.copy(spread, class_dir / "ana.zip")
    with pytest.raises(SubmissionError, match="more than one submission for one student: 'ana', 'ana.zip'"):
        find_students(class_dir)


def test_the_gradebook_reads_scores_as_numbers_within_each_tests_points():
    parts = [part_named(name) for name in PARTS]
    forged = {"score": 1000, "tests": [{"number": "1.1", "score": 1000}, {"number": "1.2", "score": float("nan")},
                                       {"number": "1.3", "score": "2"}, {"number": "1.4", "score": True},
                                       {"number": "1.5", "score": -4}, {"number": "9.9", "score": 50}, "junk"]}
    honest = {"score": 3.0, "tests": [{"number": "1.1", "score": 1.0}, {"number": "2.1", "score": 2.0}]}
    columns, rows = gradebook_rows({"forger": forged, "honest": honest, "broken": {"output": "Grading did not finish"}},
                                   parts, names={"forger": "=forger"})
    assert columns[:5] == ["student", "total", ANSWERED, "replay_buffer", "target_network"] and columns[-1] == "note"
    maximum, broken, forger, honest_row = rows
    assert maximum["student"] == MAXIMUM_ROW and maximum["total"] == "33" and maximum["T1.1"] == "1"
    assert forger["T1.1"] == "1" and forger["total"] == "1"  # capped at the test's points; the rest is 0
    assert all(forger[f"T1.{k}"] == "0" for k in range(2, 6))
    assert forger["note"] == "submitted as '=forger'"
    assert (honest_row["total"], honest_row["replay_buffer"], honest_row["target_network"]) == ("3", "1", "2")
    assert broken["total"] == "0" and broken["note"] == "not graded: Grading did not finish"
    key_columns, key = key_rows(parts)
    assert key_columns == ["test", "part", "visibility", "points", "description"]
    assert [row["test"] for row in key] == columns[5:-1]
    assert {row["visibility"] for row in key} == {"public", "hidden"}


def test_a_student_is_already_graded_only_for_the_parts_their_results_hold(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"score": 0, "tests": [{"number": "1.1", "score": 0}]}))
    assert is_complete(results, [part_named("replay_buffer")])
    assert not is_complete(results, [part_named(name) for name in PARTS])
    results.write_text(json.dumps({"score": 0.0, "output": "Grading did not finish: grading started", "tests": []}))
    assert not is_complete(results, [part_named("replay_buffer")])
