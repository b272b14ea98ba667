"""The graders, proved right in both directions.

Each realistic bug in ``tests/mutants.py`` must lose points, and some failing test must
say what the bug is (the mutant's ``expect`` pattern); each correct alternative in
``tests/alternatives/<part>/`` must get full marks. The reference gets full marks and the
generated stubs get zero. Every grading here runs one part on a copy of ``solutions/``
whose part module was replaced, in a fresh ``tmp_path`` (about 1 s each).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograder.grading import Report, grade
from autograder.parts import PARTS, part_named
from tests.mutants import MUTANTS, Mutant, mutated_source, reference_source

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"
ALTERNATIVES = Path(__file__).resolve().parent / "alternatives"
ALTERNATIVE_FILES = sorted(ALTERNATIVES.glob("*/*.py"))
PART_NAMES = [part.name for part in PARTS]


def mutant_id(mutant: Mutant) -> str:
    return f"{mutant.part}-{mutant.name}"


def alternative_id(path: Path) -> str:
    return f"{path.parent.name}-{path.stem}"


def submission_with(tmp_path: Path, part: str, source: str) -> Path:
    """A copy of the reference whose ``part`` module is ``source``."""
    submission = tmp_path / "submission"
    shutil.copytree(SOLUTIONS, submission, ignore=shutil.ignore_patterns("__pycache__"))
    (submission / f"{part}.py").write_text(source, encoding="utf-8")
    return submission


def summary(report: Report) -> str:
    """The failing tests and their messages, for an assertion message."""
    lines = [f"score {report.score:g} / {report.max_score:g}", *report.internal_errors]
    for test in report.tests:
        if test.status != "passed":
            lines.append(f"{test.number} [{test.status}] {test.name}:\n    {test.output}")
    return "\n".join(lines)


# -- the tables themselves (fast) --------------------------------------------------------
@pytest.mark.parametrize("part", PART_NAMES)
def test_each_part_has_enough_mutants_and_alternatives(part):
    """Every graded part, a new one included, is proved by its own bugs and alternatives."""
    mutants = [mutant for mutant in MUTANTS if mutant.part == part]
    alternatives = [path for path in ALTERNATIVE_FILES if path.parent.name == part]
    assert len(mutants) >= 8, f"part {part!r} has {len(mutants)} mutants in tests/mutants.py; it needs 8"
    assert len(alternatives) >= 3, (f"part {part!r} has {len(alternatives)} correct alternatives in "
                                    f"tests/alternatives/{part}/; it needs 3")


def test_mutant_names_are_unique_and_parts_exist():
    names = [mutant_id(mutant) for mutant in MUTANTS]
    assert len(names) == len(set(names))
    assert {mutant.part for mutant in MUTANTS} <= set(PART_NAMES)
    assert {path.parent.name for path in ALTERNATIVE_FILES} <= set(PART_NAMES)


@pytest.mark.parametrize("mutant", MUTANTS, ids=mutant_id)
def test_mutant_edits_apply_once_and_compile(mutant):
    source = mutated_source(mutant)  # raises unless every `old` occurs exactly once
    assert source != reference_source(mutant.part)
    compile(source, f"{mutant.part}.py", "exec")
    re.compile(mutant.expect)


# -- the graders on known code ----------------------------------------------------------
@pytest.mark.slow
def test_reference_gets_full_marks():
    report = grade(SOLUTIONS)
    assert not report.internal_errors
    assert report.max_score > 0
    assert all(test.status == "passed" for test in report.tests), summary(report)


@pytest.mark.slow
def test_stubs_get_zero_and_every_test_says_not_implemented():
    report = grade(ASSIGNMENTS)
    assert not report.internal_errors
    assert report.score == 0
    assert {test.part for test in report.tests} == set(PART_NAMES)
    for test in report.tests:
        assert test.status == "failed", summary(report)
        assert "not implemented yet" in test.output, f"{test.number}: {test.output}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=mutant_id)
def test_mutant_loses_points_with_a_message_that_names_the_bug(mutant, tmp_path):
    submission = submission_with(tmp_path, mutant.part, mutated_source(mutant))
    # The CartPole, Pendulum and FlickerCatch learning checks are left out here (a mutant that
    # stops learning would train three full budgets); benchmarks/calibrate_learning.py
    # measures their catch rates.
    report = grade(submission, [part_named(mutant.part)],
                   keyword="not learns_cartpole and not learns_pendulum and not learns_flicker_catch")
    assert not report.internal_errors
    assert report.score < report.max_score, f"not caught: {mutant.bug}"
    failing = [test for test in report.tests if test.status != "passed"]
    assert all(test.status == "failed" for test in failing), summary(report)
    assert any(re.search(mutant.expect, test.output, re.DOTALL) for test in failing), (
        f"no failure message matches {mutant.expect!r} for: {mutant.bug}\n{summary(report)}")


# Parts whose modules hold much provided code (configs, agents, loops, part pixels' buffer
# and network plumbing): their alternatives hold only the student's functions, appended to
# the reference so that they replace its own.
# (dueling's alternatives are whole modules: its provided code is short.)
APPENDED_ALTERNATIVES = ("dqn_loop", "sampled_q", "naf", "ddpg", "pixels")


def alternative_source(path: Path) -> str:
    """The module an alternative stands for: the file itself, or, for the parts above, the
    reference followed by the alternative's definitions (later definitions win)."""
    source = path.read_text(encoding="utf-8")
    if path.parent.name not in APPENDED_ALTERNATIVES:
        return source
    return reference_source(path.parent.name) + "\n\n# -- the correct alternative --\n" + source


@pytest.mark.slow
@pytest.mark.parametrize("path", ALTERNATIVE_FILES, ids=alternative_id)
def test_correct_alternative_gets_full_marks(path, tmp_path):
    part = path.parent.name
    submission = submission_with(tmp_path, part, alternative_source(path))
    report = grade(submission, [part_named(part)])
    assert not report.internal_errors
    assert report.max_score > 0
    assert report.score == report.max_score, summary(report)
