"""Pack your homework for submission.

    python submit.py                 # writes submission.zip
    python submit.py --out my.zip    # another name

The zip holds, at its root, the graded modules and your notebooks' text cells (their
markdown cells, where your written answers are: no code, no outputs); nothing else of this
folder is read by the grader. Where your code is written is your course's choice, and this
script knows it (EDIT below): in the modules of assignments/, or in the solution cells of
the notebooks in notebooks/, read from the saved notebooks (a cell you did not run still
counts). Either way, save your notebooks first: your written answers are read from them as
saved. It tells you how many written questions you answered. Upload the zip (Gradescope,
or as your course says).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRADED_FILES = []
EDIT = "modules"
UNFINISHED = re.compile(r'^\s*raise NotImplementedError\("[a-z_]+: ', re.MULTILINE)
NOTEBOOK_READ_LIMIT = 20 * 1024**2
"""A notebook larger than this is not read (the grader's limit too)."""
NOTEBOOK_TEXT_LIMIT = 1024**2
"""At most this many bytes of one notebook's text cells go in the zip (a page of text is about 3 KB)."""
MAX_NOTEBOOKS = 50
"""At most this many notebooks go in the zip."""


def modules_from_notebooks(notebooks: Path, folder: Path) -> dict[str, bytes]:
    """Each graded module as its notebook's solution cell holds it; the file in ``folder``
    (written when the cell last ran) for a notebook that cannot be read."""
    from autograder.solution_cells import extract, notebooks_under  # the kit's reader, which runs nothing

    extraction = extract(notebooks_under(notebooks), GRADED_FILES)
    modules = {name: text.encode("utf-8", errors="replace") for name, text in extraction.modules.items()}
    for name in GRADED_FILES:
        for problem in extraction.problems.get(name, []):
            print(f"warning: {problem}", file=sys.stderr)
        if name not in modules and (folder / name).is_file():
            print(f"warning: {name} is not in a notebook's solution cell; taking the file {folder / name}, "
                  "as the cell wrote it when it last ran", file=sys.stderr)
            modules[name] = (folder / name).read_bytes()
    for problem in extraction.problems.get("", []):
        print(f"warning: {problem}", file=sys.stderr)
    return modules


def text_cells(path: Path) -> bytes | None:
    """The notebook's markdown and raw cells (id, tags and text only) as a notebook, or None,
    with a warning, if it cannot be read or they are too large."""
    lost = "its written answers are not in the zip"
    try:
        with open(path, "rb") as stream:
            data = stream.read(NOTEBOOK_READ_LIMIT + 1)
    except OSError as error:
        print(f"warning: {path.name} could not be read ({error}); {lost}", file=sys.stderr)
        return None
    if len(data) > NOTEBOOK_READ_LIMIT:
        print(f"warning: {path.name} is larger than {NOTEBOOK_READ_LIMIT // 1024**2} MB; {lost}. Clear its "
              "outputs (Edit > Clear Outputs of All Cells), save it and run this again", file=sys.stderr)
        return None
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        if not isinstance(cells, list):
            raise TypeError("its cells are not a list")
    except (UnicodeDecodeError, ValueError, RecursionError, KeyError, TypeError) as error:
        print(f"warning: {path.name} is not a notebook Jupyter can open ({type(error).__name__}); {lost}",
              file=sys.stderr)
        return None
    kept = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "raw"):
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        kept.append({"cell_type": cell["cell_type"], "metadata": {"tags": tags} if isinstance(tags, list) else {},
                     "source": cell.get("source", "")})
        if isinstance(cell.get("id"), str):
            kept[-1]["id"] = cell["id"]  # the grader finds an answer by its cell's id
    text = json.dumps({"cells": kept, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    if len(text) > NOTEBOOK_TEXT_LIMIT:
        print(f"warning: the text cells of {path.name} are larger than {NOTEBOOK_TEXT_LIMIT // 1024**2} MB; {lost}. "
              "Shorten them", file=sys.stderr)
        return None
    return text.encode("ascii")


def notebook_texts(notebooks: Path) -> dict[str, bytes]:
    """File name -> text cells of each notebook directly in ``notebooks``."""
    paths = [path for path in sorted(notebooks.glob("*.ipynb")) if path.is_file() and not path.is_symlink()]
    texts = {path.name: text_cells(path) for path in paths[:MAX_NOTEBOOKS]}
    return {name: text for name, text in texts.items() if text is not None}


def answers_summary(notebooks: dict[str, bytes]) -> str:
    """How many written questions the notebooks in the zip answer, as the grader counts them."""
    from autograder.answers import read_notebooks, summary  # the kit's reader, which runs nothing

    return summary(read_notebooks(notebooks))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="submission.zip", help="the zip to write (default: submission.zip)")
    parser.add_argument("--folder", default=str(HERE / "assignments"),
                        help="where your modules are (default: assignments/ beside this script)")
    parser.add_argument("--notebooks", default=str(HERE / "notebooks"),
                        help="where your notebooks are (default: notebooks/ beside this script)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))  # the kit's readers of notebooks, which run nothing
    folder = Path(args.folder)
    if EDIT == "notebooks":
        modules = modules_from_notebooks(Path(args.notebooks), folder)
    else:
        modules = {name: (folder / name).read_bytes() for name in GRADED_FILES if (folder / name).is_file()}
    if not modules:
        where = f"the notebooks in {args.notebooks} or in {folder}" if EDIT == "notebooks" else str(folder)
        print(f"error: none of the graded files is in {where}. Run this from the homework folder, "
              "or pass --folder.", file=sys.stderr)
        return 1
    notebooks = notebook_texts(Path(args.notebooks))
    with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in {**modules, **notebooks}.items():
            bundle.writestr(name, data)
    print(f"wrote {args.out} with {len(modules) + len(notebooks)} file(s): {', '.join([*modules, *notebooks])}")
    for name in GRADED_FILES:
        if name not in modules:
            print(f"warning: {name} is missing; its part will score 0", file=sys.stderr)
        else:
            blocks = len(UNFINISHED.findall(modules[name].decode("utf-8", errors="replace")))
            if blocks:
                print(f"warning: unfinished: {name} ({blocks} block(s) still raise NotImplementedError)",
                      file=sys.stderr)
    print(answers_summary(notebooks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
