"""The notebooks: generated from notebooks_src/, and every one runs top to bottom on the
reference modules (with nbclient, within a time budget); on the stubs, the self-check cell
says what is not implemented instead of crashing."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.notebooks import FIRST_CELL_TAG, NotebookSourceError, build, parse, stale
from autograder.parts import PARTS

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
BUDGET_SECONDS = 240  # per notebook, trainings included


def test_notebooks_are_generated_from_their_sources():
    files = build()
    assert files, "no notebook sources in notebooks_src/"
    assert not stale(files), "notebooks/ is out of date: run python -m autograder notebooks"


def test_students_notebooks_hold_no_model_answer():
    sources = {path.stem: path.read_text() for path in (REPO / "notebooks_src").glob("*.py")}
    assert all("tags: answer" in text for text in sources.values()), "every notebook ends with a question"
    for path in NOTEBOOKS:
        text = path.read_text()
        assert "Model answer" not in text and "YOUR ANSWER HERE" in text, path.name


@pytest.mark.parametrize("text, message", [
    ("x = 1\n# %%\ny = 2\n", "text before the first"),
    ("# %%\n# %%\ny = 2\n", "empty cell"),
    ("# %% [markdown]\nnot a comment\n", "must start with '#'"),
    ("# %% tag: x\ny = 2\n", "malformed cell marker"),
])
def test_malformed_sources_are_errors_with_file_and_line(text, message):
    with pytest.raises(NotebookSourceError, match=f"demo.py:\\d+: .*{message}"):
        parse(text, "demo.py")


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


PART_NOTEBOOKS = [path for path in NOTEBOOKS if "use_modules" in path.read_text()]


def test_every_notebook_starts_with_the_same_cell_that_sets_it_up_wherever_it_runs():
    first_cells = {path.name: code_cells(path)[0] for path in NOTEBOOKS}
    assert all(FIRST_CELL_TAG in cell.metadata.get("tags", []) for cell in first_cells.values()), first_cells
    assert len({cell.source for cell in first_cells.values()}) == 1
    assert all(nbformat.read(path, as_version=4).metadata.kernelspec.name == "deepq-kit" for path in NOTEBOOKS)


def test_every_part_notebook_says_first_which_modules_it_checks():
    """The set-up cell, which runs first after the cell that sets the notebook up (silent in the
    kit's environment), calls use_modules() before it imports a module of yours."""
    assert len(PART_NOTEBOOKS) == len(PARTS)
    for path in PART_NOTEBOOKS:
        setup = code_cells(path)[1]
        assert "setup" in setup.metadata.get("tags", []), f"{path.name}: the second code cell is not the set-up cell"
        lines = setup.source.splitlines()
        call = next(index for index, line in enumerate(lines) if line.startswith("use_modules()"))
        imported = [line for line in lines[:call] if any(f"import {part.name}" in line or f"from {part.name} " in line
                                                         for part in PARTS)]
        assert not imported, f"{path.name} imports your modules before use_modules(): {imported}"


def test_a_notebook_in_another_copy_of_the_homework_names_that_copys_modules_first(tmp_path):
    """A hand-out laid out as students get it, away from the kit's checkout and with no
    DQKIT_MODULES: the notebook's first output names the copy's own assignments/."""
    homework = tmp_path / "homework"
    shutil.copytree(REPO / "assignments", homework / "assignments")
    notebook = REPO / "notebooks" / "01_replay_buffer.ipynb"
    (homework / "notebooks").mkdir()
    shutil.copy(notebook, homework / "notebooks")
    cells = code_cells(homework / "notebooks" / notebook.name)[:2]
    ran = nbformat.v4.new_notebook(cells=cells)
    saved = os.environ.pop("DQKIT_MODULES", None)
    try:
        NotebookClient(ran, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(homework / "notebooks")}}).execute()
    finally:
        if saved is not None:
            os.environ["DQKIT_MODULES"] = saved
    assert ran.cells[0].outputs == []  # in the kit's environment, the first cell has nothing to do
    first = ran.cells[1].outputs[0]
    assert first.get("text") == f"Checking your modules in {(homework / 'assignments').resolve()}\n", first


def execute(path: Path, modules: Path, allow_errors: bool = False) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    os.environ["DQKIT_MODULES"] = str(modules)  # the kernel inherits the environment
    try:
        NotebookClient(notebook, timeout=BUDGET_SECONDS, kernel_name="python3", allow_errors=allow_errors,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        del os.environ["DQKIT_MODULES"]
    return notebook


def outputs_of(notebook: nbformat.NotebookNode, tag: str) -> str:
    texts = []
    for cell in notebook.cells:
        if tag in cell.get("metadata", {}).get("tags", []):
            for output in cell.get("outputs", []):
                texts.append(output.get("text", "") or str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_on_the_reference(path):
    start = time.monotonic()
    notebook = execute(path, REPO / "solutions")
    assert time.monotonic() - start < BUDGET_SECONDS
    if has_check(path):
        assert "All public tests of" in outputs_of(notebook, "check")


def has_check(path: Path) -> bool:
    return any("check" in cell.get("metadata", {}).get("tags", []) for cell in nbformat.read(path, as_version=4).cells)


CHECKED = [path for path in NOTEBOOKS if has_check(path)]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHECKED, ids=[path.stem for path in CHECKED])
def test_self_check_on_the_stubs_says_not_implemented(path):
    notebook = execute(path, REPO / "assignments", allow_errors=True)
    checked = outputs_of(notebook, "check")
    assert "not implemented yet" in checked and "Traceback" not in checked
