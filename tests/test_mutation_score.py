"""benchmarks/mutation_score.py counts only solution blocks, and its judgments and probes still
match the reference (a judgment keyed by a mutant the tool no longer makes would be silently
dropped from the report)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("mutation_score", REPO / "benchmarks" / "mutation_score.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_only_lines_strictly_inside_solution_blocks_count():
    """Lines between BEGIN and END count; the markers and the provided code around do not."""
    source = "a = 1\n    ### BEGIN SOLUTION: do it\n    b = 2\n    c = 3\n    ### END SOLUTION\nd = 4\n"
    assert load_script().solution_lines(source) == {3, 4}


def test_joint_bugs_edit_a_line_of_the_reference():
    """Each joint-distribution variant replaces a line that is exactly once in its reference."""
    script = load_script()
    for part, old, new in script.JOINT_BUGS.values():
        compile(script.joint_variant(part, old, new), part, "exec")


@pytest.mark.slow
def test_judgments_name_mutants_of_the_current_reference(tmp_path):
    """Every EQUIVALENT and GAPS key is the description of a mutant cosmic-ray makes of the reference."""
    pytest.importorskip("cosmic_ray")
    script = load_script()
    keys = set()
    for part in script.FAST_FIRST:
        module = tmp_path / f"{part}.py"
        module.write_text((REPO / "solutions" / f"{part}.py").read_text(encoding="utf-8"), encoding="utf-8")
        keys |= {mutant.key for _, mutant in script.enumerate_mutants(module, tmp_path / f"{part}.sqlite")}
    stale = sorted((set(script.EQUIVALENT) | set(script.GAPS)) - keys)
    assert not stale, f"judgments of mutants the reference no longer has: {stale}"
