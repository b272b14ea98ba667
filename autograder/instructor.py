"""The instructor's commands: ``python -m autograder {release,gradescope,nbgrader,assign,notebooks,fixtures}``.

They build what students and graders receive from ``solutions/`` and the hidden tests, so
they live in the kit only: the student hand-out leaves this module out, and its command
line offers the students' commands alone (``autograder/cli.py``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import solution_cells
from autograder.cli import _parts
from autograder.parts import part_named

REPO_ROOT = Path(__file__).resolve().parent.parent


def cmd_release(args: argparse.Namespace) -> int:
    from autograder import release

    try:
        files = release.write_release(Path(args.out_dir), force=args.force, edit=args.edit, url=args.url)
    except release.ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    where = "the notebooks' solution cells" if args.edit == "notebooks" else "the modules in assignments/"
    print(f"wrote the student release to {args.out_dir} ({len(files)} files); students write their code in {where}")
    if not args.url:
        print("no --url: a hosted notebook (Colab) cannot fetch this hand-out until its first cell's HANDOUT_URL "
              "names where students get it (release again with --url)")
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    from autograder import gradescope

    names = gradescope.build_zip(Path(args.out_zip))
    print(f"wrote {args.out_zip} ({len(names)} files): upload it as the assignment's autograder "
          "(base image Ubuntu 22.04)")
    return 0


def cmd_notebooks(args: argparse.Namespace) -> int:
    from autograder import notebooks

    try:
        files = notebooks.build()
    except notebooks.NotebookSourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        stale = notebooks.stale(files)
        for path in stale:
            print(f"out of date: {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        if stale:
            print("Run: python -m autograder notebooks", file=sys.stderr)
        return 1 if stale else 0
    changed = notebooks.write(files)
    print(f"notebooks/ regenerated ({len(changed)} file(s) changed)")
    return 0


def cmd_nbgrader(args: argparse.Namespace) -> int:
    from autograder import nbgrader_course

    for name in args.part or []:
        part_named(name)
    written = nbgrader_course.build_course(Path(args.course_dir), args.part, edit=args.edit)
    nbgrader = Path(sys.executable).parent / "nbgrader"
    print(f"wrote the nbgrader course in {args.course_dir} ({len(written)} files). Next, there: "
          f"{nbgrader} generate_assignment {nbgrader_course.ASSIGNMENT}")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    from autograder import assign

    source, target = REPO_ROOT / "solutions", REPO_ROOT / "assignments"
    try:
        if args.check:
            changed = assign.differences(assign.render(source), target)
            if changed:
                print("assignments/ is out of date with solutions/ in:", file=sys.stderr)
                for path in changed:
                    print(f"  assignments/{path}", file=sys.stderr)
                print("Run: python -m autograder assign", file=sys.stderr)
                return 1
            print("assignments/ matches solutions/")
            return 0
        changed = assign.write(source, target)
    except assign.MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"assignments/ regenerated ({len(changed)} file(s) changed)")
    return 0


def cmd_fixtures(args: argparse.Namespace) -> int:
    from autograder import fixtures

    files = fixtures.build(parts=_parts(args.part))
    stale = fixtures.stale(files)
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        if stale:
            print("Run: python -m autograder fixtures", file=sys.stderr)
        return 1 if stale else 0
    # Only files whose data changed: a rerun on another processor, whose floats differ in
    # their last bits, leaves the others as they are.
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
    print(f"built {len(files)} fixture file(s); wrote the {len(stale)} whose data changed")
    return 0


def add_commands(commands) -> None:
    """Add the instructor's sub-commands to the command line's ``commands``."""
    hand_out = commands.add_parser("release", help="write what students get (no solutions, no hidden tests)")
    hand_out.add_argument("out_dir", help="an empty or new folder")
    hand_out.add_argument("--force", action="store_true", help="replace a folder that is not empty")
    hand_out.add_argument("--edit", choices=solution_cells.EDIT_MODES, default="modules",
                          help="where students write their code: the .py modules (default) or the notebooks' "
                               "solution cells")
    hand_out.add_argument("--url", default="",
                          help="where students get this hand-out, for the notebooks' first cell on a hosted runtime "
                               "(Colab): a git URL (git+https://host/course/homework.git, optionally @tag) or an "
                               "absolute folder path")
    hand_out.set_defaults(run=cmd_release)

    zipped = commands.add_parser("gradescope", help="build the Gradescope autograder zip")
    zipped.add_argument("out_zip", help="the zip to write, e.g. autograder.zip")
    zipped.set_defaults(run=cmd_gradescope)

    course = commands.add_parser("nbgrader", help="build an nbgrader course directory from the kit")
    course.add_argument("course_dir", help="the course directory (created if needed)")
    course.add_argument("--part", action="append", help="only this part's notebook (repeatable)")
    course.add_argument("--edit", choices=solution_cells.EDIT_MODES, default="modules",
                        help="where students write their code: the .py modules beside the notebooks (default) "
                             "or the notebooks' solution cells")
    course.set_defaults(run=cmd_nbgrader)

    make = commands.add_parser("assign", help="generate assignments/ from solutions/")
    make.add_argument("--check", action="store_true", help="only report files that differ")
    make.set_defaults(run=cmd_assign)

    books = commands.add_parser("notebooks", help="generate notebooks/ from notebooks_src/")
    books.add_argument("--check", action="store_true", help="only report notebooks that differ")
    books.set_defaults(run=cmd_notebooks)

    golden = commands.add_parser("fixtures", help="regenerate golden fixtures from solutions/")
    golden.add_argument("--check", action="store_true", help="only report stale fixture files")
    golden.add_argument("--part", action="append", help="only this part's fixtures (repeatable)")
    golden.set_defaults(run=cmd_fixtures)
