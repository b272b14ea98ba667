"""The student release: it holds no solution code and no hidden test, and it works.

"No solution code" is checked line by line: every run of three consecutive significant
lines (not blank, not comments) of a solution block's body, or the whole body when it is
shorter, must be absent from every released file. One overlap is known and accepted: the
continuous-action loop in ``dqkit/continuous.py`` collects a transition with the same
three lines as the dqn_loop reference (step, store, ``obs = next_obs``); every off-policy
loop has them, and the dqn_loop graders check what those lines cannot show (the rates of
the three processes, the flags stored, resets).
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.assign import find_blocks
from autograder.parts import PARTS
from autograder.release import write_release

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
ACCEPTED = {("dqn_loop.py", "dqkit/continuous.py",
             ("next_obs, reward, terminated, truncated, _ = env.step(action)",
              "buffer.add(obs, action, reward, next_obs, terminated, truncated)",
              "obs = next_obs"))}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    write_release(out, force=True)
    return out


def significant(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def runs(lines: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(lines[k:k + length]) for k in range(len(lines) - length + 1)}


def lines_of(path: Path) -> list[str]:
    """A file's lines; for a notebook, the lines of its cells' sources (not the JSON's)."""
    text = path.read_text(errors="replace")
    if path.suffix == ".ipynb":
        return "".join("".join(cell.get("source", [])) + "\n" for cell in json.loads(text)["cells"]).splitlines()
    return text.splitlines()


def released_files(release: Path) -> dict[str, list[str]]:
    return {str(path.relative_to(release)): significant(lines_of(path))
            for path in release.rglob("*") if path.is_file()}


def test_no_solution_block_is_in_the_release(release):
    files = released_files(release)
    found = []
    for solution in sorted(SOLUTIONS.glob("*.py")):
        lines = solution.read_text().splitlines()
        for block in find_blocks("\n".join(lines), str(solution)):
            body = significant(lines[block.start:block.end - 1])
            length = min(len(body), 3)
            wanted = runs(body, length)
            for name, released in files.items():
                for run in wanted & runs(released, length):
                    if (solution.name, name, run) not in ACCEPTED:
                        found.append(f"{solution.name} line {block.start} -> {name}: {run}")
    assert not found, "solution code in the release:\n" + "\n".join(found)


def test_the_check_would_see_a_leaked_block(tmp_path):
    """The check above is not blind: a release with one reference module in it fails it."""
    leaky = tmp_path / "leaky"
    write_release(leaky)
    (leaky / "assignments" / "dqn.py").write_text((SOLUTIONS / "dqn.py").read_text())
    with pytest.raises(AssertionError, match="solution code in the release"):
        test_no_solution_block_is_in_the_release(leaky)


def test_no_hidden_test_fixture_or_instructor_tool_is_in_the_release(release):
    names = {str(path.relative_to(release)) for path in release.rglob("*") if path.is_file()}
    assert not [name for name in names if "hidden" in name or "secret" in name or name.startswith("solutions")]
    assert not [name for name in names if name.startswith("tests/") or name.endswith("/cases.py")]
    assert "autograder/fixtures.py" not in names
    hidden_tests = {node.name for path in (part.tests("hidden") for part in PARTS)
                    for node in ast.parse(path.read_text()).body
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    assert hidden_tests
    texts = {name: (release / name).read_text(errors="replace") for name in names}
    leaked = sorted(f"{test} in {name}" for test in hidden_tests for name, text in texts.items() if test in text)
    assert not leaked


def test_release_has_what_students_need(release):
    for part in PARTS:
        assert (release / "assignments" / part.filename).is_file()
        assert (release / part.tests("public").relative_to(REPO)).is_file()
        assert (release / part.notes).is_file()
        assert f"`./kit check {part.name}`" in (release / "README.md").read_text()
    assert os.access(release / "kit", os.X_OK)


@pytest.mark.slow
def test_students_can_check_and_submit_from_the_release(release, tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(release)}
    checked = subprocess.run([sys.executable, "-m", "autograder", "check", "replay_buffer"], cwd=release,
                             capture_output=True, text=True, timeout=300, env=environment)
    assert checked.returncode == 1 and "not implemented yet" in checked.stdout, checked.stdout + checked.stderr
    finished = tmp_path / "finished"
    finished.mkdir()
    for part in PARTS:
        (finished / part.filename).write_text((SOLUTIONS / part.filename).read_text())
    checked = subprocess.run([sys.executable, "-m", "autograder", "check", "target_network", str(finished)],
                             cwd=release, capture_output=True, text=True, timeout=300, env=environment)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "All public tests of target_network pass" in checked.stdout

    archive = tmp_path / "submission.zip"
    submitted = subprocess.run([sys.executable, str(release / "submit.py"), "--out", str(archive)],
                               cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert submitted.returncode == 0, submitted.stderr
    names = zipfile.ZipFile(archive).namelist()
    assert sorted(name for name in names if not name.endswith(".ipynb")) == sorted(part.filename for part in PARTS)
    notebooks = [name for name in names if name.endswith(".ipynb")]  # their text cells: the written answers
    assert len(notebooks) == len(list((release / "notebooks").glob("*.ipynb")))
    assert "unfinished: replay_buffer.py" in submitted.stderr
    graded = subprocess.run([sys.executable, "-m", "autograder", "grade", str(archive), "--part", "replay_buffer"],
                            cwd=release, capture_output=True, text=True, timeout=300, env=environment)
    assert graded.returncode == 0 and "not implemented yet" in graded.stdout, graded.stdout + graded.stderr
    (release / "assignments" / "cem.py").rename(tmp_path / "cem.py")
    try:
        submitted = subprocess.run([sys.executable, str(release / "submit.py"), "--out", str(archive)],
                                   cwd=tmp_path, capture_output=True, text=True, timeout=60)
    finally:
        (tmp_path / "cem.py").rename(release / "assignments" / "cem.py")
    assert "warning: cem.py is missing" in submitted.stderr
