"""The notebook editing mode: each part's module is written in a cell of its notebook.

A course chooses where students write their code when it builds the hand-out:
``release DIR --edit modules`` (the default: students edit ``assignments/*.py``) or
``--edit notebooks``, and the same for ``nbgrader``. In notebook mode each part's notebook
gets, before its set-up cell, a solution cell that holds the part's whole module::

    %%writefile ../assignments/replay_buffer.py
    # The one source of this module is the solution cell of notebooks/01_replay_buffer.ipynb: ...
    <the stub that assign.py makes from solutions/replay_buffer.py>

Running the cell writes the module file, so the rest of the notebook, the self-check and the
grader still import a ``.py`` module: the file is derived from the cell, and the cell from
``solutions/``. ``submit.py`` and the grader read the module straight out of the saved
notebook (:func:`extract`), so a student who forgot to run the cell still hands in their
latest code, and a notebook that cannot be read costs only its own part.

Only the standard library: ``submit.py`` imports this module with whatever Python runs it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Iterable, Sequence

EDIT_MODES = ("modules", "notebooks")
"""Where students write their code: the ``.py`` modules, or the notebooks' solution cells."""
MAGIC = "%%writefile"
MAX_NOTEBOOK_BYTES = 20 * 1024**2
"""A notebook larger than this is not read (plots make notebooks big, but not this big)."""
MAX_NOTEBOOKS = 100
"""At most this many notebooks of a submission are read."""
SKIPPED_FOLDERS = {".ipynb_checkpoints", "__MACOSX"}
"""Jupyter's autosaved copies and macOS zip metadata: never a student's notebook."""


class NotebookError(Exception):
    """A notebook that cannot be read; the message names it and says why."""


def header(notebook: str, module: str) -> str:
    """The comment that opens a module in notebook mode, in the cell and in the file alike."""
    return (f"# The one source of this module is the solution cell of {notebook}:\n"
            f"# running that cell writes {module}. Edit the cell, not the file.\n")


def intro(module: str) -> str:
    """The markdown cell above a solution cell, for the student."""
    return (f"## Your code\n"
            f"\n"
            f"In this course you write your code in this notebook. The cell below holds your module "
            f"`{module}`: fill in its `TODO(student)` blocks there, not in the file. Running the cell writes "
            f"the file (that is what its first line, `{MAGIC}`, does), and the cells after it import and "
            f"check that file, so run it again after every change; the demo cells see a change after you "
            f"restart the kernel. What is graded is this cell as saved in the notebook.")


def cell_source(module_path: str, text: str) -> str:
    """A code cell that writes ``text`` to ``module_path`` (relative to the notebook) when run."""
    return f"{MAGIC} {module_path}\n{text}"


def written_module(source: str) -> tuple[str, str] | None:
    """(file name, text) that running a code cell writes with ``%%writefile``, or None."""
    first, _, body = source.partition("\n")
    words = first.split()
    if len(words) != 2 or words[0] != MAGIC:
        return None
    name = PurePath(words[1].replace("\\", "/")).name
    if body and not body.endswith("\n"):
        body += "\n"  # IPython ends what %%writefile writes with a newline
    return name, body


def owner(notebook: str, graded: Sequence[str]) -> str | None:
    """The module a notebook is named after (``01_replay_buffer.ipynb`` -> ``replay_buffer.py``)."""
    module = PurePath(notebook).stem.split("_", 1)[-1] + ".py"
    return module if module in graded else None


def modules_in(data: bytes | None, name: str, graded: Sequence[str]) -> dict[str, str]:
    """File name -> text of every graded module that a code cell of the notebook writes;
    ``data`` is None for a file that could not be read."""
    if data is None:
        raise NotebookError(f"{name} could not be read")
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{name} is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MB; clear its outputs")
    try:
        notebook = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise NotebookError(f"{name} is not a notebook Jupyter can open ({type(error).__name__}: {error})") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError(f"{name} is not a notebook Jupyter can open (it has no list of cells)")
    found: dict[str, str] = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"{name} is not a notebook Jupyter can open (a cell's source is not text)")
        written = written_module(source)
        if written and written[0] in graded:
            if written[0] in found:
                raise NotebookError(f"{name}: two cells write {written[0]}; keep one of them")
            found[written[0]] = written[1]
    return found


@dataclass
class Extraction:
    """What a set of notebooks holds: modules by file name, and what went wrong."""

    modules: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    """Module file name -> the notebook it was read from."""
    problems: dict[str, list[str]] = field(default_factory=dict)
    """Module file name (``""`` when no module can be named) -> messages for the student."""


def extract(notebooks: Iterable[tuple[str, bytes | None]], graded: Sequence[str]) -> Extraction:
    """Read each graded module out of the notebooks' solution cells, never running anything.

    A notebook that cannot be read is a problem of the module it is named after. If cells
    of several notebooks write one module (a "Copy1" of a notebook, say), the notebook named
    after the module wins; if none or more than one is, that module is a problem."""
    result = Extraction()
    candidates: dict[str, list[tuple[str, str]]] = {}
    for name, data in notebooks:
        try:
            found = modules_in(data, name, graded)
        except NotebookError as error:
            result.problems.setdefault(owner(name, graded) or "", []).append(str(error))
            continue
        for module, text in found.items():
            candidates.setdefault(module, []).append((name, text))
    for module, found in sorted(candidates.items()):
        named = [candidate for candidate in found if owner(candidate[0], graded) == module]
        chosen = named if len(named) == 1 else found
        if len(chosen) > 1:
            names = ", ".join(name for name, _ in chosen)
            result.problems.setdefault(module, []).append(
                f"cells of several notebooks write {module} ({names}); keep one of them")
            continue
        result.sources[module], result.modules[module] = chosen[0]
    return result


def notebooks_under(folder: Path) -> list[tuple[str, bytes | None]]:
    """(path relative to ``folder``, bytes) of every notebook in it, checkpoints and
    symbolic links left out; a file's bytes stop past the size limit, and are None if the
    file cannot be read."""
    found: list[tuple[str, bytes | None]] = []
    for path in sorted(Path(folder).rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if SKIPPED_FOLDERS.intersection(relative.parts) or path.is_symlink() or not path.is_file():
            continue
        if len(found) == MAX_NOTEBOOKS:
            break
        try:
            with open(path, "rb") as stream:
                found.append((str(relative), stream.read(MAX_NOTEBOOK_BYTES + 1)))
        except OSError:
            found.append((str(relative), None))
    return found

