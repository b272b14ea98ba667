"""Self-checks: ``check("replay_buffer")`` runs that part's public tests on your modules in
the sandboxed worker and prints what failed and why. ``python -m autograder check PART``
calls it, and so can a notebook cell (nothing of your code then runs in the notebook's own
kernel).
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import os
import sys
from pathlib import Path

from autograder import sanitize
from autograder.parts import PARTS, Part, part_named
from autograder.sandbox import WorkerStartError, launch_early

# autograder.grading (pytest, numpy and the grader's support code) is imported where it is
# used: ``python -m autograder check`` launches the worker before importing it.

MODULES_VARIABLE = "DQKIT_MODULES"
"""Environment variable naming the folder of the modules to check (see ``modules_dir``)."""
MODULES_FOLDER = "assignments"


class ModulesNotFound(Exception):
    """No folder of modules to check: the message says where it looked and what to do."""


def modules_dir() -> Path:
    """The folder whose modules the notebooks import and check, found from where you work,
    never from where the kit's environment was installed (a second copy of the homework that
    uses the first copy's environment checks its own modules):

    1. ``$DQKIT_MODULES``, if set and not empty (the kit's tests point it at ``solutions/``);
    2. ``assignments/`` in the working folder (a terminal in the homework folder);
    3. ``../assignments/`` (a notebook runs in ``notebooks/``, beside ``assignments/``);
    4. the working folder itself, if it holds a graded module (``replay_buffer.py``, ...).

    Raises ModulesNotFound if ``$DQKIT_MODULES`` is not a folder, or if nothing is found."""
    named = os.environ.get(MODULES_VARIABLE, "")
    if named:
        folder = Path(named).resolve()
        if not folder.is_dir():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise ModulesNotFound(f"{MODULES_VARIABLE} is set to {named!r}, and {folder} {what}. Set it to the "
                                  f"folder that holds your modules, or unset it to check the {MODULES_FOLDER}/ "
                                  f"folder of the homework you work in.")
        return folder
    here = Path.cwd().resolve()
    for candidate in (here / MODULES_FOLDER, here.parent / MODULES_FOLDER):
        if candidate.is_dir():
            return candidate
    graded = [part.filename for part in PARTS]
    if any((here / name).is_file() for name in graded):
        return here
    raise ModulesNotFound(f"No modules to check from the working folder {here}: neither {here / MODULES_FOLDER} "
                          f"nor {here.parent / MODULES_FOLDER} is a folder, and {here} holds none of the graded "
                          f"modules ({', '.join(graded)}). Work in your homework folder (the one that holds "
                          f"{MODULES_FOLDER}/) or in its notebooks/ folder, or set {MODULES_VARIABLE} to the "
                          f"folder of your modules.")


def use_modules() -> Path:
    """For a notebook's set-up cell: make the modules of ``modules_dir()`` importable, say
    which folder that is (so a notebook opened in another copy of the homework shows what it
    checks), and return it."""
    folder = modules_dir()
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    print(f"Checking your modules in {folder}")
    return folder


_REPORTS: dict[tuple[str, str], object] = {}


def kit_test(part: str, number: str, directory: str | Path = ".") -> None:
    """Pass if the kit's test ``number`` of ``part`` passes on the modules in ``directory``;
    else raise AssertionError with the grader's message. For notebook grade cells (nbgrader):
    the part is graded once per kernel, and each cell reads one test's result."""
    from autograder.grading import grade

    key = (part, str(Path(directory).resolve()))
    if key not in _REPORTS:
        _REPORTS[key] = grade(Path(directory), [part_named(part)])
    for test in _REPORTS[key].tests:
        if test.number == number:
            if test.status != "passed":
                raise AssertionError(f"{part} {number} ({test.name}) failed:\n{sanitize.text(test.output)}")
            return
    raise AssertionError(f"{part} has no test {number} here: the grader's tests and this notebook disagree")


def launch_worker_early(arguments: list[str]) -> None:
    """For ``python -m autograder check PART [DIR]`` (``arguments`` after ``check``): launch
    the worker that ``check`` will use now, so that Python and torch load in it while this
    process imports pytest and the grader's tests (see ``autograder.sandbox.launch_early``).
    For any other arguments nothing is launched, and ``check`` starts its worker as usual."""
    if not 1 <= len(arguments) <= 2 or any(argument.startswith("-") for argument in arguments):
        return
    directory = Path(arguments[1] if len(arguments) == 2 else "assignments")
    if arguments[0] not in {part.name for part in PARTS} or not directory.is_dir():
        return
    if any(directory.rglob("*.ipynb")):
        return  # solution cells may be graded from a folder of their own (autograder.grading.graded_modules)
    try:
        launch_early(directory.resolve(), [part.name for part in PARTS])
    except WorkerStartError:
        return  # check's own start says what went wrong


def _import_grader_modules(part: Part) -> None:
    """Import the grader modules that the public tests of ``part`` import (``from
    autograder.graders... import ...`` and the part's checks), as collecting them would: with a worker launched
    early, their imports (torch, for some) overlap its start-up."""
    tests = part.tests("public")
    if not tests.exists():
        return
    for node in ast.parse(tests.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("autograder.graders", part.module)):
            importlib.__import__(node.module, fromlist=[alias.name for alias in node.names])


@contextlib.contextmanager
def _without_pytest_plugin_autoload():
    """pytest without the plugins that installed packages register (pytest-xdist, anyio's):
    the grader's tests use none, and loading them costs a third of a second."""
    before = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = before


def check(part: str, directory: str | Path | None = None) -> bool:
    """Run the public tests of ``part`` on the modules in ``directory`` (default:
    ``modules_dir()``) and print the results; True if all pass."""
    from autograder.grading import format_report, grade

    _import_grader_modules(part_named(part))
    with _without_pytest_plugin_autoload():
        report = grade(Path(directory) if directory else modules_dir(), [part_named(part)], visibilities=("public",))
    print(format_report(report, show_passed=True))
    passed = report.max_score > 0 and report.score == report.max_score and not report.internal_errors
    if passed:
        print(f"All public tests of {part} pass. Hidden tests check more cases when you submit.")
    return passed
