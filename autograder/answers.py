"""Written answers: what a submission's notebooks answer to the kit's written questions.

A notebook of the kit (``notebooks/``) asks a written question in a markdown cell and keeps
the place of the answer in the markdown cell after it, tagged ``answer`` (students see
"YOUR ANSWER HERE" there). The questions come from the kit's own notebooks, never from a
submission: each has a stable id, the notebook's name and its number among that notebook's
questions (``03_dqn:q1``), and its text is the kit's. A submission only supplies answers.
For each question, the answer is the cell of the submitted notebook of the same file name
that has the kit's cell id (Jupyter keeps a cell's id when it is edited); in a notebook
whose cells lost their ids, it is the question's cell among those tagged ``answer`` if
there are exactly as many as the kit's. So a forged or copied answer cell adds no question
and renames none. A missing, unreadable, truncated or oversized notebook, an empty answer
and "YOUR ANSWER HERE" count as "not answered", with the reason.

Nothing is run. Written answers are graded by the instructor: they never change a score.
Every text of a submission passes through ``autograder/sanitize.py`` on its way out.

Only the standard library: ``submit.py`` imports this module with whatever Python runs it.
In the student hand-out, ``notebooks/`` holds the student's own copies, so the count a
student sees there is only as good as those copies; the instructor's grader uses the kit's.
"""
from __future__ import annotations

import functools
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Iterable

from autograder import sanitize
from autograder.solution_cells import MAX_NOTEBOOK_BYTES, SKIPPED_FOLDERS


def _kit_notebooks() -> Path:
    """The notebooks whose written questions count: those beside the kit's packages (a checkout
    or a hand-out folder); for a kit installed into site-packages, where there are none, those
    of the homework you work in, beside the folder of your modules (``selfcheck.modules_dir``)."""
    beside = Path(__file__).resolve().parent.parent / "notebooks"
    if beside.is_dir():
        return beside
    from autograder.selfcheck import ModulesNotFound, modules_dir

    try:
        return modules_dir().parent / "notebooks"
    except ModulesNotFound:
        return beside


KIT_NOTEBOOKS = _kit_notebooks()
TAG = "answer"
PLACEHOLDER = "YOUR ANSWER HERE"
"""What an answer cell of a student's notebook holds until they write their answer."""
SECTION = "Written answers (graded by your instructor)"
ANSWER_LIMIT = 6000
"""Characters of one answer shown (a question asks for a few sentences)."""
ANSWER_LINES = 100
"""Lines of one answer shown."""
NOT_SUBMITTED = "its notebook is not in the submission"
HEADING = re.compile(r"^\s*#+\s.*$")


class NotebookError(Exception):
    """A notebook that cannot be read; the message says why."""


@dataclass(frozen=True)
class Question:
    """A written question, as the kit's notebook asks it."""

    notebook: str
    """The notebook's file name, e.g. ``03_dqn.ipynb``."""
    number: int
    """Its place among the notebook's questions, from 1."""
    cell_id: str
    """The id of the kit's answer cell ("" if the kit's notebook has no cell ids)."""
    text: str

    @property
    def id(self) -> str:
        return f"{PurePath(self.notebook).stem}:q{self.number}"


@dataclass(frozen=True)
class WrittenAnswer:
    question: Question
    text: str = ""
    """The student's answer as written (not yet made safe to show)."""
    missing: str = ""
    """Why it counts as not answered; "" when it is answered."""

    @property
    def answered(self) -> bool:
        return not self.missing


# -- reading notebooks ------------------------------------------------------------------------
def _cells(data: bytes | None) -> list:
    """The cells of a notebook's bytes (None: a file that could not be read)."""
    if data is None:
        raise NotebookError("its notebook could not be read")
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"its notebook is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MB")
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotebookError(f"its notebook is not one Jupyter can open ({type(error).__name__}: {error})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("its notebook is not one Jupyter can open (it has no list of cells)")
    return [cell for cell in cells if isinstance(cell, dict)]


def _source(cell: dict) -> str | None:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def _tags(cell: dict) -> list:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return tags if isinstance(tags, list) else []


def _asked(markdown: str) -> str:
    """The question a markdown cell asks, without its heading lines."""
    lines = [line for line in markdown.splitlines() if not HEADING.match(line)]
    return "\n".join(lines).strip() or "(see the notebook)"


@functools.cache
def _catalog(folder: Path) -> tuple[tuple[Question, ...], tuple[str, ...]]:
    """(the questions of the notebooks in ``folder``, the notebooks that cannot be read)."""
    found, unread = [], []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            cells = _cells(path.read_bytes())
        except (OSError, NotebookError):
            unread.append(path.name)  # only in a hand-out, where they are the student's copies
            continue
        asked, number = "", 0
        for cell in cells:
            if TAG in _tags(cell):
                number += 1
                cell_id = cell.get("id")
                found.append(Question(path.name, number, cell_id if isinstance(cell_id, str) else "", _asked(asked)))
            elif cell.get("cell_type") == "markdown":
                asked = _source(cell) or ""
    return tuple(found), tuple(unread)


def questions(folder: Path = KIT_NOTEBOOKS) -> list[Question]:
    """The written questions of the kit's notebooks (those in ``folder``), in order."""
    return list(_catalog(Path(folder))[0])


def uncounted(folder: Path = KIT_NOTEBOOKS) -> list[str]:
    """The kit's notebooks whose questions are unknown because they cannot be read: never
    in the kit, but in a hand-out a student may break their copy."""
    return list(_catalog(Path(folder))[1])


def _notebooks_in(folder: Path, names: set[str]) -> dict[str, bytes | None]:
    """File name -> bytes (cut past the size limit; None if unreadable) of each notebook
    in ``names`` found under ``folder``: the one closest to its root, never a link or one
    of Jupyter's checkpoints."""
    found: dict[str, bytes | None] = {}
    candidates = [path for path in Path(folder).rglob("*.ipynb") if path.name in names
                  and not SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts)]
    for path in sorted(candidates, key=lambda path: (len(path.parts), str(path))):
        if path.name in found or path.is_symlink() or not path.is_file():
            continue
        try:
            with open(path, "rb") as stream:
                found[path.name] = stream.read(MAX_NOTEBOOK_BYTES + 1)
        except OSError:
            found[path.name] = None
    return found


def _blank(text: str) -> bool:
    """Whether a text shows nothing: only spaces, line breaks and invisible characters."""
    return all(char.isspace() or unicodedata.category(char) in (*sanitize.HIDDEN_CATEGORIES, "Cs") for char in text)


def _answer(question: Question, cells: list, tagged: list, asked_here: int) -> WrittenAnswer:
    cell = next((cell for cell in cells if question.cell_id and cell.get("id") == question.cell_id), None)
    if cell is None and len(tagged) == asked_here:
        cell = tagged[question.number - 1]
    if cell is None:
        return WrittenAnswer(question, missing="its answer cell is not in the notebook")
    text = _source(cell)
    if text is None:
        return WrittenAnswer(question, missing="its answer cell holds no text")
    if text.strip() == PLACEHOLDER:
        return WrittenAnswer(question, text, missing=f'still "{PLACEHOLDER}"')
    if _blank(text):
        return WrittenAnswer(question, text, missing="empty")
    return WrittenAnswer(question, text)


def read_notebooks(notebooks: dict[str, bytes | None], asked: Iterable[Question] | None = None) -> list[WrittenAnswer]:
    """The answer to each question (of the kit, unless ``asked`` is given), from the
    notebooks given as file name -> bytes (None for a file that could not be read)."""
    asked = questions() if asked is None else list(asked)
    by_notebook: dict[str, list[Question]] = {}
    for question in asked:
        by_notebook.setdefault(question.notebook, []).append(question)
    found: dict[Question, WrittenAnswer] = {}
    for notebook, its_questions in by_notebook.items():
        try:
            if notebook not in notebooks:
                raise NotebookError(NOT_SUBMITTED)
            cells = _cells(notebooks[notebook])
        except NotebookError as error:
            found.update({question: WrittenAnswer(question, missing=str(error)) for question in its_questions})
            continue
        tagged = [cell for cell in cells if TAG in _tags(cell)]
        found.update({question: _answer(question, cells, tagged, len(its_questions)) for question in its_questions})
    return [found[question] for question in asked]


def read(submission: Path, asked: Iterable[Question] | None = None) -> list[WrittenAnswer]:
    """The answer to each question of the kit (or ``asked``) in the notebooks of a
    submission folder, wherever they are in it; nothing is run."""
    asked = questions() if asked is None else list(asked)
    return read_notebooks(_notebooks_in(Path(submission), {question.notebook for question in asked}), asked)


# -- reporting --------------------------------------------------------------------------------
def count_line(answers: list[WrittenAnswer]) -> str:
    return f"{SECTION}: {sum(answer.answered for answer in answers)} of {len(answers)} answered"


def summary(answers: list[WrittenAnswer]) -> str:
    """A few lines: how many questions are answered, and why the others are not."""
    lines = [count_line(answers)]
    reasons: dict[str, list[str]] = {}
    for answer in answers:
        if not answer.answered:
            reasons.setdefault(answer.missing, []).append(answer.question.id)
    for reason, ids in reasons.items():
        which = f"all {len(ids)} questions" if len(ids) == len(answers) > 1 else ", ".join(ids)
        lines.append(f"  not answered ({sanitize.text(reason, 300, one_line=True)}): {which}")
    for notebook in uncounted():
        lines.append(f"  not counted: the questions of {notebook}, which cannot be read here")
    return "\n".join(lines)


def _indented(text: str) -> str:
    return textwrap.indent(text, "    ", lambda line: True)


def document(answers: list[WrittenAnswer]) -> str:
    """Every question with the student's answer, for people to read: the instructor's file
    of a student's answers, and the end of the output in results.json. A student's text is
    indented, so it cannot pass for the next question."""
    lines = [count_line(answers)]
    for answer in answers:
        question = answer.question
        lines += ["", f"{question.id} ({question.notebook}, question {question.number})",
                  _indented(question.text)]
        if answer.answered:
            lines += ["Answer:", _indented(sanitize.text(answer.text.strip("\n"), ANSWER_LIMIT, ANSWER_LINES))]
        else:
            lines.append(f"Not answered: {sanitize.text(answer.missing, 300, one_line=True)}.")
    return "\n".join(lines) + "\n"


def with_answers(results: dict[str, Any], answers: list[WrittenAnswer]) -> dict[str, Any]:
    """Gradescope's results.json data with the written answers added, ungraded: the questions
    and answers at the end of the top-level output (which students and instructors read),
    and whether each is answered in ``extra_data.written_answers`` (for the gradebook). The
    score and the tests are left as they are."""
    results = dict(results)
    output = results.get("output")
    results["output"] = (f"{output}\n\n" if isinstance(output, str) and output else "") + document(answers)
    extra = dict(results["extra_data"]) if isinstance(results.get("extra_data"), dict) else {}
    extra["written_answers"] = [
        {"question": answer.question.id, "answered": answer.answered,
         **({} if answer.answered else {"reason": sanitize.text(answer.missing, 300, one_line=True)})}
        for answer in answers]
    results["extra_data"] = extra
    return results


def holds_answers(results: dict[str, Any]) -> bool:
    """Whether results.json data already reports the written answers."""
    extra = results.get("extra_data")
    return isinstance(extra, dict) and isinstance(extra.get("written_answers"), list)


def answered_in(results: dict[str, Any]) -> int | None:
    """How many of the kit's questions results.json data reports as answered (questions it
    does not know are not counted); None if it does not report written answers."""
    if not holds_answers(results):
        return None
    known = {question.id for question in questions()}
    return len({entry["question"] for entry in results["extra_data"]["written_answers"]
                if isinstance(entry, dict) and isinstance(entry.get("question"), str)
                and entry["question"] in known and entry.get("answered") is True})
