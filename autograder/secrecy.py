"""What students may see, decided in one place.

The student hand-out is the folders and files of ``HAND_OUT_ROOTS`` minus two kinds of file:

- **secret** (``SECRET``): what would give away a grade: every part's ``secret/`` folder (its
  hidden tests, their fixtures and the builders of its inputs), the builders' shared helpers
  and the script that runs the builders. The Gradescope image holds them, readable by root only
  (its ``setup.sh`` asks this module which they are); nothing else students receive does.
- **instructor tools** (``INSTRUCTOR_TOOLS``): what builds the hand-outs and the grading
  set-ups from ``solutions/``. Not secret, but useless to a student.

``solutions/``, ``tests/`` (which hold buggy variants of the reference) and ``benchmarks/``
are not hand-out roots, so nothing of them ships. ``autograder/release.py`` writes the
hand-out from :func:`hand_out_files`; the kit's tests check that no shipped file imports a
module the hand-out lacks and that no solution code or hidden test is in it.

``python -m autograder.secrecy ROOT`` prints the secret files and folders under ``ROOT``.
"""
from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

HAND_OUT_ROOTS = ("assignments", "autograder", "dqkit", "lecture_notes", "notebooks",
                  "kit", "requirements.txt", "environment.yml", "pyproject.toml")
SECRET = ("autograder/parts/*/secret", "autograder/parts/_secret_common.py", "autograder/fixtures.py")
INSTRUCTOR_TOOLS = ("autograder/instructor.py", "autograder/release.py", "autograder/secrecy.py",
                    "autograder/gradescope.py", "autograder/nbgrader_course.py", "autograder/assign.py",
                    "autograder/notebooks.py", "autograder/templates")
# Made by running things, never part of what anyone receives.
LITTER = ("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache", "*.egg-info", ".DS_Store")


def _matches(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``relative`` (a POSIX path from the kit's root) or a folder above it matches."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes for pattern in patterns)


def is_secret(relative: str) -> bool:
    return _matches(relative, SECRET)


def is_shipped(relative: str) -> bool:
    """Whether the student hand-out holds this file of the kit."""
    return (relative.split("/")[0] in HAND_OUT_ROOTS and not is_secret(relative)
            and not _matches(relative, INSTRUCTOR_TOOLS)
            and not any(fnmatch.fnmatchcase(part, pattern) for part in relative.split("/") for pattern in LITTER))


def hand_out_files(root: Path) -> list[str]:
    """The kit's files under ``root`` that the hand-out holds, as sorted POSIX paths."""
    found = []
    for name in HAND_OUT_ROOTS:
        path = root / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        found += [file.relative_to(root).as_posix() for file in candidates if file.is_file()]
    return sorted(relative for relative in found if is_shipped(relative))


def secret_paths(root: Path) -> list[Path]:
    """The secret files and folders under ``root`` (outermost only)."""
    found = []
    for pattern in SECRET:
        found += [path for path in sorted(root.glob(pattern)) if path.exists()]
    return found


if __name__ == "__main__":
    for secret in secret_paths(Path(sys.argv[1])):
        print(secret)
