"""Student-controlled text through every output: each threat (undecodable characters,
escape sequences, absurd lengths, spreadsheet formulas, names that clash with the kit's
files) is fed through ``autograder/sanitize.py``, through the report's outputs (the
terminal table, feedback.txt, results.json), and through a real grading and a real
``grade-all``, and the result is checked."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

from autograder import sanitize
from autograder.batch import GRADEBOOK, GRADEBOOK_KEY, MAXIMUM_ROW, OUTPUT_FILES, SubmissionError, find_students
from autograder.graders.support import Failure
from autograder.grading import (GradedTest, Report, format_report, gradescope_results, student_message,
                                write_json_atomically)
from autograder.sandbox import StudentCrash, StudentError
from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = REPO / "assignments"

THREATS = {
    "lone_surrogate": "bad \ud800 message",
    "undecodable_file_name_byte": "bad\udcffname",
    "ansi_clear_screen": "\x1b[2J\x1b[Hall tests passed",
    "osc_window_title": "\x1b]0;owned\x07title",
    "c1_control_sequence": "\x9b31mred",
    "carriage_return_overwrite": "FAIL\rok  ",
    "bidi_override": "abc\u202edef",
    "zero_width_space": "a\u200bb",
    "line_separator": "a\u2028b",
    "nul_and_bell": "a\x00b\x07",
    "absurd_length": "x" * 1_000_000,
    "many_lines": "line\n" * 10_000,
}
FORMULAS = ['=HYPERLINK("evil.example","click")', "+SUM(1)", "-2+3", "@cmd", "\tTAB", "\rCR", " =1+1",
            "\uff1d1+1"]
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x9b", "\r", "\x00", "\u202e", "\u200b", "\u2028")


def assert_safe(shown: str, limit: int = sanitize.TEXT_LIMIT, lines: int = sanitize.TEXT_LINES) -> None:
    """Encodable, nothing a terminal or a viewer obeys, and bounded."""
    shown.encode("utf-8")  # raises on a lone surrogate
    hidden = [char for char in shown if char not in "\n\t"
              and unicodedata.category(char) in sanitize.HIDDEN_CATEGORIES]
    assert not hidden, f"control or format characters left: {hidden[:5]}"
    assert len(shown) <= limit and len(shown.split("\n")) <= lines


# -- the helpers -------------------------------------------------------------------------
@pytest.mark.parametrize("value", THREATS.values(), ids=THREATS.keys())
def test_text_makes_each_threat_safe_and_is_idempotent(value):
    shown = sanitize.text(value)
    assert_safe(shown)
    assert sanitize.text(shown) == shown


def test_text_shows_control_characters_as_escapes_and_says_where_it_cut():
    assert sanitize.text("bad \x1b[2J\x07 end") == "bad \\x1b[2J\\x07 end"
    assert sanitize.text("a\u202eb") == "a\\u202eb"
    assert sanitize.text("x\ud800y") == "x\ufffdy"
    assert sanitize.text("two\n\tlines") == "two\n\tlines"
    assert sanitize.text("two\nlines", one_line=True) == "two\\x0alines"
    cut = sanitize.text("x" * 5000, limit=100)
    assert len(cut) == 100 and cut.endswith("[... cut; 5000 characters in all]")
    assert sanitize.text("line\n" * 100, lines=3).split("\n") == ["line", "line", "[... more lines cut]"]
    assert sanitize.text(b"\xff\xfebytes") == "\ufffd\ufffdbytes"


@pytest.mark.parametrize("value", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr", "space_equals",
                                                 "fullwidth_equals"])
def test_a_cell_never_starts_like_a_formula(value):
    shown = sanitize.cell(value)
    assert not shown.lstrip(" ").startswith(sanitize.FORMULA_STARTS)
    assert shown.startswith("'") or shown.startswith("\\x")  # quoted, or a tab or CR shown as its escape


@pytest.mark.parametrize("value", THREATS.values(), ids=THREATS.keys())
def test_a_cell_is_one_safe_line(value):
    shown = sanitize.cell(value)
    assert_safe(shown, limit=sanitize.CELL_LIMIT, lines=1)


def test_ordinary_values_pass_unchanged():
    assert sanitize.text("expected 3, got 4 (shape [2, 3])") == "expected 3, got 4 (shape [2, 3])"
    assert sanitize.cell("ana_lopez") == "ana_lopez"
    for name in ("ana", "Ana.Lopez", "student-07", "José", "Łukasz_Nowak"):
        assert sanitize.file_name(name, OUTPUT_FILES) == name


HOSTILE_NAMES = ["gradebook.csv", "GRADEBOOK.CSV", "gradebook-key.csv", ".", "..", "a\\..\\b", "-rf", "",
                 "x" * 300, "bad\udcff\x1b[31mname", '=HYPERLINK("evil.example","x")', "+SUM(1)", "\tTAB",
                 "name with spaces", "dots...", ".hidden"]


def test_file_names_are_safe_distinct_and_stable():
    names = [sanitize.file_name(name, OUTPUT_FILES) for name in HOSTILE_NAMES]
    for original, name in zip(HOSTILE_NAMES, names):
        assert all(char.isalnum() or char in "._-" for char in name), name
        assert name[0] not in ".-" and name not in (".", "..") and len(name) <= sanitize.NAME_LIMIT + 9
        assert name.casefold() not in {reserved.casefold() for reserved in OUTPUT_FILES}
        assert sanitize.file_name(original, OUTPUT_FILES) == name  # the same every run: resuming finds it
    assert len(set(names)) == len(names)
    # Names a case-insensitive or normalizing file system confuses stay confusable: the
    # caller refuses them (see test_names_equal_up_to_case_or_normalization_are_refused).
    assert sanitize.file_name(unicodedata.normalize("NFD", "José")) == "José"


def test_json_is_valid_ascii_whatever_the_strings_hold(tmp_path):
    path = tmp_path / "results.json"
    write_json_atomically(path, {"score": 0.0, "output": "\ud800\x1b[2J", "tests": [],
                                 "extra_data": {"k\udcff": ["\udfff"]}})
    data = json.loads(path.read_bytes().decode("ascii"))
    assert data["output"] == "\ufffd\x1b[2J" and data["extra_data"] == {"k\ufffd": ["\ufffd"]}
    with pytest.raises(ValueError):
        write_json_atomically(path, {"score": float("nan")})
    assert json.loads(path.read_text())["score"] == 0.0  # the old file is still whole


# -- the report's outputs ----------------------------------------------------------------
def grader_fault() -> KeyError:
    """A fault of a grader test whose message quotes a student value."""
    try:
        {}["\x1b[2J" + "\ud800"]
    except KeyError as error:
        return error


def hostile_errors() -> list[BaseException]:
    """Every way student text reaches a test's message, as the grader receives it."""
    everything = "".join(THREATS.values())
    return [
        StudentError({"kind": "exception", "type": "Evil\x1b[31mError\ud800", "message": everything,
                      "where": [f"replay_buffer.py, line {k}: raise X('\x1b]0;t\x07')" for k in range(1000)]}),
        StudentError({"kind": "not_implemented", "message": everything}),
        StudentError({"kind": "bad_output", "message": everything, "importing": "replay_buffer\x1b[2J"}),
        # A forged answer on the pipe: no field has the type the worker would send.
        StudentError({"kind": "exception", "type": {"a": 1}, "message": ["\ud800"], "where": "not a list"}),
        StudentCrash("it exited", output_tail=everything[-5000:] + "\x1b[2J\udcff" * 2000),
        Failure("expected 0.5, got " + everything),
        grader_fault(),
    ]


def hostile_report() -> Report:
    report = Report(submission="sub", notes=["notebook \x1b[2Jevil\ud800.ipynb could not be read"],
                    internal_errors=["pytest said \x1b]0;owned\x07 at /grader/path"])
    for number, error in enumerate(hostile_errors(), start=1):
        status, output = student_message(error)
        report.tests.append(GradedTest("naf", "public", "a check", f"n{number}", 1.0, 0.0, output, status,
                                       number=f"10.{number}"))
    report.tests.append(GradedTest("replay_buffer", "hidden", "raw", "r", 1.0, 0.0,
                                   "note \x1b[2J\ud800\n" + THREATS["absurd_length"], number="1.1"))
    return report


def test_messages_from_hostile_errors_are_safe_and_bounded():
    for error in hostile_errors():
        status, message = student_message(error)
        assert_safe(message)
        assert not any(control in message for control in TERMINAL_CONTROLS)


@pytest.mark.parametrize("for_student", [False, True], ids=["terminal", "feedback"])
def test_the_table_shows_no_control_characters(for_student):
    table = format_report(hostile_report(), for_student=for_student)
    table.encode("utf-8")
    assert not any(control in table for control in TERMINAL_CONTROLS)
    assert "\\x1b[2J" in table  # shown as text, not obeyed
    assert ("/grader/path" in table) is not for_student  # internal details are for the staff only
    assert ("in grader_fault" in table) is not for_student  # the frames of a fault in a grader test
    assert "Internal grader error (KeyError) while checking this test" in table
    assert str(REPO) not in table  # frames are named by file name only


def test_results_json_is_valid_and_safe(tmp_path):
    path = tmp_path / "results.json"
    write_json_atomically(path, gradescope_results(hostile_report()))
    data = json.loads(path.read_bytes().decode("ascii"))
    validate_results(data)
    assert len(data["tests"]) == 8
    for test in data["tests"]:
        assert_safe(test["output"])
        assert_safe(test["name"])
    assert_safe(data["output"])


# -- a real grading ----------------------------------------------------------------------
def hostile_submission(root: Path) -> Path:
    """replay_buffer raises an exception with a lone surrogate and escape sequences in its
    message; target_network prints undecodable bytes and escapes, then exits at import."""
    submission = root / "submission"
    shutil.copytree(ASSIGNMENTS, submission, ignore=shutil.ignore_patterns("__pycache__"))
    buffer = submission / "replay_buffer.py"
    buffer.write_text(buffer.read_text().replace(
        'raise NotImplementedError("replay_buffer: ',
        'raise RuntimeError("\\ud800 \\x1b[2J\\x1b]0;owned\\x07 \\u202e" * 200 + "', 1))
    network = submission / "target_network.py"
    header = "from __future__ import annotations\n"
    network.write_text(network.read_text().replace(header, header + (
        "import os\nos.write(1, b'\\xff\\xfe \\x1b[2J \\x1b]0;owned\\x07 \\xed\\xa0\\x80' * 100)\nos._exit(3)\n"), 1))
    return submission


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_grading_a_hostile_submission_writes_valid_results_and_clean_text(tmp_path, encoding):
    submission = hostile_submission(tmp_path)
    results, feedback = tmp_path / "results.json", tmp_path / "feedback.txt"
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submission), "--part", "replay_buffer",
         "--part", "target_network", "--results", str(results), "--feedback", str(feedback)],
        cwd=REPO, capture_output=True, timeout=300, env={**os.environ, "PYTHONIOENCODING": encoding})
    assert completed.returncode == 0, completed.stderr.decode("utf-8", "replace")[-3000:]
    data = json.loads(results.read_bytes().decode("ascii"))
    validate_results(data)
    assert len(data["tests"]) == 14 + 11 and data["score"] == 0
    outputs = {test["name"].split(":")[0]: test["output"] for test in data["tests"]}
    assert "\ufffd \\x1b[2J\\x1b]0;owned\\x07 \\u202e" in outputs["replay_buffer"]
    assert "Last output:" in outputs["target_network"] and "\\x1b[2J" in outputs["target_network"]
    for text in [completed.stdout.decode(encoding), feedback.read_text(encoding="utf-8"), *outputs.values()]:
        assert_safe(text, limit=10**6, lines=10**4)
        assert not any(control in text for control in TERMINAL_CONTROLS)
    assert str(tmp_path) not in feedback.read_text(encoding="utf-8")


# -- grade-all: student ids ----------------------------------------------------------------
def test_names_equal_up_to_case_or_normalization_are_refused(tmp_path):
    for index, (first, second) in enumerate([("Ana", "ana"), ("José", unicodedata.normalize("NFD", "José")),
                                              ("ana", "ana.zip")]):
        folder = tmp_path / f"class_{index}"
        (folder / first).mkdir(parents=True)
        try:
            (folder / second).mkdir() if not second.endswith(".zip") else (folder / second).write_bytes(b"")
        except FileExistsError:  # a file system that already confuses them
            continue
        with pytest.raises(SubmissionError, match="more than one submission for one student"):
            find_students(folder)


HOSTILE_IDS = {
    "gradebook.csv": "folder", "gradebook-key.csv": "zip", '=HYPERLINK("evil.example","x")': "folder",
    "+SUM(1)": "zip", "-2+3": "folder", "@cmd": "folder", "\tTAB": "folder", "José": "folder",
    os.fsdecode(b"bad\xff\x1b[31mname"): "folder",
}


def make_hostile_class(root: Path) -> None:
    stub = (ASSIGNMENTS / "replay_buffer.py").read_bytes()
    for name, kind in HOSTILE_IDS.items():
        if kind == "folder":
            (root / name).mkdir()
            (root / name / "replay_buffer.py").write_bytes(stub)
        else:
            with zipfile.ZipFile(root / f"{name}.zip", "w") as bundle:
                bundle.writestr("replay_buffer.py", stub)
                bundle.writestr("\x1b[2Jevil\u202e.ipynb", "{not json")  # named in a note to the student
    # One that cannot be graded, so its gradebook row carries a note quoting its zip's name.
    (root / "=2+5+cmd|calc!A0.zip").write_bytes(b"\x1b[2J not a zip")


def test_hostile_ids_reach_no_output_unsafely(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    submissions.mkdir()
    make_hostile_class(submissions)
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out),
                                "--jobs", "2", "--part", "replay_buffer"],
                               cwd=REPO, capture_output=True, timeout=600)
    assert completed.returncode == 0, completed.stderr.decode("utf-8", "replace")[-3000:]
    students = len(HOSTILE_IDS) + 1
    assert f"{students} submission(s): {students} graded now, 0 skipped; 1 could not be graded" in \
        completed.stdout.decode()
    assert (out / GRADEBOOK).is_file() and (out / GRADEBOOK_KEY).is_file()
    folders = [entry for entry in out.iterdir() if entry.name not in OUTPUT_FILES]
    assert len(folders) == students
    for folder in folders:
        assert folder.is_dir() and all(char.isalnum() or char in "._-" for char in folder.name), folder.name
        assert not folder.name.startswith((".", "-"))
        validate_results(json.loads((folder / "results.json").read_bytes().decode("ascii")))
        for path in [folder / "feedback.txt", *folder.glob("grader.log")]:  # no log if no grader ran
            text = path.read_text(encoding="utf-8")
            assert_safe(text, limit=10**6, lines=10**4)
            assert not any(control in text for control in TERMINAL_CONTROLS)
        assert str(tmp_path) not in (folder / "feedback.txt").read_text(encoding="utf-8")
    with open(out / GRADEBOOK, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0] == MAXIMUM_ROW and len(rows) == 2 + students
    for row in rows:
        for value in row:
            assert not value.lstrip(" ").startswith(sanitize.FORMULA_STARTS), value
            assert_safe(value, limit=sanitize.CELL_LIMIT, lines=1)
    ids = [row[0] for row in rows[2:]]
    assert "José" in ids and len(set(ids)) == students
    notes = " ".join(row[-1] for row in rows[2:])
    assert "submitted as '=HYPERLINK(" in notes and "not graded" in notes
