"""What students get: ``python -m autograder release OUT_DIR``.

The release holds the stubs, the provided code, the lecture notes, the notebooks (when
the kit has them), the public tests with their fixtures and the machinery to run them,
a student README and ``submit.py``. It leaves out ``solutions/``, the hidden tests and
their fixtures, and the instructor tools that hold hidden inputs (``autograder/cases_*.py``,
``autograder/fixtures.py``). ``tests/test_release.py`` proves that nothing of a solution
block and no hidden test is in it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder.parts import PARTS

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"

# Directories copied whole (when they exist), relative to the repository root.
WHOLE = ["assignments", "dqkit", "lecture_notes", "notebooks", "autograder/probes",
         "autograder/graders/public", "autograder/graders/fixtures/public"]
# Single files copied as they are.
FILES = ["requirements.txt", "environment.yml", "kit",
         "autograder/__init__.py", "autograder/__main__.py", "autograder/cli.py", "autograder/grading.py",
         "autograder/parts.py", "autograder/sandbox.py", "autograder/selfcheck.py", "autograder/wire.py",
         "autograder/worker.py",
         "autograder/graders/__init__.py", "autograder/graders/conftest.py", "autograder/graders/support.py",
         "autograder/graders/pytest.ini"]
CHECK_MODULES = "autograder/graders/*_checks.py"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache")


class ReleaseError(Exception):
    """The release cannot be written as asked; the message says why."""


def _student_pyproject() -> str:
    """The kit's pyproject.toml without the hidden tests' package and fixtures."""
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for hidden in (',\n            "autograder.graders.hidden"', ', "fixtures/hidden/*.json"'):
        if hidden not in text:
            raise ReleaseError(f"pyproject.toml no longer contains {hidden.strip()!r}: update autograder/release.py")
        text = text.replace(hidden, "")
    return text


def _submit_script() -> str:
    template = (TEMPLATES / "submit.py").read_text(encoding="utf-8")
    files = ", ".join(repr(part.filename) for part in PARTS)
    return template.replace("GRADED_FILES = []", f"GRADED_FILES = [{files}]")


def _student_readme() -> str:
    template = (TEMPLATES / "student_README.md").read_text(encoding="utf-8")
    rows = "\n".join(f"| {index} | `{part.name}` | `assignments/{part.filename}` | `{part.notes}` | "
                     f"`./kit check {part.name}` |" for index, part in enumerate(PARTS, start=1))
    return template.replace("{parts_table}", rows)


def write_release(out: Path, force: bool = False) -> list[Path]:
    """Write the student release into ``out``; return the files written (relative)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ReleaseError(f"{out} is not empty; pass --force to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    for directory in WHOLE:
        source = REPO_ROOT / directory
        if source.is_dir():
            shutil.copytree(source, out / directory, ignore=IGNORED)
    for name in [*FILES, *[str(path.relative_to(REPO_ROOT)) for path in sorted(REPO_ROOT.glob(CHECK_MODULES))]]:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    (out / "pyproject.toml").write_text(_student_pyproject(), encoding="utf-8")
    (out / "README.md").write_text(_student_readme(), encoding="utf-8")
    (out / "submit.py").write_text(_submit_script(), encoding="utf-8")
    (out / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\nsubmission.zip\n", encoding="utf-8")
    return sorted(path.relative_to(out) for path in out.rglob("*") if path.is_file())
