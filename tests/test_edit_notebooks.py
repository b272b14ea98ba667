"""The notebook editing mode: students write each part's module in a solution cell of its
notebook, and ``solutions/`` stays the one source.

A hand-out built with ``--edit notebooks`` holds, in each part's notebook, a cell that writes
the stub (byte for byte the hand-out's ``assignments/<part>.py``); filled with the reference,
the notebook passes its self-check, and its cells grade full marks without being run; stub
cells score 0 as "not implemented"; a cell with a syntax error, or a notebook that is not
one, costs only its own part. The default hand-out is the one of the modules mode.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import solution_cells
from autograder.assign import nbgrader_source
from autograder.gradescope import run as run_gradescope
from autograder.grading import grade, gradescope_results
from autograder.parts import PARTS, part_named
from autograder.release import write_release
from autograder.submission import collect
from tests.gradescope import validate_results
from tests.test_release import test_no_solution_block_is_in_the_release as assert_no_solution_block

REPO = Path(__file__).resolve().parent.parent
GRADED = [part.filename for part in PARTS]


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "deepq"
    write_release(out, edit="notebooks")
    return out


def notebook_of(handout: Path, part: str) -> Path:
    (path,) = [path for path in (handout / "notebooks").glob("*.ipynb")
               if solution_cells.owner(path.name, GRADED) == f"{part}.py"]
    return path


def module_cells(path: Path) -> list[dict]:
    return [cell for cell in json.loads(path.read_text())["cells"]
            if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(solution_cells.MAGIC)]


def with_module(path: Path, text: str) -> bytes:
    """The notebook at ``path`` with its solution cell's module replaced by ``text``."""
    notebook = json.loads(path.read_text())
    (cell,) = [cell for cell in notebook["cells"] if cell in module_cells(path)]
    first_line = "".join(cell["source"]).partition("\n")[0]
    cell["source"] = solution_cells.cell_source(first_line.split()[1], text).splitlines(keepends=True)
    return json.dumps(notebook).encode()


def reference(part: str) -> str:
    return (REPO / "solutions" / f"{part}.py").read_text()


# -- the hand-out ------------------------------------------------------------------------
def test_the_default_hand_out_is_the_modules_mode(tmp_path):
    out = tmp_path / "default"
    write_release(out)
    for part in PARTS:
        assert (out / "assignments" / part.filename).read_bytes() == (REPO / "assignments" / part.filename).read_bytes()
    for path in (REPO / "notebooks").glob("*.ipynb"):
        assert (out / "notebooks" / path.name).read_bytes() == path.read_bytes()
    assert 'EDIT = "modules"' in (out / "submit.py").read_text()
    readme = (out / "README.md").read_text()
    assert "Your files are the modules in `assignments/`" in readme and "<!--" not in readme
    assert "%%writefile" not in readme


def test_each_notebook_holds_its_stub_and_the_stub_says_so(handout):
    for part in PARTS:
        notebook = notebook_of(handout, part.name)
        (cell,) = module_cells(notebook)
        assert "".join(cell["source"]).startswith(f"%%writefile ../assignments/{part.filename}\n")
        cells = json.loads(notebook.read_text())["cells"]
        setup = next(index for index, each in enumerate(cells) if "setup" in each["metadata"].get("tags", []))
        assert cells[setup - 1] == cell, "the solution cell comes right before the set-up cell"
        stub = (handout / "assignments" / part.filename).read_text()
        assert stub == solution_cells.header(f"notebooks/{notebook.name}", f"assignments/{part.filename}") + (
            REPO / "assignments" / part.filename).read_text()
        extracted = solution_cells.extract([(notebook.name, notebook.read_bytes())], GRADED)
        assert extracted.modules == {part.filename: stub} and not extracted.problems
    readme = (handout / "README.md").read_text()
    assert "`notebooks/01_replay_buffer.ipynb`" in readme and "<!--" not in readme
    assert 'EDIT = "notebooks"' in (handout / "submit.py").read_text()
    assert_no_solution_block(handout)


def test_running_the_cell_writes_the_stub_byte_for_byte(handout, tmp_path):
    notebook = nbformat.read(notebook_of(handout, "target_network"), as_version=4)
    cells = [cell for cell in notebook.cells if cell.source.startswith(solution_cells.MAGIC)]
    written = tmp_path / "notebooks"
    written.mkdir()
    (tmp_path / "assignments").mkdir()
    run_cells(cells, written)
    assert (tmp_path / "assignments" / "target_network.py").read_bytes() == \
        (handout / "assignments" / "target_network.py").read_bytes()


def run_cells(cells: list, folder: Path, environment: dict[str, str] | None = None) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    saved = dict(os.environ)
    os.environ.update(environment or {})  # the kernel inherits the environment
    try:
        NotebookClient(notebook, timeout=240, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def test_a_notebook_filled_with_the_reference_passes_its_self_check(tmp_path):
    """The reference in the cell; the notebook's code up to its self-check runs in a hand-out."""
    handout = tmp_path / "deepq"
    write_release(handout, edit="notebooks")
    notebook = notebook_of(handout, "target_network")
    filled = nbformat.reads(with_module(notebook, reference("target_network")).decode(), as_version=4)
    cells = [cell for cell in filled.cells if cell.cell_type == "code"
             and not {"demo", "answer"} & set(cell.metadata.get("tags", []))]
    ran = run_cells(cells, handout / "notebooks", {"PYTHONPATH": str(handout)})
    assert (handout / "assignments" / "target_network.py").read_text() == reference("target_network")
    checked = "".join(output.get("text", "") for cell in ran.cells if "check" in cell.metadata.get("tags", [])
                      for output in cell.outputs)
    assert "All public tests of target_network pass" in checked, checked


# -- submitting and grading --------------------------------------------------------------
BROKEN_JSON = b'{"cells": [{"cell_type": "code", "source": "%%writefile ../assignments/cem.py\\n'


@pytest.fixture(scope="module")
def class_of_notebooks(handout, tmp_path_factory) -> Path:
    """Notebooks only, none of them run: two parts filled with the reference, one left as
    the stub, one with a syntax error, one notebook cut short (not JSON)."""
    folder = tmp_path_factory.mktemp("submission") / "notebooks"
    folder.mkdir()
    for part in ("replay_buffer", "target_network"):
        notebook = notebook_of(handout, part)
        (folder / notebook.name).write_bytes(with_module(notebook, reference(part)))
    stub = notebook_of(handout, "double_dqn")
    (folder / stub.name).write_bytes(stub.read_bytes())
    broken = notebook_of(handout, "n_step")
    (folder / broken.name).write_bytes(with_module(broken, reference("n_step").replace("def ", "def def ", 1)))
    (folder / notebook_of(handout, "cem").name).write_bytes(BROKEN_JSON)
    return folder


GRADED_HERE = ["replay_buffer", "target_network", "double_dqn", "n_step", "cem"]


@pytest.fixture(scope="module")
def graded(class_of_notebooks):
    return grade(class_of_notebooks.parent, [part_named(name) for name in GRADED_HERE])


def test_notebooks_grade_each_part_on_its_own(graded):
    scores = graded.part_scores()
    assert scores["replay_buffer"][0] == scores["replay_buffer"][1] > 0
    assert scores["target_network"][0] == scores["target_network"][1] > 0
    for part in ("double_dqn", "n_step", "cem"):
        assert scores[part][0] == 0 and scores[part][1] > 0, part
    outputs = {part: " ".join(test.output for test in graded.tests if test.part == part) for part in GRADED_HERE}
    assert "not implemented yet (double_dqn:" in outputs["double_dqn"]
    assert "SyntaxError" in outputs["n_step"]
    assert "08_cem.ipynb is not a notebook Jupyter can open" in outputs["cem"]
    assert "No other cem.py was found, so its tests score 0" in outputs["cem"]
    assert set(graded.from_notebooks) == {"replay_buffer.py", "target_network.py", "double_dqn.py", "n_step.py"}
    assert not graded.internal_errors


def test_results_of_notebooks_are_valid_and_say_what_went_wrong(graded):
    results = gradescope_results(graded)
    validate_results(results)
    assert "08_cem.ipynb is not a notebook Jupyter can open" in results["output"]


def test_a_saved_cell_counts_over_an_older_file(class_of_notebooks, tmp_path):
    """The student ran the stub cell, then filled it in and saved without running it."""
    folder = tmp_path / "homework"
    (folder / "notebooks").mkdir(parents=True)
    name = notebook_of(class_of_notebooks.parent, "target_network").name
    (folder / "notebooks" / name).write_bytes((class_of_notebooks / name).read_bytes())
    (folder / "target_network.py").write_text((REPO / "assignments" / "target_network.py").read_text())
    report = grade(folder, [part_named("target_network")])
    assert report.score == report.max_score > 0


def test_submit_reads_the_saved_cells(handout, class_of_notebooks, tmp_path):
    archive = tmp_path / "submission.zip"
    submitted = subprocess.run([sys.executable, str(handout / "submit.py"), "--out", str(archive),
                                "--notebooks", str(class_of_notebooks)],
                               cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert submitted.returncode == 0, submitted.stderr
    with zipfile.ZipFile(archive) as bundle:
        modules = {name: bundle.read(name).decode() for name in bundle.namelist() if name.endswith(".py")}
        assert sorted(modules) == sorted(GRADED)  # beside them, the notebooks' text cells
    assert modules["replay_buffer.py"].endswith(reference("replay_buffer"))
    assert modules["cem.py"] == (handout / "assignments" / "cem.py").read_text()  # the file, as last written
    assert "08_cem.ipynb is not a notebook Jupyter can open" in submitted.stderr
    assert "taking the file" in submitted.stderr and "unfinished: double_dqn.py" in submitted.stderr
    assert "unfinished: replay_buffer.py" not in submitted.stderr


def test_zips_and_gradescope_uploads_carry_the_notebooks(class_of_notebooks, tmp_path):
    archive = tmp_path / "student.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in class_of_notebooks.iterdir():
            bundle.write(path, f"homework/notebooks/{path.name}")
        bundle.writestr("homework/notebooks/.ipynb_checkpoints/01_replay_buffer-checkpoint.ipynb", "{}")
    for copy in (tmp_path / "unpacked", tmp_path / "collected"):
        copy.mkdir()
    collect(archive, tmp_path / "unpacked")
    collect(class_of_notebooks.parent, tmp_path / "collected")
    expected = solution_cells.extract(solution_cells.notebooks_under(class_of_notebooks), GRADED)
    for copy in (tmp_path / "unpacked", tmp_path / "collected"):
        found = solution_cells.extract(solution_cells.notebooks_under(copy), GRADED)
        assert found.modules == expected.modules and set(found.problems) == {"cem.py"}


def test_gradescope_grades_an_upload_of_notebooks(class_of_notebooks, tmp_path):
    shutil.copytree(class_of_notebooks, tmp_path / "submission" / "notebooks")
    results = run_gradescope(tmp_path, run_as=None, parts=["target_network", "cem"])
    validate_results(results)
    assert json.loads((tmp_path / "results" / "results.json").read_text()) == results
    assert "Not found in your submission: cem.py" in results["output"]
    assert "target_network.py" not in results["output"].partition("Not found")[2]
    assert results["score"] == sum(test["max_score"] for test in results["tests"]
                                   if test["name"].startswith("target_network")) > 0


def test_cli_grades_a_folder_of_notebooks(class_of_notebooks, tmp_path):
    results = tmp_path / "results.json"
    completed = subprocess.run([sys.executable, "-m", "autograder", "grade", str(class_of_notebooks),
                                "--part", "target_network", "--part", "cem", "--results", str(results)],
                               cwd=REPO, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    data = json.loads(results.read_text())
    validate_results(data)
    assert "NOTE: 08_cem.ipynb is not a notebook" in completed.stdout
    assert data["score"] == sum(test["max_score"] for test in data["tests"] if test["name"].startswith("target_network"))


# -- reading notebooks -------------------------------------------------------------------
def notebook_bytes(*sources) -> bytes:
    return json.dumps({"cells": [{"cell_type": "code", "source": source} for source in sources]}).encode()


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe not text", "not a notebook Jupyter can open"),
    (b"[1, 2]", "no list of cells"),
    (b"[" * 100_000 + b"]" * 100_000, "not a notebook Jupyter can open"),
    (json.dumps({"cells": [{"cell_type": "code", "source": 7}]}).encode(), "a cell's source is not text"),
    (notebook_bytes("%%writefile dqn.py\nx = 1", "%%writefile ../dqn.py\nx = 2"), "two cells write dqn.py"),
    (b" " * (solution_cells.MAX_NOTEBOOK_BYTES + 1), "larger than 20 MB"),
], ids=["not-utf8", "not-a-notebook", "nested-too-deep", "bad-source", "two-cells", "too-big"])
def test_unreadable_notebooks_are_problems_of_their_part(data, message):
    extraction = solution_cells.extract([("03_dqn.ipynb", data)], GRADED)
    assert not extraction.modules
    (problem,) = extraction.problems["dqn.py"]
    assert message in problem and "03_dqn.ipynb" in problem


def test_cells_are_read_as_ipython_writes_them():
    extraction = solution_cells.extract([("x.ipynb", notebook_bytes(
        ["%%writefile ../assignments/dqn.py\n", "x = 1"],  # IPython ends the file with a newline
        "%%writefile -a n_step.py\ny = 2\n",  # appending is not writing a module
        "print('%%writefile cem.py')"))], GRADED)
    assert extraction.modules == {"dqn.py": "x = 1\n"} and extraction.sources == {"dqn.py": "x.ipynb"}


def test_a_copy_of_a_notebook_gives_way_to_the_notebook_named_after_the_part():
    original, copy = notebook_bytes("%%writefile dqn.py\nmine = 1\n"), notebook_bytes("%%writefile dqn.py\nold = 1\n")
    extraction = solution_cells.extract([("03_dqn-Copy1.ipynb", copy), ("03_dqn.ipynb", original)], GRADED)
    assert extraction.modules == {"dqn.py": "mine = 1\n"} and not extraction.problems
    extraction = solution_cells.extract([("a.ipynb", copy), ("b.ipynb", original)], GRADED)
    assert not extraction.modules and "cells of several notebooks write dqn.py" in extraction.problems["dqn.py"][0]


def test_nbgrader_source_wraps_each_block_below_its_instruction():
    text = "def f(x):\n    ### BEGIN SOLUTION: return twice x\n    return 2 * x\n    ### END SOLUTION\n"
    assert nbgrader_source(text, "f.py") == ("def f(x):\n    # TODO(student): return twice x\n"
                                             "    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n")
