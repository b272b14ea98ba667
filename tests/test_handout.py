"""The hand-out as students receive it, run by an interpreter that has the pinned packages
but not the kit's checkout.

The kit's own environment holds an editable install of the checkout, whose import hook
serves any ``autograder`` or ``dqkit`` module from the checkout; a hand-out that lacks a
module would still work there. ``plain_python`` is a new virtual environment whose one
``.pth`` file adds the kit environment's package folders: a folder added that way is put on
``sys.path``, but the ``.pth`` files inside it (the editable install's hook among them) are
not run. So the only kit modules these tests can import are the hand-out's own.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.parts import PARTS
from autograder.release import write_release

REPO = Path(__file__).resolve().parent.parent
KIT_ROOTS = ("autograder", "dqkit", "solutions", "tests", "benchmarks")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("handout") / "homework"
    write_release(out)
    return out


@pytest.fixture(scope="module")
def plain_python(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("plain-env")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=120)
    python = root / "venv" / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "kit-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    probe = subprocess.run([str(python), "-c", "import torch, gymnasium, pytest; import autograder"],
                           cwd=root, capture_output=True, text=True, timeout=120)
    assert "No module named 'autograder'" in probe.stderr, probe.stderr  # the packages, not the kit
    return python


def run_kit(python: Path, release: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "autograder", *args], cwd=release, capture_output=True, text=True,
                          timeout=600)


# -- static: what the hand-out's files name exists in the hand-out --------------------------------
def _module_exists(release: Path, name: str) -> bool:
    path = release.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _optional_imports(tree: ast.AST) -> set[int]:
    """The import statements inside a ``try`` that handles ModuleNotFoundError or ImportError:
    their module may be absent by design (the instructor commands in the hand-out)."""
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(handler.type, ast.Name) and handler.type.id in ("ModuleNotFoundError", "ImportError")
                for handler in node.handlers):
            guarded.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return guarded


def _kit_imports(tree: ast.AST) -> list[tuple[str, str | None]]:
    """(module, name) for every import of a kit module (inside functions too) but the optional
    ones: name is None for ``import module`` and the imported name for ``from module import name``."""
    found = []
    optional = _optional_imports(tree)
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name) for alias in node.names]
    return [(module, name) for module, name in found if module.split(".")[0] in KIT_ROOTS]


def _code_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        # IPython's magics and shell lines are not Python.
        return "\n".join("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
                         for source in sources)
    return path.read_text(encoding="utf-8")


def missing_imports(release: Path) -> list[str]:
    """Imports of kit modules, in the hand-out's Python files and notebooks, that the hand-out
    cannot satisfy: the module is absent, or ``from package import name`` names neither a
    module of the package nor anything its ``__init__.py`` mentions."""
    missing = []
    for path in sorted([*release.rglob("*.py"), *release.rglob("*.ipynb")]):
        for module, name in _kit_imports(ast.parse(_code_of(path))):
            package = release.joinpath(*module.split("."))
            if not _module_exists(release, module):
                missing.append(f"{path.relative_to(release)} imports {module}")
            elif name and package.is_dir() and not _module_exists(release, f"{module}.{name}") \
                    and not re.search(rf"\b{re.escape(name)}\b", (package / "__init__.py").read_text(encoding="utf-8")):
                missing.append(f"{path.relative_to(release)} imports {module}.{name}")
    return missing


def test_nothing_shipped_imports_what_the_hand_out_leaves_out(release):
    missing = missing_imports(release)
    assert not missing, "\n".join(missing)


def test_the_import_check_sees_a_missing_module(tmp_path):
    """The check above is not blind: a shipped file importing a left-out module fails it."""
    (tmp_path / "autograder").mkdir()
    (tmp_path / "autograder" / "__init__.py").write_text("")
    (tmp_path / "autograder" / "checks.py").write_text(
        "from autograder import checks, gone\n\ndef f():\n    from autograder.parts.dqn.secret.cases import x\n"
        "try:\n    import autograder.optional\nexcept ModuleNotFoundError:\n    pass\n")
    assert missing_imports(tmp_path) == ["autograder/checks.py imports autograder.gone",
                                         "autograder/checks.py imports autograder.parts.dqn.secret.cases"]


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
EXTERNAL = ("http://", "https://", "mailto:", "#")


def _markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


# A file path in code spans: folders, then a name with one of the kit's extensions.
NAMED_PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|md|json|ipynb|png|txt|csv|yml|toml|ini|sh))`")


def broken_links(release: Path) -> list[str]:
    """Links in the hand-out's Markdown and notebooks that lead nowhere inside it, and file
    paths they name (in code spans) that are neither under the hand-out's root nor beside
    the file naming them."""
    broken = []
    inside = release.resolve()
    for path in sorted([*release.rglob("*.md"), *release.rglob("*.ipynb")]):
        text = _markdown_of(path)
        for target in LINK.findall(text):
            if target.startswith(EXTERNAL):
                continue
            resolved = (path.parent / target.partition("#")[0]).resolve()
            if not resolved.is_relative_to(inside) or not resolved.exists():
                broken.append(f"{path.relative_to(release)} links to {target}")
        for named in sorted(set(NAMED_PATH.findall(text))):
            if not any(candidate.resolve().is_relative_to(inside) and candidate.exists()
                       for candidate in (release / named, path.parent / named)):
                broken.append(f"{path.relative_to(release)} names {named}")
    return broken


def test_every_link_in_the_hand_out_resolves_inside_it(release):
    broken = broken_links(release)
    assert not broken, "\n".join(broken)


def test_the_link_check_sees_a_link_out_of_the_hand_out(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("See [the reference](../solutions/dqn.py), [b](b.md), "
                                             "`notes/b.md` and `benchmarks/calibration.md`.\n")
    (tmp_path / "notes" / "b.md").write_text("")
    assert broken_links(tmp_path) == ["notes/a.md links to ../solutions/dqn.py",
                                      "notes/a.md names benchmarks/calibration.md"]


# -- run: the public tests in the hand-out ----------------------------------------------------------
def graded(python: Path, release: Path, tmp_path: Path, *directory: str) -> list[dict]:
    """Grade (the hand-out holds the public tests only) and return results.json's tests."""
    results = tmp_path / "results.json"
    run = run_kit(python, release, "grade", *directory, "--results", str(results))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    assert {test["name"].partition(":")[0] for test in tests} == {part.name for part in PARTS}
    return tests


@pytest.mark.slow
def test_every_stub_test_says_not_implemented(plain_python, release, tmp_path):
    tests = graded(plain_python, release, tmp_path)
    wrong = [test["name"] for test in tests if test["score"] != 0 or "not implemented yet" not in test["output"]
             or "Internal" in test["output"]]
    assert not wrong, wrong


@pytest.mark.slow
def test_the_reference_gets_every_public_point(plain_python, release, tmp_path):
    finished = tmp_path / "finished"
    finished.mkdir()
    for part in PARTS:
        shutil.copy(REPO / "solutions" / part.filename, finished / part.filename)
    tests = graded(plain_python, release, tmp_path, str(finished))
    lost = [f"{test['name']}: {test['output'][:300]}" for test in tests if test["score"] != test["max_score"]]
    assert not lost, "\n".join(lost)
    # The self-check command itself, on the part whose public test once imported a left-out module.
    checked = run_kit(plain_python, release, "check", "dqn", str(finished))
    assert checked.returncode == 0 and "All public tests of dqn pass" in checked.stdout, checked.stdout + checked.stderr
