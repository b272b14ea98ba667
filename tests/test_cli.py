"""The command line: what students and instructors type, and its errors."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading import GradedTest, Report, format_report
from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_grade_reference_prints_full_marks():
    # Two parts: the full reference is graded in tests/test_graders.py and test_gradescope.py.
    completed = run("grade", "solutions", "--part", "replay_buffer", "--part", "dqn")
    assert completed.returncode == 0, completed.stderr
    total = [line for line in completed.stdout.splitlines() if line.startswith("Total")][0]
    score, maximum = total.split()[1], total.split()[3]
    assert score == maximum and float(maximum) > 0


def test_grade_stubs_prints_zero_and_says_not_implemented():
    completed = run("grade")  # default: assignments/
    assert completed.returncode == 0, completed.stderr
    total = [line for line in completed.stdout.splitlines() if line.startswith("Total")][0]
    assert total.split()[1] == "0"
    assert "not implemented yet (replay_buffer:" in completed.stdout
    assert "not implemented yet (target_network:" in completed.stdout
    assert "Traceback" not in completed.stdout


def test_check_runs_only_public_tests_of_one_part():
    completed = run("check", "target_network", "solutions")
    assert completed.returncode == 0
    assert "[hidden]" not in completed.stdout and "Replay buffer" not in completed.stdout
    assert "All public tests of target_network pass" in completed.stdout
    failing = run("check", "target_network")
    assert failing.returncode == 1
    assert "not implemented yet" in failing.stdout


def test_unknown_part_and_missing_directory_are_clear_errors(tmp_path):
    completed = run("check", "dqn_magic")
    assert completed.returncode == 2
    assert "unknown part 'dqn_magic'; the parts are: replay_buffer, target_network" in completed.stderr
    completed = run("grade", str(tmp_path / "nowhere"))
    assert completed.returncode != 0 and "nowhere does not exist" in completed.stderr
    (tmp_path / "notes.txt").write_text("hello")
    completed = run("grade", str(tmp_path / "notes.txt"))
    assert completed.returncode != 0 and "is neither a directory nor a zip file" in completed.stderr
    completed = run("grade", str(tmp_path))
    assert completed.returncode != 0 and "holds none of the graded files" in completed.stderr


def test_curve_of_a_part_without_a_learning_run_names_those_with_one():
    completed = run("curve", "replay_buffer")
    assert completed.returncode == 1
    assert "choose one of: dqn_loop, sampled_q, naf, ddpg" in completed.stderr


def test_curve_of_the_stubs_says_not_implemented_without_a_traceback(tmp_path):
    completed = run("curve", "ddpg", "--out", str(tmp_path / "ddpg.png"))  # default: assignments/
    assert completed.returncode == 1
    assert "not implemented yet" in completed.stderr and "check ddpg" in completed.stderr
    assert "Traceback" not in completed.stderr and not (tmp_path / "ddpg.png").exists()


@pytest.mark.slow
def test_curve_of_the_reference_draws_a_solved_run(tmp_path):
    out = tmp_path / "curve.png"
    completed = run("curve", "ddpg", "solutions", "--seed", "1", "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    assert "ddpg, seed 1: solved at" in completed.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grade_takes_a_zip_read_by_the_rules_of_grade_all(tmp_path):
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(REPO / "solutions" / "replay_buffer.py", "my_homework/replay_buffer.py")
        bundle.writestr("../../outside.py", "x = 1\n")  # read by name only: never written anywhere
    results, feedback = tmp_path / "results.json", tmp_path / "feedback.txt"
    completed = run("grade", str(archive), "--part", "replay_buffer", "--results", str(results),
                    "--feedback", str(feedback))
    assert completed.returncode == 0, completed.stderr
    assert json.loads(results.read_text())["score"] == 19.0
    assert not (tmp_path.parent / "outside.py").exists()
    # The student's table, without the grader's own lines and paths.
    student_table = feedback.read_text()
    assert student_table.startswith("Replay buffer") and "Total" in student_table
    assert "wrote" not in student_table and str(tmp_path) not in student_table


@pytest.mark.parametrize("contents, error", [
    ({"a/replay_buffer.py": "", "b/target_network.py": ""}, "spread over several folders"),
    ({"replay_buffer.py": "#" * (2 * 1024**2 + 1)}, "larger than 2 MB"),
    ({"notes.txt": "hello"}, "holds none of the graded files"),
    (None, "is not a readable zip file"),
], ids=["two_folders", "too_large", "nothing_graded", "not_a_zip"])
def test_a_zip_that_cannot_be_graded_is_a_clear_error_and_a_valid_results_file(tmp_path, contents, error):
    archive = tmp_path / "submission.zip"
    if contents is None:
        archive.write_bytes(b"not a zip")
    else:
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name, text in contents.items():
                bundle.writestr(name, text)
    results, feedback = tmp_path / "results.json", tmp_path / "feedback.txt"
    completed = run("grade", str(archive), "--results", str(results), "--feedback", str(feedback))
    assert completed.returncode != 0 and error in completed.stderr and "Traceback" not in completed.stderr
    data = json.loads(results.read_text())
    validate_results(data)
    assert data["tests"] == [] and error in data["output"]
    assert feedback.read_text().startswith("Your submission") and error in feedback.read_text()


def test_part_rows_line_up_whatever_the_titles_length():
    report = Report(submission="s", tests=[
        GradedTest("replay_buffer", "public", "a", "a", 19.0, 19.0, status="passed", number="1.1"),
        GradedTest("naf", "public", "b", "b", 25.0, 25.0, status="passed", number="10.1")])
    rows = [line for line in format_report(report).splitlines() if " / " in line]
    assert [row.split()[0] for row in rows] == ["Replay", "Normalized", "Total"]
    assert len({row.index(" / ") for row in rows}) == 1, rows


def test_outside_the_kits_environment_the_cli_says_what_is_missing(tmp_path):
    """Run with a Python that lacks the kit's packages, a command names them and how to get
    them, and grades nothing: no verdict on the student's code."""
    import glob
    candidates = [path for path in [*glob.glob(f"{sys.base_prefix}/bin/python3"), "/usr/bin/python3"]
                  if subprocess.run([path, "-c", "import torch"], capture_output=True).returncode != 0]
    if not candidates:
        pytest.skip("every Python here has torch")
    completed = subprocess.run([candidates[0], "-m", "autograder", "check", "replay_buffer"], cwd=REPO,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    assert "lacks torch" in completed.stderr and "./kit" in completed.stderr and "Nothing was graded" in completed.stderr
    assert "not implemented" not in completed.stdout + completed.stderr
