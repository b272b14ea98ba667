"""No grader test gives a point to code that does nothing.

Each part is graded with each do-nothing variant of ``tests/do_nothing.py`` in place of its
module (the other modules are the reference's, since some parts import them), and every
test of the part must score 0. A property test ("in place", "no autograd graph", "depends
only on rng") earns its points only together with the behaviour it qualifies.

The learning checks (``test_learns_cartpole``, ``test_learns_pendulum``) are left out: code
that does nothing never solves its task, and finding that out costs three full training
budgets per check.
"""
from __future__ import annotations

import ast

import pytest

from autograder.grading import grade
from autograder.parts import PARTS, part_named
from tests.do_nothing import HELPERS_HEADER, SOLUTIONS, VARIANTS, do_nothing_source, student_functions, write_submission

LEARNING_CHECKS = "not learns_cartpole and not learns_pendulum"
CASES = [(part.name, variant) for part in PARTS for variant in VARIANTS]


def case_id(case: tuple[str, str]) -> str:
    return f"{case[0]}-{case[1]}"


@pytest.mark.parametrize("part", [part.name for part in PARTS])
def test_every_student_function_is_replaced(part):
    """Each variant rewrites every function that holds a solution block, and still compiles."""
    reference = (SOLUTIONS / f"{part}.py").read_text(encoding="utf-8")
    functions = student_functions(reference, f"{part}.py")
    assert functions, f"solutions/{part}.py has no solution block"
    for variant in VARIANTS:
        source = do_nothing_source(part, variant)
        compile(source, f"{part}.py", "exec")
        # The return_zeros helpers hold the whole reference, as a string, after their header.
        assert "### BEGIN SOLUTION" not in source.partition(HELPERS_HEADER)[0], variant
        rewritten = dict(_function_sources(source))
        for name, original in _function_sources(reference):
            if any(function.qualname == name for function in functions):
                assert rewritten[name] != original, f"{variant}: {name} was not rewritten"
            else:
                assert rewritten[name] == original, f"{variant}: provided code {name} was changed"


def _function_sources(source: str) -> list[tuple[str, str]]:
    tree = ast.parse(source)
    found = []
    for node in tree.body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        prefix = f"{node.name}." if isinstance(node, ast.ClassDef) else ""
        found += [(prefix + item.name, ast.unparse(item)) for item in members if isinstance(item, ast.FunctionDef)]
    return found


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_do_nothing_scores_zero(case, tmp_path):
    part, variant = case
    submission = write_submission(tmp_path / "submission", part, variant)
    report = grade(submission, [part_named(part)], keyword=LEARNING_CHECKS)
    assert not report.internal_errors, report.internal_errors
    assert report.tests, "no test ran"
    scored = [test for test in report.tests if test.score > 0]
    assert not scored, (
        f"{len(scored)} test(s) of {part} gave points to the do-nothing variant {variant!r}:\n"
        + "\n".join(f"  {test.number} [{test.visibility}] {test.name} ({test.score:g} points)"
                    for test in scored))
