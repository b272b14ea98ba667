"""Batch grading: a class of 20 mixed submissions (reference, stubs, buggy, zipped,
hostile) graded into one gradebook, resumable and independent of ``--jobs``.

Only the first two parts are graded here (``--part``), so the whole class takes about a
minute on two cores; what is checked is the batch machinery, not the graders.
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

from autograder.batch import find_students, grade_all, unpack, SubmissionError
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


def read_gradebook(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.mark.slow
def test_a_class_of_twenty_gets_a_correct_gradebook(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    expected = make_class(submissions)
    out = tmp_path / "out"
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out),
                                "--jobs", "2", *[arg for part in PARTS for arg in ("--part", part)]],
                               cwd=REPO, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "graded 20 of 20 submission(s)" in completed.stdout

    gradebook = read_gradebook(out / "gradebook.csv")
    assert set(gradebook) == set(expected)
    for student, parts in expected.items():
        results = json.loads((out / student / "results.json").read_text())
        validate_results(results)
        row = gradebook[student]
        assert float(row["total"]) == pytest.approx(results["score"])
        assert float(row["total"]) == pytest.approx(sum(float(row[part]) for part in PARTS))
        for part, outcome in parts.items():
            score = float(row[part])
            want = {"full": FULL[part], "zero": 0.0}.get(outcome)
            if want is None:
                assert 0.0 <= score < FULL[part], f"{student}: {part} scored {score}"
            else:
                assert score == want, f"{student}: {part} scored {score}, expected {want}"
        assert (out / student / "feedback.txt").read_text().strip()
    assert "not implemented yet" in (out / "stubs_0" / "feedback.txt").read_text()

    # Resumable: a second run grades nobody and leaves every result as it was.
    before = {student: (out / student / "results.json").stat().st_mtime_ns for student in expected}
    again = grade_all(submissions, out, jobs=2, parts=PARTS, progress=False)
    assert {student: (out / student / "results.json").stat().st_mtime_ns for student in expected} == before
    assert {s: d["score"] for s, d in again.items()} == {s: float(r["total"]) for s, r in gradebook.items()}

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
    assert {s: d["score"] for s, d in alone.items()} == {s: float(gradebook[s]["total"]) for s in some}


def test_zip_members_are_read_by_name_only(tmp_path):
    archive = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../../replay_buffer.py", "x = 1\n")
        bundle.writestr("notes.txt", "hello")
    target = tmp_path / "unpacked"
    target.mkdir()
    unpack(archive, target)
    assert [path.name for path in target.iterdir()] == ["replay_buffer.py"]
    assert not (tmp_path.parent / "replay_buffer.py").exists()


def test_bad_zips_and_duplicate_students_are_clear_errors(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="not a readable zip file"):
        unpack(tmp_path / "broken.zip", tmp_path)
    spread = tmp_path / "spread.zip"
    with zipfile.ZipFile(spread, "w") as bundle:
        bundle.writestr("a/replay_buffer.py", "")
        bundle.writestr("b/target_network.py", "")
    with pytest.raises(SubmissionError, match="spread over several folders"):
        unpack(spread, tmp_path)
    class_dir = tmp_path / "class"
    (class_dir / "ana").mkdir(parents=True)
    shutil.copy(spread, class_dir / "ana.zip")
    with pytest.raises(SubmissionError, match="more than one submission for ana"):
        find_students(class_dir)
