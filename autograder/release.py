"""What students get: ``python -m autograder release OUT_DIR [--edit modules|notebooks] [--url URL]``.

The release holds the stubs, the provided code, the lecture notes, the notebooks, the
public tests with their fixtures and the machinery to run them, a student README and
``submit.py``: the files ``autograder/secrecy.py`` ships, that module being the one place
that says what students may see. ``tests/test_release.py`` proves that nothing of a
solution block and no hidden test is in it; ``tests/test_handout.py`` runs it as students
get it.

``--edit`` says where students write their code. ``modules`` (the default): the stubs in
``assignments/``, which the notebooks import. ``notebooks``: each part's notebook gets a
solution cell holding the stub, which writes ``assignments/<part>.py`` when it runs (see
``autograder/solution_cells.py``); the stubs then say that the cell is their source, and
``submit.py`` reads the modules out of the saved notebooks.

``--url`` says where students get the hand-out: it goes into every notebook's first cell
(``HANDOUT_URL``), which on a hosted runtime (Colab) fetches the homework from there and
installs the kit (see ``autograder/templates/first_cell.py``), and into the student README.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from autograder import secrecy, solution_cells
from autograder.notebooks import FIRST_CELL_TAG
from autograder.parts import PARTS

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"

class ReleaseError(Exception):
    """The release cannot be written as asked; the message says why."""


def _submit_script(edit: str) -> str:
    template = (TEMPLATES / "submit.py").read_text(encoding="utf-8")
    files = ", ".join(repr(part.filename) for part in PARTS)
    return (template.replace("GRADED_FILES = []", f"GRADED_FILES = [{files}]")
            .replace('EDIT = "modules"', f'EDIT = "{edit}"'))


MODE_SECTION = re.compile(r"<!-- edit: (?P<mode>\w+) -->\n(?P<text>.*?)<!-- end edit -->\n", re.DOTALL)


def _student_readme(edit: str, notebooks: dict[str, str], url: str = "") -> str:
    """The template with the parts' table, where the hand-out comes from (``url``, or a
    sentence saying that the course gives it), and only the sections of the ``edit`` mode."""
    template = (TEMPLATES / "student_README.md").read_text(encoding="utf-8")
    where = f"from `{url}`" if url else "from the address your course gives (its notebooks do not name one yet)"
    template = template.replace("{handout_source}", where)
    template = MODE_SECTION.sub(lambda section: section["text"] if section["mode"] == edit else "", template)
    files = {part.name: notebooks[part.name] if edit == "notebooks" else f"assignments/{part.filename}"
             for part in PARTS}
    rows = "\n".join(f"| {index} | `{part.name}` | `{files[part.name]}` | `{part.notes}` | `./kit check {part.name}` |"
                     for index, part in enumerate(PARTS, start=1))
    return template.replace("{parts_table}", rows)


def _part_notebooks(out: Path) -> dict[str, str]:
    """Part -> its notebook in the release (``notebooks/NN_<part>.ipynb``)."""
    graded = [part.filename for part in PARTS]
    found = {}
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        module = solution_cells.owner(path.name, graded)
        if module:
            found[module.removesuffix(".py")] = f"notebooks/{path.name}"
    return found


def _notebook_cell(cell_type: str, cell_id: str, text: str, tags: list[str]) -> dict:
    cell = {"cell_type": cell_type, "id": cell_id, "metadata": {"tags": tags}, "source": text.splitlines(keepends=True)}
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _move_code_into_notebooks(out: Path, notebooks: dict[str, str]) -> None:
    """Notebook mode: before each part's set-up cell, a solution cell holding its stub,
    which writes ``assignments/<part>.py`` when run; the stub file is what it writes."""
    missing = [part.name for part in PARTS if part.name not in notebooks]
    if missing:
        raise ReleaseError(f"--edit notebooks needs a notebook per part; none for {', '.join(missing)}")
    for part in PARTS:
        module = f"assignments/{part.filename}"
        stub = (solution_cells.header(notebooks[part.name], module)
                + (REPO_ROOT / module).read_text(encoding="utf-8"))
        (out / module).write_text(stub, encoding="utf-8")
        path = out / notebooks[part.name]
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
        setup = next(index for index, cell in enumerate(cells) if "setup" in cell["metadata"].get("tags", []))
        cells[setup:setup] = [
            _notebook_cell("markdown", "your-code", solution_cells.intro(module), []),
            _notebook_cell("code", "your-module", solution_cells.cell_source(f"../{module}", stub), ["solution"]),
        ]
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


HANDOUT_URL_LINE = 'HANDOUT_URL = ""'


def check_url(url: str) -> None:
    """Raise ReleaseError unless ``url`` is a form the notebooks' first cell can fetch: a git
    URL (``git+https://...``, ``git+file://...``, optionally ``@ref``) or an absolute folder."""
    scheme, separator, rest = url.removeprefix("git+").partition("://")
    if url.startswith("git+") and separator and scheme and rest.strip("/"):
        return
    if Path(url).is_absolute() and not url.startswith("git+"):
        return
    raise ReleaseError(f"--url {url!r} is neither a git URL (git+https://host/course/homework.git, optionally "
                       f"@tag) nor an absolute folder path: give the address students get this hand-out from")


def _set_handout_url(out: Path, url: str) -> None:
    """Put ``url`` into the first cell (``HANDOUT_URL``) of every notebook of the hand-out."""
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        first = notebook["cells"][0]
        source = "".join(first["source"])
        if FIRST_CELL_TAG not in first["metadata"].get("tags", []) or HANDOUT_URL_LINE not in source:
            raise ReleaseError(f"{path.name}: its first cell is not the kit's set-up cell; run ./kit notebooks")
        first["source"] = source.replace(HANDOUT_URL_LINE, f"HANDOUT_URL = {json.dumps(url)}", 1).splitlines(keepends=True)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def write_release(out: Path, force: bool = False, edit: str = "modules", url: str = "") -> list[Path]:
    """Write the student release into ``out``, for students who write their code in the
    ``edit`` place (``modules`` or ``notebooks``) and get the hand-out from ``url`` (see
    ``check_url``; "" leaves the notebooks' ``HANDOUT_URL`` empty); return the files written
    (relative)."""
    if edit not in solution_cells.EDIT_MODES:
        raise ReleaseError(f"unknown --edit {edit!r}; choose one of {', '.join(solution_cells.EDIT_MODES)}")
    if url:
        check_url(url)
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ReleaseError(f"{out} is not empty; pass --force to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in secrecy.hand_out_files(REPO_ROOT):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    notebooks = _part_notebooks(out)
    if edit == "notebooks":
        _move_code_into_notebooks(out, notebooks)
    if url:
        _set_handout_url(out, url)
    (out / "README.md").write_text(_student_readme(edit, notebooks, url), encoding="utf-8")
    (out / "submit.py").write_text(_submit_script(edit), encoding="utf-8")
    ignored = [".venv/", "__pycache__/", "*.egg-info/", "build/", "submission.zip", "runs/", "curves/", "videos/"]
    (out / ".gitignore").write_text("".join(f"{name}\n" for name in ignored), encoding="utf-8")
    return sorted(path.relative_to(out) for path in out.rglob("*") if path.is_file())
