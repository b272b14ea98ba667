"""Notebooks, generated from plain-text sources: ``python -m autograder notebooks [--check]``.

A source in ``notebooks_src/`` is a Python file split into cells by marker lines:

    # %% [markdown]          a markdown cell; its lines are comments ("# " is removed)
    # %%                     a code cell
    # %% tags: check         a code cell with tags (here: it runs a part's self-check)
    # %% [markdown] tags: answer   the model answer to a written question

Every notebook starts with the same code cell, ``autograder/templates/first_cell.py`` (tag
``kit-setup``), which sets the notebook up wherever it runs: nothing to do in the kit's
environment; in a hosted notebook (Colab) it fetches the homework from the course's hand-out
(``HANDOUT_URL``, which ``release --url`` sets) and installs the kit; in a Jupyter without
the kit it says what to run. The notebooks ask for the kit's kernel (``KERNEL``), which
``./kit`` registers.

Tags the kit reads: ``setup`` (imports; the first code cell of the source), ``check`` (the self-check),
``demo`` (runs the student's code in the notebook), ``answer`` (a model answer: the
students' notebooks show "YOUR ANSWER HERE" in its place; the nbgrader source keeps it as
the solution).

The notebooks hold no solution code: they import the part modules from the folder that
``autograder.selfcheck.modules_dir`` finds (``../assignments/`` for a notebook run in
``notebooks/``, or the folder in ``$DQKIT_MODULES``), so every function still has one source,
``solutions/``. The set-up cell's ``use_modules()`` prints that folder, so the first output
of a notebook names the modules it checks. ``notebooks/`` is generated and committed; ``--check`` exits non-zero,
naming the files, when it differs from what the sources give.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = REPO_ROOT / "notebooks_src"
FIRST_CELL = Path(__file__).resolve().parent / "templates" / "first_cell.py"
FIRST_CELL_TAG = "kit-setup"
KERNEL = {"display_name": "Deep Q-learning kit", "language": "python", "name": "deepq-kit"}
"""The kernel the notebooks ask for, which ``./kit`` registers; a Jupyter that lacks it offers
another, and Colab, which knows only its own, runs its Python 3 after a warning."""
TARGET = REPO_ROOT / "notebooks"
MARKER = re.compile(r"^# %%(?P<markdown> \[markdown\])?(?: tags: (?P<tags>[\w, -]+))?\s*$")


class NotebookSourceError(Exception):
    """A malformed notebook source; the message names file and line."""


def parse(text: str, filename: str) -> list[dict]:
    """The cells of one source, in the notebook format's cell layout (nbformat 4)."""
    cells: list[dict] = []
    current: dict | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = MARKER.match(line)
        if marker:
            tags = [tag.strip() for tag in (marker["tags"] or "").split(",") if tag.strip()]
            current = {"cell_type": "markdown" if marker["markdown"] else "code", "lines": [],
                       "tags": tags, "line": number}
            cells.append(current)
            continue
        if line.startswith("# %%"):
            raise NotebookSourceError(f"{filename}:{number}: malformed cell marker {line!r}")
        if current is None:
            if line.strip():
                raise NotebookSourceError(f"{filename}:{number}: text before the first '# %%' marker")
            continue
        if current["cell_type"] == "markdown":
            if line.strip() and not line.startswith("#"):
                raise NotebookSourceError(f"{filename}:{number}: a markdown cell's lines must start with '#'")
            line = line[2:] if line.startswith("# ") else line[1:]
        current["lines"].append(line)
    notebook_cells = []
    for cell in cells:
        lines = cell["lines"]
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            raise NotebookSourceError(f"{filename}:{cell['line']}: empty cell")
        source = [line + "\n" for line in lines[:-1]] + [lines[-1]]
        entry: dict = {"cell_type": cell["cell_type"], "metadata": {"tags": cell["tags"]} if cell["tags"] else {},
                       "source": source}
        if cell["cell_type"] == "code":
            entry.update(execution_count=None, outputs=[])
        notebook_cells.append(entry)
    return notebook_cells


STUDENT_ANSWER = "YOUR ANSWER HERE"


def render(text: str, filename: str) -> str:
    """The students' notebook: model answers replaced by a place to write one."""
    first = parse(f"# %% tags: {FIRST_CELL_TAG}\n" + FIRST_CELL.read_text(encoding="utf-8"), str(FIRST_CELL))
    cells = first + parse(text, filename)
    for cell in cells:
        if "answer" in cell["metadata"].get("tags", []):
            cell["source"] = [STUDENT_ANSWER]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": KERNEL, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for index, cell in enumerate(notebook["cells"]):
        cell["id"] = f"cell-{index:02d}"  # stable ids keep regenerated notebooks identical
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def build(sources: Path = SOURCES) -> dict[Path, str]:
    """Notebook path -> text, for every source."""
    return {TARGET / f"{path.stem}.ipynb": render(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(sources.glob("*.py"))}


def stale(files: dict[Path, str]) -> list[Path]:
    existing = set(TARGET.glob("*.ipynb")) if TARGET.exists() else set()
    return sorted(path for path in existing | set(files)
                  if path not in files or not path.exists() or path.read_text(encoding="utf-8") != files[path])


def write(files: dict[Path, str]) -> list[Path]:
    changed = stale(files)
    TARGET.mkdir(exist_ok=True)
    for path in changed:
        if path in files:
            path.write_text(files[path], encoding="utf-8")
        else:
            path.unlink()
    return changed
