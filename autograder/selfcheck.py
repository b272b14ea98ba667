"""Self-checks: ``check("replay_buffer")`` runs that part's public tests on your modules in
the sandboxed worker and prints what failed and why. ``python -m autograder check PART``
calls it, and so can a notebook cell (nothing of your code then runs in the notebook's own
kernel).
"""
from __future__ import annotations

import os
from pathlib import Path

from autograder import sanitize
from autograder.grading import format_report, grade
from autograder.parts import part_named

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULES_VARIABLE = "DQKIT_MODULES"
"""Environment variable naming the folder of the modules to check (default assignments/)."""


def modules_dir() -> Path:
    """The folder whose modules the notebooks import and check: ``$DQKIT_MODULES`` if set
    (the kit's tests point it at ``solutions/``), else ``assignments/``."""
    return Path(os.environ.get(MODULES_VARIABLE, REPO_ROOT / "assignments")).resolve()


_REPORTS: dict[tuple[str, str], object] = {}


def kit_test(part: str, number: str, directory: str | Path = ".") -> None:
    """Pass if the kit's test ``number`` of ``part`` passes on the modules in ``directory``;
    else raise AssertionError with the grader's message. For notebook grade cells (nbgrader):
    the part is graded once per kernel, and each cell reads one test's result."""
    key = (part, str(Path(directory).resolve()))
    if key not in _REPORTS:
        _REPORTS[key] = grade(Path(directory), [part_named(part)])
    for test in _REPORTS[key].tests:
        if test.number == number:
            if test.status != "passed":
                raise AssertionError(f"{part} {number} ({test.name}) failed:\n{sanitize.text(test.output)}")
            return
    raise AssertionError(f"{part} has no test {number} here: the grader's tests and this notebook disagree")


def check(part: str, directory: str | Path | None = None) -> bool:
    """Run the public tests of ``part`` and print the results; True if all pass."""
    report = grade(Path(directory) if directory else modules_dir(), [part_named(part)], visibilities=("public",))
    print(format_report(report, show_passed=True))
    passed = report.max_score > 0 and report.score == report.max_score and not report.internal_errors
    if passed:
        print(f"All public tests of {part} pass. Hidden tests check more cases when you submit.")
    return passed
