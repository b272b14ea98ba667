"""The stub generator: marker parsing, stub text, and assignments/ in sync with solutions/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder import assign

REPO = Path(__file__).resolve().parent.parent

REFERENCE = '''\
def add(x, y):
    """Return x + y."""
    total = 0
    ### BEGIN SOLUTION: add the two numbers
    total = x + y
    ### END SOLUTION
    return total


class Box:
    def size(self):
        ### BEGIN SOLUTION
        return 3
        ### END SOLUTION
'''


def test_stub_replaces_each_block_and_keeps_the_rest():
    stub = assign.make_stub(REFERENCE, "toy", "toy.py")
    assert stub == '''\
def add(x, y):
    """Return x + y."""
    total = 0
    # TODO(student): add the two numbers
    raise NotImplementedError("toy: add the two numbers")
    return total


class Box:
    def size(self):
        # TODO(student): implement this block
        raise NotImplementedError("toy: implement this block")
'''


def test_prompt_quotes_are_escaped():
    text = '### BEGIN SOLUTION: say "hi" \\ bye\nx = 1\n### END SOLUTION\n'
    stub = assign.make_stub(text, "toy", "toy.py")
    namespace: dict = {}
    with pytest.raises(NotImplementedError, match=r'toy: say "hi" \\ bye'):
        exec(stub, namespace)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("x = 1\n### BEGIN SOLUTION\ny = 2\n", 2, "never closed"),
        ("### END SOLUTION\n", 1, "without a BEGIN"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", 2, "cannot nest"),
        ("y = 1  ### BEGIN SOLUTION\n", 1, "malformed marker"),
        ("### END SOLUTION\n### BEGIN SOLUTION\n", 1, "without a BEGIN"),
    ],
    ids=["unclosed", "end-without-begin", "nested", "inline-marker", "reversed"],
)
def test_bad_markers_name_file_and_line(text, line, message):
    with pytest.raises(assign.MarkerError, match=rf"^bad\.py:{line}: .*{message}"):
        assign.find_blocks(text, "bad.py")


def test_write_and_check_round_trip(tmp_path):
    source, target = tmp_path / "solutions", tmp_path / "assignments"
    source.mkdir()
    (source / "toy.py").write_text(REFERENCE)
    (source / "notes.txt").write_text("copied as is\n")
    assert assign.write(source, target) == [Path("notes.txt"), Path("toy.py")]
    assert assign.differences(assign.render(source), target) == []
    (target / "toy.py").write_text("edited\n")
    (target / "stray.py").write_text("left over\n")
    assert assign.differences(assign.render(source), target) == [Path("stray.py"), Path("toy.py")]
    assign.write(source, target)
    assert not (target / "stray.py").exists()
    assert (target / "notes.txt").read_text() == "copied as is\n"


def test_committed_assignments_match_solutions():
    completed = subprocess.run([sys.executable, "-m", "autograder", "assign", "--check"],
                               cwd=REPO, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_every_solution_module_has_blocks_and_no_marker_reaches_the_stub():
    for path in sorted((REPO / "solutions").glob("*.py")):
        text = path.read_text()
        assert assign.find_blocks(text, str(path)), f"{path.name} has no solution block"
        stub = (REPO / "assignments" / path.name).read_text()
        assert "SOLUTION" not in stub
        assert "TODO(student)" in stub


@pytest.mark.parametrize("module", sorted(p.stem for p in (REPO / "assignments").glob("*.py")))
def test_generated_stub_imports_cleanly(module):
    code = f"import sys; sys.path.insert(0, 'assignments'); import {module}"
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
