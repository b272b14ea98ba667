"""``pip install`` of the hand-out, not editable, gives a working kit: built as a wheel, and
from a ``git+file://`` URL of a repository made from it. (From a folder, the notebooks' first
cell does it: ``tests/test_hosted_notebooks.py``.)

The kit goes into a new virtual environment without its dependencies, which come from the
kit's own environment through a ``.pth`` file (as in ``tests/test_handout.py``: the editable
install's hook there is not run), so each install takes seconds. The self-check then runs in
a folder that holds only the student's ``assignments/``: the kit it imports is the installed
one, and the modules it checks are the working folder's.
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.release import write_release

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("install") / "homework"
    write_release(out)
    return out


def git_repository(folder: Path) -> str:
    git = ["git", "-C", str(folder), "-c", "user.name=Course", "-c", "user.email=course@example.org"]
    for command in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "hand-out"]):
        subprocess.run([*git, *command], check=True, timeout=60)
    return f"git+file://{folder}"


def wheel(folder: Path, out: Path) -> str:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(folder)],
                   check=True, timeout=300)
    return str(next(out.glob("deepq_kit-*.whl")))


@pytest.mark.slow
@pytest.mark.parametrize("form", ["wheel", "git URL"])
def test_an_installed_hand_out_checks_the_modules_of_the_working_folder(handout, tmp_path, form):
    copy = tmp_path / "homework"
    shutil.copytree(handout, copy)
    target = wheel(copy, tmp_path / "wheels") if form == "wheel" else git_repository(copy)
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True,
                   timeout=120)
    python = tmp_path / "venv" / "bin" / "python"
    # This environment's pip, installing into the new one; without PYTHONPATH, which may name a
    # checkout whose metadata pip would take for the kit installed.
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                                "--disable-pip-version-check", "--no-deps", target],
                               env=environment, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-3000:]
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "kit-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")

    work = tmp_path / "work"
    (work / "assignments").mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "replay_buffer.py", work / "assignments")
    checked = subprocess.run([str(python), "-I", "-m", "autograder", "check", "replay_buffer"], cwd=work,
                             capture_output=True, text=True, timeout=300)
    assert "All public tests of replay_buffer pass" in checked.stdout, checked.stdout[-3000:] + checked.stderr[-3000:]
    found = subprocess.run([str(python), "-I", "-c", "import autograder, dqkit; print(autograder.__file__, dqkit.__file__)"],
                           cwd=work, capture_output=True, text=True, check=True).stdout.split()
    assert found == [str(Path(purelib) / "autograder" / "__init__.py"), str(Path(purelib) / "dqkit" / "__init__.py")]
