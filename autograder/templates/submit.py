"""Pack your homework for submission.

    python submit.py                 # writes submission.zip
    python submit.py --out my.zip    # another name

The zip holds exactly the graded modules, at its root; nothing else of this folder is read
by the grader. Where your code is written is your course's choice, and this script knows it
(EDIT below): in the modules of assignments/, or in the solution cells of the notebooks in
notebooks/, read from the saved notebooks (so save them first; a cell you did not run
still counts). Upload the zip (Gradescope, or as your course says).
"""
from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GRADED_FILES = []
EDIT = "modules"
UNFINISHED = re.compile(r'^\s*raise NotImplementedError\("[a-z_]+: ', re.MULTILINE)


def modules_from_notebooks(notebooks: Path, folder: Path) -> dict[str, bytes]:
    """Each graded module as its notebook's solution cell holds it; the file in ``folder``
    (written when the cell last ran) for a notebook that cannot be read."""
    sys.path.insert(0, str(HERE))  # the kit's reader of notebooks, which runs nothing
    from autograder.solution_cells import extract, notebooks_under

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="submission.zip", help="the zip to write (default: submission.zip)")
    parser.add_argument("--folder", default=str(HERE / "assignments"),
                        help="where your modules are (default: assignments/ beside this script)")
    parser.add_argument("--notebooks", default=str(HERE / "notebooks"),
                        help="where your notebooks are, if you write your code in them (default: notebooks/)")
    args = parser.parse_args()
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
    with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in modules.items():
            bundle.writestr(name, data)
    print(f"wrote {args.out} with {len(modules)} file(s): {', '.join(modules)}")
    for name in GRADED_FILES:
        if name not in modules:
            print(f"warning: {name} is missing; its part will score 0", file=sys.stderr)
        else:
            blocks = len(UNFINISHED.findall(modules[name].decode("utf-8", errors="replace")))
            if blocks:
                print(f"warning: unfinished: {name} ({blocks} block(s) still raise NotImplementedError)",
                      file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
