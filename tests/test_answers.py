"""Written answers: read out of the submitted notebooks without running them, reported ungraded
in every workflow (``grade``, ``grade-all``, the Gradescope runner), never changing a score.

The questions are the kit's: a submitted notebook can answer them, but cannot add or rename
one. Hostile notebooks (forged answer cells, huge or escape-laden answers, broken JSON, links)
cost nothing and invent nothing.
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

from autograder import answers, sanitize
from autograder.batch import ANSWERED, ANSWERS, GRADEBOOK, MAXIMUM_ROW, gradebook_rows
from autograder.gradescope import build_zip, run as run_gradescope
from autograder.notebooks import SOURCES, STUDENT_ANSWER, parse
from autograder.parts import PARTS, part_named
from autograder.release import write_release
from autograder.submission import collect
from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent
KIT_NOTEBOOKS = REPO / "notebooks"
QUESTIONS = 14
"""Written questions in the kit's notebooks: one per notebook."""
TERMINAL_CONTROLS = ("\x1b", "\x07", "\u202e", "\r")


def model_answers() -> dict[str, list[str]]:
    """Notebook file name -> the model answers of its questions, from ``notebooks_src/``."""
    return {f"{path.stem}.ipynb": ["".join(cell["source"]) for cell in parse(path.read_text(), str(path))
                                   if "answer" in cell["metadata"].get("tags", [])]
            for path in sorted(SOURCES.glob("*.py"))}


def answered_notebook(path: Path, texts: list[str]) -> dict:
    """The notebook at ``path`` with its answer cells, in order, holding ``texts``."""
    notebook = json.loads(path.read_text())
    cells = [cell for cell in notebook["cells"] if "answer" in cell["metadata"].get("tags", [])]
    assert len(cells) == len(texts)
    for cell, text in zip(cells, texts):
        cell["source"] = text.splitlines(keepends=True)
    return notebook


def fill(folder: Path, into: Path | None = None) -> Path:
    """Every notebook of ``folder`` with the model answers written in, into ``into`` (default: in place)."""
    into = into or folder
    into.mkdir(parents=True, exist_ok=True)
    for name, texts in model_answers().items():
        (into / name).write_text(json.dumps(answered_notebook(folder / name, texts), indent=1))
    return into


def by_id(written: list[answers.WrittenAnswer]) -> dict[str, answers.WrittenAnswer]:
    return {answer.question.id: answer for answer in written}


# -- the questions -----------------------------------------------------------------------------
def test_the_questions_are_those_of_the_kits_notebooks():
    asked = answers.questions()
    assert len(asked) == QUESTIONS == sum(len(texts) for texts in model_answers().values())
    assert [question.id for question in asked][:2] == ["01_replay_buffer:q1", "02_target_network:q1"]
    assert len({question.id for question in asked}) == QUESTIONS
    models = {text for texts in model_answers().values() for text in texts}
    for question in asked:
        assert question.cell_id and question.text and question.text not in models
        assert not question.text.startswith("#")  # the heading ("## Question") is left out
    assert answers.PLACEHOLDER == STUDENT_ANSWER


def test_the_gradescope_zip_ships_the_questions(tmp_path):
    names = build_zip(tmp_path / "autograder.zip")
    assert {f"notebooks/{question.notebook}" for question in answers.questions()} <= set(names)


# -- reading answers -----------------------------------------------------------------------------
def test_the_hand_out_notebooks_with_model_answers_are_all_answered(tmp_path):
    written = answers.read(fill(KIT_NOTEBOOKS, tmp_path / "notebooks"))
    assert [answer.answered for answer in written] == [True] * QUESTIONS
    models = [text for texts in model_answers().values() for text in texts]
    assert [answer.text for answer in written] == models
    assert answers.summary(written) == f"{answers.SECTION}: {QUESTIONS} of {QUESTIONS} answered"


def test_the_notebooks_as_handed_out_answer_nothing():
    written = answers.read(KIT_NOTEBOOKS)
    assert not any(answer.answered for answer in written)
    assert {answer.missing for answer in written} == {f'still "{STUDENT_ANSWER}"'}
    assert answers.summary(written).splitlines() == [
        f"{answers.SECTION}: 0 of {QUESTIONS} answered",
        f'  not answered (still "{STUDENT_ANSWER}"): all {QUESTIONS} questions']


def test_a_folder_without_notebooks_answers_nothing_and_says_why():
    written = answers.read(REPO / "assignments")
    assert {answer.missing for answer in written} == {answers.NOT_SUBMITTED}


def test_answers_in_the_notebook_editing_mode_are_read_the_same(tmp_path):
    """The notebook editing mode inserts cells before the answers; ids still find them."""
    handout = tmp_path / "handout"
    write_release(handout, edit="notebooks")
    written = answers.read(fill(handout / "notebooks"))
    assert all(answer.answered for answer in written) and len(written) == QUESTIONS


def one_notebook(tmp_path: Path, notebook: dict | bytes, name: str = "03_dqn.ipynb") -> answers.WrittenAnswer:
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(notebook if isinstance(notebook, bytes) else json.dumps(notebook).encode())
    return by_id(answers.read(folder))["03_dqn:q1"]


def kit_notebook(name: str = "03_dqn.ipynb") -> dict:
    return json.loads((KIT_NOTEBOOKS / name).read_text())


def answer_cell(notebook: dict) -> dict:
    (cell,) = [cell for cell in notebook["cells"] if "answer" in cell["metadata"].get("tags", [])]
    return cell


def test_a_forged_answer_cell_adds_no_question_and_takes_no_answers_place(tmp_path):
    notebook = kit_notebook()
    answer_cell(notebook)["source"] = "My own answer."
    forged = [{"cell_type": "markdown", "id": "forged-question", "metadata": {}, "source": "## Question\n\nForged?"},
              {"cell_type": "markdown", "id": "forged-answer", "metadata": {"tags": ["answer"]},
               "source": "Forged answer."}]
    notebook["cells"] = forged + notebook["cells"] + forged
    notebook["metadata"]["questions"] = ["03_dqn:q2"]  # what a notebook says about itself is not read
    answer = one_notebook(tmp_path, notebook)
    written = answers.read(tmp_path / "submission")
    assert len(written) == QUESTIONS and answer.answered and answer.text == "My own answer."
    text = answers.document(written) + json.dumps(answers.with_answers({"score": 0.0, "tests": []}, written))
    assert "Forged" not in text and "03_dqn:q2" not in text


def test_without_cell_ids_an_answer_is_found_by_order_only_when_nothing_was_added(tmp_path):
    notebook = kit_notebook()
    for cell in notebook["cells"]:
        del cell["id"]
    answer_cell(notebook)["source"] = "My answer."
    assert one_notebook(tmp_path, notebook).text == "My answer."
    notebook["cells"].insert(0, {"cell_type": "markdown", "metadata": {"tags": ["answer"]}, "source": "Forged."})
    answer = one_notebook(tmp_path, notebook)
    assert not answer.answered and answer.missing == "its answer cell is not in the notebook"


@pytest.mark.parametrize("source, missing", [
    ("", "empty"),
    ("  \n\t\u200b\n", "empty"),
    (f"  {STUDENT_ANSWER}\n", f'still "{STUDENT_ANSWER}"'),
    (42, "its answer cell holds no text"),
    (["a", 1], "its answer cell holds no text"),
], ids=["empty", "invisible", "placeholder", "a_number", "a_list_with_a_number"])
def test_an_empty_answer_is_not_answered(tmp_path, source, missing):
    notebook = kit_notebook()
    answer_cell(notebook)["source"] = source
    answer = one_notebook(tmp_path, notebook)
    assert not answer.answered and answer.missing == missing


BROKEN = {
    "not_json": (b"{this is not json", "not one Jupyter can open (JSONDecodeError"),
    "truncated": (json.dumps(kit_notebook()).encode()[:500], "not one Jupyter can open (JSONDecodeError"),
    "not_utf8": (b"\xff\xfe{}", "not one Jupyter can open (UnicodeDecodeError"),
    "a_list": (b"[1, 2]", "it has no list of cells"),
    "cells_not_a_list": (b'{"cells": "x"}', "it has no list of cells"),
    "deeply_nested": (b"[" * 100_000 + b"]" * 100_000, "not one Jupyter can open (RecursionError"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_notebook_costs_nothing_and_says_why(tmp_path, name):
    data, reason = BROKEN[name]
    answer = one_notebook(tmp_path, data)
    assert not answer.answered and reason in answer.missing
    written = answers.read(tmp_path / "submission")
    assert sum(answer.answered for answer in written) == 0 and len(written) == QUESTIONS


def test_an_oversized_notebook_is_not_read(tmp_path, monkeypatch):
    notebook = kit_notebook()
    answer_cell(notebook)["source"] = "An answer in a notebook full of plots."
    notebook["cells"][0]["attachments"] = {"plot.png": {"image/png": "A" * 1024**2}}
    monkeypatch.setattr(answers, "MAX_NOTEBOOK_BYTES", 1024**2)  # 20 MB in the grader
    answer = one_notebook(tmp_path, notebook)
    assert not answer.answered and answer.missing == "its notebook is larger than 1 MB"


def test_a_link_is_never_followed(tmp_path):
    elsewhere = fill(KIT_NOTEBOOKS, tmp_path / "elsewhere")
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "03_dqn.ipynb").symlink_to(elsewhere / "03_dqn.ipynb")
    (submission / "notebooks").symlink_to(elsewhere, target_is_directory=True)
    assert not any(answer.answered for answer in answers.read(submission))


def test_a_link_in_a_zip_is_copied_as_its_text_and_read_as_no_notebook(tmp_path):
    secret = fill(KIT_NOTEBOOKS, tmp_path / "secret") / "03_dqn.ipynb"
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        link = zipfile.ZipInfo("03_dqn.ipynb")
        link.external_attr = 0o120777 << 16  # a symbolic link, as `zip --symlinks` stores it
        bundle.writestr(link, str(secret))
        bundle.writestr("replay_buffer.py", "")
    target = tmp_path / "unpacked"
    target.mkdir()
    collect(archive, target)
    assert not (target / "03_dqn.ipynb").is_symlink()
    answer = by_id(answers.read(target))["03_dqn:q1"]
    assert not answer.answered and "not one Jupyter can open" in answer.missing


def test_a_copy_or_a_deeper_notebook_gives_way_to_the_one_nearest_the_root(tmp_path):
    submission = tmp_path / "submission"
    (submission / "old").mkdir(parents=True)
    notebook = kit_notebook()
    answer_cell(notebook)["source"] = "The answer I submit."
    (submission / "03_dqn.ipynb").write_text(json.dumps(notebook))
    answer_cell(notebook)["source"] = "An old draft."
    (submission / "old" / "03_dqn.ipynb").write_text(json.dumps(notebook))
    (submission / "03_dqn-Copy1.ipynb").write_text(json.dumps(notebook))
    (submission / ".ipynb_checkpoints").mkdir()
    (submission / ".ipynb_checkpoints" / "03_dqn.ipynb").write_text(json.dumps(notebook))
    assert by_id(answers.read(submission))["03_dqn:q1"].text == "The answer I submit."


HOSTILE_TEXT = ('=HYPERLINK("http://evil.example","click")\n+SUM(1)\n@cmd\n'
                "\x1b[2J\x1b]0;owned\x07 \u202e\ud800 \r\nend")


def hostile_results(tmp_path: Path, text: str) -> tuple[list[answers.WrittenAnswer], dict]:
    notebook = kit_notebook()
    answer_cell(notebook)["source"] = text
    one_notebook(tmp_path, json.dumps(notebook).encode())
    written = answers.read(tmp_path / "submission")
    return written, answers.with_answers({"score": 0.0, "tests": []}, written)


def assert_safe(text: str) -> None:
    assert not any(control in text for control in TERMINAL_CONTROLS), text[:500]
    assert not any("\ud800" <= char <= "\udfff" for char in text)


def test_control_characters_and_formulas_in_an_answer_reach_no_output_unsafely(tmp_path):
    written, results = hostile_results(tmp_path, HOSTILE_TEXT)
    validate_results(results)
    for text in (answers.summary(written), answers.document(written), results["output"]):
        assert_safe(text)
    assert "\\x1b[2J" in results["output"] and "=HYPERLINK" in results["output"]
    # Indented: a student's line cannot pass for the next question's heading.
    assert "\n    =HYPERLINK" in answers.document(written) and "\n    end" in answers.document(written)
    columns, rows = gradebook_rows({"=evil": results}, [part_named("replay_buffer")])
    for row in rows:
        for value in row.values():
            assert not value.lstrip(" ").startswith(sanitize.FORMULA_STARTS) and "HYPERLINK" not in value
    assert rows[1][ANSWERED] == "1"


def test_a_huge_answer_is_cut_and_says_so(tmp_path):
    written, results = hostile_results(tmp_path, "word " * 400_000)
    assert by_id(written)["03_dqn:q1"].answered
    assert "characters in all]" in results["output"]
    assert len(results["output"]) < 20 * QUESTIONS * 1000


# -- results.json and the gradebook ------------------------------------------------------------------
def test_written_answers_change_no_score_and_no_test(tmp_path):
    graded = {"score": 7.0, "output": "NOTE: a note", "stdout_visibility": "hidden",
              "tests": [{"name": "t", "number": "1.1", "score": 7.0, "max_score": 7.0}],
              "extra_data": {"internal_errors": ["x"]}}
    written = answers.read(fill(KIT_NOTEBOOKS, tmp_path / "notebooks"))
    results = answers.with_answers(graded, written)
    validate_results(results)
    assert {key: results[key] for key in ("score", "tests", "stdout_visibility")} == \
        {key: graded[key] for key in ("score", "tests", "stdout_visibility")}
    assert results["output"].startswith("NOTE: a note\n\n" + answers.count_line(written))
    assert results["extra_data"]["internal_errors"] == ["x"]
    assert answers.answered_in(results) == QUESTIONS


def test_the_gradebook_counts_only_the_kits_questions_answered():
    forged = {"score": 0, "tests": [], "extra_data": {"written_answers": [
        {"question": "01_replay_buffer:q1", "answered": True}, {"question": "01_replay_buffer:q1", "answered": True},
        {"question": "01_replay_buffer:q9", "answered": True}, {"question": "02_target_network:q1", "answered": 1},
        {"question": ["03_dqn:q1"], "answered": True}, "junk"]}}
    columns, rows = gradebook_rows({"forger": forged, "older": {"score": 0, "tests": []}},
                                   [part_named("replay_buffer")])
    assert columns[:4] == ["student", "total", ANSWERED, "replay_buffer"] and columns[-1] == "note"
    maximum, forger, older = rows
    assert maximum["student"] == MAXIMUM_ROW and maximum[ANSWERED] == str(QUESTIONS)
    assert forger[ANSWERED] == "1" and older[ANSWERED] == ""


# -- submit.py ----------------------------------------------------------------------------------------
def handout_for(tmp_path: Path, edit: str) -> Path:
    handout = tmp_path / f"handout_{edit}"
    write_release(handout, edit=edit)
    return handout


def submit(handout: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(handout / "submit.py"), "--out", str(out)],
                          cwd=out.parent, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("edit", ["modules", "notebooks"])
def test_submit_packs_the_notebooks_text_cells_and_counts_the_answers(tmp_path, edit):
    handout = handout_for(tmp_path, edit)
    assert (handout / "autograder" / "answers.py").is_file()  # submit.py and ./kit grade count with it
    archive = tmp_path / "submission.zip"
    submitted = submit(handout, archive)
    assert submitted.returncode == 0, submitted.stderr
    assert f"{answers.SECTION}: 0 of {QUESTIONS} answered" in submitted.stdout
    notebook = handout / "notebooks" / "03_dqn.ipynb"
    with_plot = json.loads(notebook.read_text())
    with_plot["cells"][1]["outputs"] = [{"output_type": "display_data", "data": {"image/png": "A" * 100_000}}]
    notebook.write_text(json.dumps(with_plot))
    fill(handout / "notebooks")
    (handout / "notebooks" / "12_find_the_silent_bug.ipynb").write_text("{broken")
    submitted = submit(handout, archive)
    assert submitted.returncode == 0, submitted.stderr
    # The hand-out's notebooks are the student's own copies: one they broke asks nothing here,
    # and submit.py says so (the grader asks the kit's notebooks).
    assert f"{answers.SECTION}: {QUESTIONS - 1} of {QUESTIONS - 1} answered" in submitted.stdout
    assert "not counted: the questions of 12_find_the_silent_bug.ipynb" in submitted.stdout
    assert "12_find_the_silent_bug.ipynb is not a notebook Jupyter can open" in submitted.stderr
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        assert sorted(name for name in names if name.endswith(".py")) == sorted(part.filename for part in PARTS)
        zipped = {name: json.loads(bundle.read(name)) for name in names if name.endswith(".ipynb")}
    assert len(zipped) == QUESTIONS - 1 and archive.stat().st_size < 200_000
    for notebook in zipped.values():
        assert {cell["cell_type"] for cell in notebook["cells"]} == {"markdown"}  # no code, no outputs
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    collect(archive, unpacked)
    written = answers.read(unpacked)
    assert sum(answer.answered for answer in written) == QUESTIONS - 1 and len(written) == QUESTIONS


# -- every workflow -------------------------------------------------------------------------------------
def answers_of(results: dict) -> dict[str, bool]:
    return {entry["question"]: entry["answered"] for entry in results["extra_data"]["written_answers"]}


@pytest.mark.slow
def test_every_workflow_reports_the_same_answers_and_the_same_score(tmp_path):
    """One zip from submit.py, graded by ``grade``, ``grade-all`` and the Gradescope runner:
    each reports every answer, and none changes the score. If a workflow dropped the
    answers, this would fail."""
    handout = handout_for(tmp_path, "modules")
    shutil.copy(REPO / "solutions" / "replay_buffer.py", handout / "assignments" / "replay_buffer.py")
    texts = model_answers()
    texts["05_double_dqn.ipynb"] = [HOSTILE_TEXT]
    texts["06_n_step.ipynb"] = [STUDENT_ANSWER]
    for name, its_texts in texts.items():
        path = handout / "notebooks" / name
        path.write_text(json.dumps(answered_notebook(path, its_texts)))
    archive = tmp_path / "submission.zip"
    assert submit(handout, archive).returncode == 0
    expected = {question.id: question.id != "06_n_step:q1" for question in answers.questions()}
    count = f"{answers.SECTION}: {QUESTIONS - 1} of {QUESTIONS} answered"
    model = texts["03_dqn.ipynb"][0].splitlines()[0]

    # grade
    results_path, feedback = tmp_path / "results.json", tmp_path / "feedback.txt"
    graded = subprocess.run([sys.executable, "-m", "autograder", "grade", str(archive), "--part", "replay_buffer",
                             "--results", str(results_path), "--feedback", str(feedback)],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stderr
    results = json.loads(results_path.read_text())
    validate_results(results)
    assert count in graded.stdout and count in feedback.read_text() and model not in graded.stdout
    assert answers_of(results) == expected and model in results["output"]
    assert results["score"] == 19.0 == sum(test["score"] for test in results["tests"])
    for text in (graded.stdout, feedback.read_text(), results["output"]):
        assert_safe(text)

    # grade-all: a zip, a folder with its notebooks in a sub-folder, and a zip that cannot be graded
    submissions, out = tmp_path / "class", tmp_path / "out"
    submissions.mkdir()
    shutil.copy(archive, submissions / "ana.zip")
    (submissions / "bob" / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "replay_buffer.py", submissions / "bob" / "replay_buffer.py")
    fill(KIT_NOTEBOOKS, submissions / "bob" / "notebooks")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(submissions / "carl.zip", "w") as spread:
        for name in source.namelist():
            spread.writestr(name if name.endswith(".ipynb") else f"a/{name}", source.read(name))
        spread.writestr("b/target_network.py", "")
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submissions), "--out", str(out),
                                "--part", "replay_buffer"], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr
    with open(out / GRADEBOOK, newline="", encoding="utf-8-sig") as handle:
        gradebook = {row["student"]: row for row in csv.DictReader(handle)}
    assert gradebook[MAXIMUM_ROW][ANSWERED] == str(QUESTIONS)
    assert (gradebook["ana"][ANSWERED], gradebook["bob"][ANSWERED], gradebook["carl"][ANSWERED]) == \
        (str(QUESTIONS - 1), str(QUESTIONS), str(QUESTIONS - 1))
    assert (gradebook["ana"]["total"], gradebook["bob"]["total"], gradebook["carl"]["total"]) == ("19", "19", "0")
    assert "not graded" in gradebook["carl"]["note"]
    for student in ("ana", "carl"):
        stored = json.loads((out / student / "results.json").read_text())
        validate_results(stored)
        assert answers_of(stored) == expected
        document = (out / student / ANSWERS).read_text()
        assert document.startswith(count) and model in document and "\\x1b[2J" in document
        assert_safe(document)
        assert count in (out / student / "feedback.txt").read_text()
    assert json.loads((out / "ana" / "results.json").read_text())["score"] == results["score"]

    # the Gradescope runner, on the zip as Gradescope unpacks an upload
    root = tmp_path / "gradescope"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(root / "submission")
    uploaded = run_gradescope(root, run_as=None, parts=["replay_buffer"])
    validate_results(uploaded)
    assert json.loads((root / "results" / "results.json").read_text()) == uploaded
    assert answers_of(uploaded) == expected and uploaded["score"] == results["score"]
    assert uploaded["output"] == results["output"]
    assert_safe(uploaded["output"])
