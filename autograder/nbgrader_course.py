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
``nbgrader autograde`` does not replace the students' modules with the stubs. nbgrader
gives 0 to a test cell that writes to stderr; these cells write nothing there (grading's
output, and student code's, is captured), so warnings from torch or gymnasium cost nothing.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    name = stem.split("_", 1)[1]
    return name if any(part.name == name for part in PARTS) else None


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


def source_notebook(path: Path) -> dict:
    """The nbgrader source version of one notebook source file."""
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
            cells.append(_nbgrader(_code(SETUP), f"{path.stem}-setup", locked=True))
        else:
            cells.append(_nbgrader(cell, f"{path.stem}-cell-{index}", locked=True))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number:02d}"
    return {"cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def config_text(timeout: int = 900) -> str:
    modules = [part.filename for part in PARTS]
    return (
        "# nbgrader configuration written by `python -m autograder nbgrader`.\n"
        "c = get_config()  # noqa: F821 - provided by nbgrader\n"
        f"c.CourseDirectory.course_id = {ASSIGNMENT!r}\n"
        "# The students' modules are their work: autograde must not overwrite them with the stubs.\n"
        f"c.Autograde.exclude_overwriting = {{{ASSIGNMENT!r}: {modules!r}}}\n"
        "# The first test cell of a part grades the whole part (learning checks included).\n"
        f"c.Execute.timeout = {timeout}\n"
    )


def build_course(course: Path, parts: list[str] | None = None) -> list[Path]:
    """Write the nbgrader course directory (the notebooks of all parts, or of ``parts``);
    return the files written."""
    source = course / "source" / ASSIGNMENT
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    written = []
    for path in sorted(SOURCES.glob("*.py")):
        if parts is not None and part_of(path.stem) not in parts:
            continue
        target = source / f"{path.stem}.ipynb"
        target.write_text(json.dumps(source_notebook(path), indent=1) + "\n", encoding="utf-8")
        written.append(target)
    for part in PARTS:
        shutil.copyfile(REPO_ROOT / "assignments" / part.filename, source / part.filename)
        written.append(source / part.filename)
    (course / "nbgrader_config.py").write_text(config_text(), encoding="utf-8")
    written.append(course / "nbgrader_config.py")
    return written
