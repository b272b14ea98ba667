"""nbgrader: ``python -m autograder nbgrader COURSE_DIR`` builds an nbgrader course from the kit.

``COURSE_DIR/source/deepq/`` gets one notebook per notebook of the kit, as nbgrader source:

- markdown cells, the set-up cell and the self-check's explanation are locked (read-only);
- the self-check cell becomes one autograded test cell per grader test of the part, worth
  that test's points: ``kit_test(part, number)`` runs the part's grading once per kernel,
  in the kit's sandboxed worker, and each cell passes or fails as that test did. The hidden
  tests' cells keep their call between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
  TESTS``, so nbgrader strips it from the release and restores it when it autogrades;
- a written question becomes a manually graded answer cell (a solution cell, 1 point);
- demo cells, which run student code in the notebook's own kernel, are left out: when
  nbgrader autogrades, student code runs only in the kit's worker.

The student modules go beside the notebooks as the stubs of ``assignments/`` (never the
reference), and ``nbgrader_config.py`` lists them in ``Autograde.exclude_overwriting``, so
``nbgrader autograde`` does not replace the students' modules with the stubs.

With ``--edit notebooks`` students write their code in the notebooks instead: before its
set-up cell, each part's notebook gets a solution cell that writes the part's module beside
it when run (``%%writefile``, see ``autograder/solution_cells.py``). In the source it holds
the reference, each solution block between nbgrader's ``### BEGIN SOLUTION`` and ``### END
SOLUTION`` with the block's ``# TODO(student)`` line above them; nbgrader's release keeps
that line and puts the code stub set in ``nbgrader_config.py`` in place of the block. So the
source notebooks hold the reference (as every nbgrader source does) and the release does not.
When grading, ``kit_test`` reads each module out of the saved solution cells of the
notebooks beside it, so a cell the student did not run still counts. nbgrader
gives 0 to a test cell that writes to stderr; these cells write nothing there (grading's
output, and student code's, is captured), so warnings from torch or gymnasium cost nothing.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder import solution_cells
from autograder.assign import nbgrader_source
from autograder.grading import catalog
from autograder.notebooks import SOURCES, parse
from autograder.parts import PARTS, part_named

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "deepq"
SCHEMA_VERSION = 3
SETUP = (
    "import sys\n"
    "\n"
    "from autograder.selfcheck import kit_test\n"
    "\n"
    "sys.path.insert(0, \".\")  # your modules sit beside this notebook"
)


def _nbgrader(cell: dict, grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False,
              points: float | None = None) -> dict:
    metadata = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
                "solution": solution, "task": False}
    if points is not None:
        metadata["points"] = points
    cell["metadata"] = {"nbgrader": metadata}
    return cell


def _code(source: str) -> dict:
    lines = source.splitlines()
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": [line + "\n" for line in lines[:-1]] + lines[-1:]}


def part_of(stem: str) -> str | None:
    """The part a notebook belongs to (its name without the leading number), or None for a
    notebook that is not about one part, such as the silent-bug exercise."""
    module = solution_cells.owner(stem, [part.filename for part in PARTS])
    return module.removesuffix(".py") if module else None


CODE_STUB = 'raise NotImplementedError("fill in the TODO(student) block above")'
"""What nbgrader's release puts in place of each solution block (notebook editing mode)."""


def module_header(stem: str, part: str) -> str:
    return solution_cells.header(f"{stem}.ipynb", f"{part}.py beside it")


def solution_cells_of(stem: str, part: str) -> list[dict]:
    """Notebook mode: the explanation and the solution cell that holds the part's module."""
    filename = part_named(part).filename
    reference = (REPO_ROOT / "solutions" / filename).read_text(encoding="utf-8")
    module = module_header(stem, part) + nbgrader_source(reference, filename)
    intro = {"cell_type": "markdown", "metadata": {}, "source": solution_cells.intro(filename)}
    return [_nbgrader(intro, f"{part}-your-code", locked=True),
            _nbgrader(_code(solution_cells.cell_source(filename, module)), f"{part}-module", solution=True)]


def test_cells(part: str) -> list[dict]:
    cells = []
    for entry in catalog(part_named(part)):
        if entry.visibility == "public":
            source = f"# {part} {entry.number}: {entry.name} ({entry.points:g} points)\nkit_test({part!r}, {entry.number!r})"
        else:
            source = (f"# {part} {entry.number}: a hidden test ({entry.points:g} points), run when your work is graded\n"
                      f"### BEGIN HIDDEN TESTS\nkit_test({part!r}, {entry.number!r})\n### END HIDDEN TESTS")
        grade_id = f"{part}-{entry.number.replace('.', '_')}"
        cells.append(_nbgrader(_code(source), grade_id, grade=True, locked=True, points=entry.points))
    return cells


def source_notebook(path: Path, edit: str = "modules") -> dict:
    """The nbgrader source version of one notebook source file, for students who write their
    code in the ``edit`` place (``modules`` or ``notebooks``)."""
    part = part_of(path.stem)
    cells = []
    for index, cell in enumerate(parse(path.read_text(encoding="utf-8"), str(path))):
        tags = cell["metadata"].get("tags", [])
        cell["metadata"] = {}
        if "demo" in tags:
            continue
        if "check" in tags:
            if part is None:
                raise ValueError(f"{path.name}: a self-check cell needs a notebook named after a part")
            cells.extend(test_cells(part))
        elif "answer" in tags:
            cells.append(_nbgrader(cell, f"{path.stem}-answer-{index}", grade=True, solution=True, points=1))
        elif "setup" in tags:
            if edit == "notebooks" and part is not None:
                cells.extend(solution_cells_of(path.stem, part))
            cells.append(_nbgrader(_code(SETUP), f"{path.stem}-setup", locked=True))
        else:
            cells.append(_nbgrader(cell, f"{path.stem}-cell-{index}", locked=True))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number:02d}"
    return {"cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def config_text(timeout: int = 900, edit: str = "modules") -> str:
    modules = [part.filename for part in PARTS]
    stub = ("# Solution blocks in the notebooks' module cells become this, under their TODO(student) line.\n"
            f"c.ClearSolutions.code_stub = {{'python': {CODE_STUB!r}}}\n") if edit == "notebooks" else ""
    return (
        "# nbgrader configuration written by `python -m autograder nbgrader`.\n"
        "c = get_config()  # noqa: F821 - provided by nbgrader\n"
        "import os, sys\n"
        "# nbgrader sets up its gradebook with the `alembic` command of its own environment: put that\n"
        "# environment's commands first, so that it is found when the environment is not activated.\n"
        "os.environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')\n"
        f"c.CourseDirectory.course_id = {ASSIGNMENT!r}\n"
        "# The students' modules are their work: autograde must not overwrite them with the stubs.\n"
        f"c.Autograde.exclude_overwriting = {{{ASSIGNMENT!r}: {modules!r}}}\n"
        "# The first test cell of a part grades the whole part (learning checks included).\n"
        f"c.Execute.timeout = {timeout}\n"
        + stub
    )


def build_course(course: Path, parts: list[str] | None = None, edit: str = "modules") -> list[Path]:
    """Write the nbgrader course directory (the notebooks of all parts, or of ``parts``), for
    students who write their code in the ``edit`` place; return the files written."""
    if edit not in solution_cells.EDIT_MODES:
        raise ValueError(f"unknown edit mode {edit!r}; choose one of {', '.join(solution_cells.EDIT_MODES)}")
    source = course / "source" / ASSIGNMENT
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    written = []
    for path in sorted(SOURCES.glob("*.py")):
        if parts is not None and part_of(path.stem) not in parts:
            continue
        target = source / f"{path.stem}.ipynb"
        target.write_text(json.dumps(source_notebook(path, edit), indent=1) + "\n", encoding="utf-8")
        written.append(target)
    stems = {part_of(path.stem): path.stem for path in SOURCES.glob("*.py")}
    for part in PARTS:
        stub = (REPO_ROOT / "assignments" / part.filename).read_text(encoding="utf-8")
        if edit == "notebooks":  # written by the notebook's cell; the header says so
            stub = module_header(stems[part.name], part.name) + stub
        (source / part.filename).write_text(stub, encoding="utf-8")
        written.append(source / part.filename)
    (course / "nbgrader_config.py").write_text(config_text(edit=edit), encoding="utf-8")
    written.append(course / "nbgrader_config.py")
    return written
