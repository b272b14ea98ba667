"""The notebooks' first cell sets a notebook up wherever it runs: here, in a Python without the
kit, as a hosted runtime (Colab) starts.

The slow tests run a hand-out's first notebook in a fresh virtual environment that has only
what a hosted runtime has before the notebook runs (a Python with a Jupyter kernel); the
notebook's first cell fetches the homework from the hand-out's URL (a folder, or a git
repository by a ``git+file://`` URL) and installs the kit from it, with pip as it is set up on
this machine. The kernel is started away from the kit's checkout, without ``PYTHONPATH`` or
``DQKIT_MODULES``, so the kit it imports is the one the cell installed (the test asserts
where it came from). ``DQKIT_SETUP=install`` stands for the hosted runtime and an empty
``KIT_TORCH_INDEX`` for the absent network. Both tests use pip's own cache, so that what pip
downloads (from a package index over the network) is shared by them and by later runs; a
registry of local files, as on the kit's test machine, leaves nothing to cache, and the two
take two to three minutes (``pytest -n 2``) on two cores shared with other work. Each leaves a 1.3 GB
environment in its ``tmp_path``: deleting its 48,000 files took longer than the test on the
kit's machine, so it goes with pytest's older temporary folders (it keeps the last three runs).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.notebooks import FIRST_CELL, FIRST_CELL_TAG
from autograder.release import ReleaseError, check_url, write_release

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_replay_buffer.ipynb"
BASE_PYTHON = sys._base_executable  # the interpreter the kit's environment was made from, without the kit
INSTALL_SECONDS = 600


def first_cell(handout_url: str = "") -> str:
    source = FIRST_CELL.read_text(encoding="utf-8")
    return source.replace('HANDOUT_URL = ""', f"HANDOUT_URL = {json.dumps(handout_url)}", 1)


def run_first_cell(source: str, cwd: Path, hosted: bool) -> subprocess.CompletedProcess:
    """The first cell in a plain Python without the kit (``-I``: no PYTHONPATH, no user site)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DQKIT_SETUP", "DQKIT_MODULES")}
    if hosted:
        env.update(DQKIT_SETUP="install", KIT_TORCH_INDEX="")
    return subprocess.run([BASE_PYTHON, "-I", "-c", source], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


# -- fast: the first cell's messages -----------------------------------------------------------
def test_without_the_kit_on_a_local_kernel_the_first_cell_says_what_to_run(tmp_path):
    ran = run_first_cell(first_cell(), tmp_path, hosted=False)
    assert ran.returncode != 0
    assert "does not have the homework kit" in ran.stderr and "./kit check replay_buffer" in ran.stderr, ran.stderr
    assert "Deep Q-learning kit" in ran.stderr


@pytest.mark.parametrize("url, message", [
    ("", "HANDOUT_URL is empty"),
    ("https://example.org/homework.zip", "neither a git URL"),
    ("git+file:///nonexistent/homework.git", "Fetching the homework failed"),
], ids=["unset", "unknown-form", "unreachable"])
def test_a_hosted_runtime_with_a_bad_hand_out_url_gets_a_clear_error(tmp_path, url, message):
    ran = run_first_cell(first_cell(url), tmp_path, hosted=True)
    assert ran.returncode != 0 and message in ran.stderr, ran.stderr
    assert not (tmp_path / "homework" / "assignments").exists()


@pytest.mark.parametrize("url", ["git+https://example.org/course/homework.git@v1", "git+file:///srv/homework",
                                 "/srv/courses/homework"])
def test_release_accepts_the_forms_the_first_cell_fetches(url):
    check_url(url)


@pytest.mark.parametrize("url", ["https://example.org/homework.zip", "homework", "git+", "git+https://"])
def test_release_refuses_a_hand_out_url_the_first_cell_cannot_fetch(url):
    with pytest.raises(ReleaseError, match="neither a git URL"):
        check_url(url)


def test_release_url_is_in_every_notebooks_first_cell_and_the_readme(tmp_path):
    url = "git+https://example.org/course/homework.git@v1"
    out = tmp_path / "homework"
    write_release(out, url=url)
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0]
        assert FIRST_CELL_TAG in first.metadata.tags
        assert f'HANDOUT_URL = "{url}"' in first.source, path.name
    assert f"`{url}`" in (out / "README.md").read_text()


# -- slow: a notebook in a fresh environment that only its first cell sets up ----------------------
def fresh_kernel(root: Path) -> tuple[str, Path]:
    """A new virtual environment with a Jupyter kernel and nothing of the kit, registered as a
    kernel under ``root``; returns its kernel name and Python."""
    venv = root / "runtime"
    subprocess.run([BASE_PYTHON, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pins = (REPO / "requirements.txt").read_text().splitlines()
    ipykernel = next(line for line in pins if line.startswith("ipykernel=="))
    subprocess.run([str(python), "-I", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", ipykernel],
                   check=True, timeout=INSTALL_SECONDS)
    probe = subprocess.run([str(python), "-I", "-c", "import autograder"], capture_output=True, text=True)
    assert "No module named 'autograder'" in probe.stderr, probe.stderr
    spec = root / "jupyter" / "kernels" / "fresh-runtime"
    spec.mkdir(parents=True)
    environment = {"DQKIT_SETUP": "install", "KIT_TORCH_INDEX": "", "PYTHONNOUSERSITE": "1", "PYTHONPATH": ""}
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "a fresh hosted runtime", "language": "python", "env": environment}))
    return "fresh-runtime", python


def handout_at(out: Path, url: str) -> Path:
    """A hand-out whose notebooks fetch it from ``url``, with the reference replay buffer in
    place of the stub, so that notebook 1 runs through and its self-check passes."""
    write_release(out, url=url)
    shutil.copy(REPO / "solutions" / "replay_buffer.py", out / "assignments" / "replay_buffer.py")
    return out


def as_git_repository(folder: Path) -> None:
    git = ["git", "-C", str(folder), "-c", "user.name=Course", "-c", "user.email=course@example.org"]
    for command in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "hand-out"]):
        subprocess.run([*git, *command], check=True, timeout=60)


def run_hosted(handout: Path, tmp_path: Path, monkeypatch) -> tuple[nbformat.NotebookNode, Path]:
    """Notebook 1 of ``handout``, alone in the folder where the runtime starts (as Colab opens
    a notebook from a link), run from the top in a fresh runtime; returns it and its runtime's Python."""
    started = tmp_path / "content"
    started.mkdir()
    shutil.copy(handout / "notebooks" / NOTEBOOK, started / NOTEBOOK)
    kernel, python = fresh_kernel(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    for variable in ("PYTHONPATH", "DQKIT_MODULES"):
        monkeypatch.delenv(variable, raising=False)
    notebook = nbformat.read(started / NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import autograder\nfrom autograder import answers\nprint(autograder.__file__, answers.KIT_NOTEBOOKS)"))
    NotebookClient(notebook, timeout=INSTALL_SECONDS, kernel_name=kernel,
                   resources={"metadata": {"path": str(started)}}).execute()
    return notebook, python


def assert_set_up_by_its_first_cell(notebook: nbformat.NotebookNode, python: Path, homework: Path) -> None:
    said = "".join(output.get("text", "") for output in notebook.cells[0].outputs)
    assert "Fetching the homework from" in said and "Installing the kit into this runtime: torch==" in said, said
    assert "Ready in" in said and str(homework) in said, said
    print(said)  # what it installed and how long that took (pytest -rP shows it)
    outputs = ["".join(output.get("text", "") for output in cell.get("outputs", [])) for cell in notebook.cells]
    setup = next(index for index, cell in enumerate(notebook.cells) if "setup" in cell.metadata.get("tags", []))
    assert f"Checking your modules in {homework / 'assignments'}" in outputs[setup]
    assert any("All public tests of replay_buffer pass" in text for text in outputs), outputs
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    # The kit the cell installed (not editable), which still asks the written questions of the homework's notebooks.
    assert outputs[-1].split() == [str(Path(site_packages) / "autograder" / "__init__.py"),
                                   str(homework / "notebooks")], outputs[-1]


@pytest.mark.slow
def test_a_notebook_sets_up_a_fresh_runtime_from_a_hand_out_folder(tmp_path, monkeypatch):
    handout = handout_at(tmp_path / "handout", str(tmp_path / "handout"))
    start = time.monotonic()
    notebook, python = run_hosted(handout, tmp_path, monkeypatch)
    print(f"hand-out folder: notebook 1 in a fresh runtime in {time.monotonic() - start:.0f} s")
    assert_set_up_by_its_first_cell(notebook, python, (tmp_path / "content" / "homework").resolve())


@pytest.mark.slow
def test_a_notebook_sets_up_a_fresh_runtime_from_a_git_url(tmp_path, monkeypatch):
    repository = tmp_path / "handout.git"
    handout_at(repository, f"git+file://{repository}")
    as_git_repository(repository)
    start = time.monotonic()
    notebook, python = run_hosted(repository, tmp_path, monkeypatch)
    print(f"git URL: notebook 1 in a fresh runtime in {time.monotonic() - start:.0f} s")
    homework = (tmp_path / "content" / "homework").resolve()
    assert_set_up_by_its_first_cell(notebook, python, homework)
    assert (homework / ".git").is_dir()  # a clone, not a copy
