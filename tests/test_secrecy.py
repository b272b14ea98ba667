"""The rule of what students may see (``autograder/secrecy.py``) and the boundary between
the two processes of a grading (the sandboxed worker and the grader)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder import secrecy
from autograder.parts import PARTS
from autograder.release import write_release
from autograder.sandbox import WORKER_CODE

REPO = Path(__file__).resolve().parent.parent


def relative(path: Path) -> str:
    return path.resolve().relative_to(REPO).as_posix()


def test_every_hidden_test_fixture_and_case_builder_is_secret():
    hidden = [part.tests("hidden") for part in PARTS] + [part.fixtures("hidden") for part in PARTS] \
        + [part.folder / "secret" / "cases.py" for part in PARTS] \
        + [REPO / "autograder" / "parts" / "_secret_common.py", REPO / "autograder" / "fixtures.py"]
    assert all(path.is_file() for path in hidden) and len(hidden) > 3 * len(PARTS)
    assert [relative(path) for path in hidden if not secrecy.is_secret(relative(path))] == []
    assert not any(secrecy.is_shipped(relative(path)) for path in hidden)


@pytest.mark.parametrize("path", ["solutions/dqn.py", "tests/mutants.py", "benchmarks/calibration.md",
                                  "autograder/instructor.py", "autograder/templates/submit.py",
                                  "autograder/parts/dqn/secret/__pycache__/x.pyc", "README.md"])
def test_what_students_never_get(path):
    assert not secrecy.is_shipped(path)


@pytest.mark.parametrize("path", ["assignments/dqn.py", "autograder/parts/dqn/test_public.py",
                                  "autograder/parts/dqn/public.json", "autograder/parts/dqn/checks.py",
                                  "autograder/parts/dqn/probes.py", "autograder/shared/analytic_q.py",
                                  "notebooks/03_dqn.ipynb", "kit"])
def test_what_students_get(path):
    assert secrecy.is_shipped(path)


def test_the_release_is_exactly_what_the_rule_ships(tmp_path):
    files = write_release(tmp_path / "release")
    written_by_the_release = {"README.md", "submit.py", ".gitignore"}
    copied = {path.as_posix() for path in files} - written_by_the_release
    assert copied == set(secrecy.hand_out_files(REPO))
    assert not [name for name in copied if secrecy.is_secret(name)]


def test_secret_paths_lists_what_the_gradescope_set_up_locks():
    found = {relative(path) for path in secrecy.secret_paths(REPO)}
    assert {f"autograder/parts/{part.name}/secret" for part in PARTS} \
        | {"autograder/parts/_secret_common.py", "autograder/fixtures.py"} <= found
    assert all(secrecy.is_secret(name) for name in found)


# -- the two processes meet only through the wire ---------------------------------------------------
def _imported_kit_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.split(".")[0] in ("autograder", "dqkit")}


def _module_file(name: str) -> str | None:
    """The kit file (relative) that defines module ``name``, or None if it is not a module."""
    path = REPO.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return relative(candidate)
    return None


def _on_worker_side(name: str) -> bool:
    return any(name == code or name.startswith(code.rstrip("/") + "/") for code in WORKER_CODE)


def _kit_python_files() -> list[Path]:
    return sorted(path for root in ("autograder", "dqkit") for path in (REPO / root).rglob("*.py")
                  if "__pycache__" not in path.parts)


def boundary_crossings() -> list[str]:
    """Imports that cross between the worker's code (``WORKER_CODE``, all the kit the sandbox
    holds) and the grader's: the worker may import only worker code; the grader may import
    of the worker's code only the wire, the shared helpers, ``dqkit``, the package itself and the
    part registry's packages (docstrings and the registry: no probe)."""
    crossings = []
    allowed_to_grader = ("autograder/__init__.py", "autograder/wire.py", "autograder/shared", "dqkit",
                         "autograder/parts/__init__.py", *(f"autograder/parts/{part.name}/__init__.py" for part in PARTS))
    for path in _kit_python_files():
        own = relative(path)
        for module in _imported_kit_modules(path):
            target = _module_file(module)
            if target is None:
                continue
            if _on_worker_side(own) and not _on_worker_side(target):
                crossings.append(f"worker code {own} imports grader code {target}")
            if not _on_worker_side(own) and _on_worker_side(target) and not any(
                    target == allowed or target.startswith(allowed + "/") for allowed in allowed_to_grader):
                crossings.append(f"grader code {own} imports worker code {target}")
    return crossings


def test_worker_and_grader_code_meet_only_through_the_wire_and_shared_helpers():
    assert boundary_crossings() == []


def test_the_boundary_check_sees_a_crossing(monkeypatch):
    probe = REPO / "autograder" / "parts" / "replay_buffer" / "probes.py"
    original = Path.read_text

    def with_an_import(self, *args, **kwargs):
        text = original(self, *args, **kwargs)
        return text + "\nfrom autograder.graders.support import fail\n" if self == probe else text

    monkeypatch.setattr(Path, "read_text", with_an_import)
    assert boundary_crossings() == ["worker code autograder/parts/replay_buffer/probes.py imports grader code "
                                    "autograder/graders/support.py"]
