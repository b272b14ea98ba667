"""The notebooks: generated from notebooks_src/, and every one runs top to bottom on the
reference modules (with nbclient, within a time budget); on the stubs, the self-check cell
says what is not implemented instead of crashing."""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.notebooks import NotebookSourceError, build, parse, stale

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
