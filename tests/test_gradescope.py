"""The Gradescope autograder zip, end to end, in a temporary folder laid out like
``/autograder``: ``setup.sh`` builds the environment (from Debian's python3.11, as on
Gradescope's Ubuntu image), then ``run_autograder`` grades the reference, the stubs and a
hostile submission, with student code running as ``nobody``. Every ``results.json`` is
checked against Gradescope's published schema."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from autograder.gradescope import build_zip
from autograder.parts import PARTS
from autograder.secrecy import secret_paths
from tests.gradescope import validate_results
from tests.test_answers import QUESTIONS

REPO = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3.11")
ACCOUNT = "nobody"
FIRST_THREE = ["replay_buffer", "target_network", "dqn"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="setup.sh and the account switch need root"),
    pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="needs a system python3.11 that other accounts can run"),
]


def test_zip_has_the_scripts_at_its_root_and_no_solutions(tmp_path):
    names = build_zip(tmp_path / "autograder.zip")
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert not [name for name in names if name.startswith(("solutions/", "tests/", "assignments/"))]
    assert "autograder/parts/dqn/secret/test_hidden.py" in names
    with zipfile.ZipFile(tmp_path / "autograder.zip") as bundle:
        assert bundle.getinfo("run_autograder").external_attr >> 16 & 0o111


@pytest.fixture(scope="module")
def autograder_root():
    """A folder laid out like /autograder, after setup.sh (about a minute: a venv and pip)."""
    root = Path(tempfile.mkdtemp(prefix="dq-gradescope-"))
    os.chmod(root, 0o755)  # other accounts must reach source/ and the venv, as under /autograder
    try:
        archive = root / "autograder.zip"
        build_zip(archive)
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(root / "source")
        for script in ("setup.sh", "run_autograder"):
            os.chmod(root / "source" / script, 0o755)
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "DQ_PYTHON": str(SYSTEM_PYTHON),
                       "DQ_RUN_AS": ACCOUNT, "TORCH_INDEX": ""}
        completed = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=environment,
                                   capture_output=True, text=True, timeout=1200)
        assert completed.returncode == 0, completed.stderr[-3000:]
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def grade(root: Path, files: dict[str, str], *parts: str) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (submission / "my_homework").mkdir(parents=True)  # graded files in a folder, as a zip upload gives
    for name, text in files.items():
        (submission / "my_homework" / name).write_text(text)
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "DQ_RUN_AS": ACCOUNT}
    arguments = [argument for part in parts for argument in ("--part", part)]
    completed = subprocess.run(["bash", str(root / "run_autograder"), *arguments], env=environment,
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    validate_results(results)
    return results


def module_texts(folder: Path) -> dict[str, str]:
    return {part.filename: (folder / part.filename).read_text() for part in PARTS}


def test_setup_leaves_every_secret_file_to_root_alone(autograder_root):
    secrets = secret_paths(autograder_root / "source")
    assert {path.name for path in secrets} >= {"secret", "fixtures.py", "_secret_common.py"}
    readable = [str(path) for secret in secrets for path in [secret, *secret.rglob("*")]
                if path.stat().st_mode & 0o077]
    assert not readable


def test_reference_gets_full_marks(autograder_root):
    results = grade(autograder_root, module_texts(REPO / "solutions"))
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
    assert results["stdout_visibility"] == "hidden"
    assert {test["visibility"] for test in results["tests"]} == {"visible", "after_published"}
    # The installed zip knows the written questions; this upload answers none of them.
    assert [entry["answered"] for entry in results["extra_data"]["written_answers"]] == [False] * QUESTIONS


def test_stubs_get_zero(autograder_root):
    results = grade(autograder_root, module_texts(REPO / "assignments"))
    assert results["score"] == 0
    assert all("not implemented yet" in test["output"] for test in results["tests"])


def test_hostile_code_runs_unprivileged_and_cannot_forge_or_peek(autograder_root):
    root = autograder_root
    hostile = (
        "import os, pathlib\n"
        "_seen = [f'uid={os.getuid()}']\n"
        f"for _path in ({str(root / 'source/autograder/parts/dqn/secret/test_hidden.py')!r},\n"
        f"              {str(root / 'source/autograder/parts/dqn/secret/hidden.json')!r}):\n"
        "    try:\n        _seen.append(pathlib.Path(_path).read_text()[:40])\n"
        "    except OSError as error:\n        _seen.append(type(error).__name__)\n"
        f"for _path in ({str(root / 'results/results.json')!r},\n"
        f"              {str(root / 'source/autograder/graders/support.py')!r}):\n"
        "    try:\n"
        "        pathlib.Path(_path).write_text('{\"score\": 1000}')\n"
        "        _seen.append('wrote ' + _path)\n"
        "    except OSError as error:\n        _seen.append(type(error).__name__)\n"
    )
    files = module_texts(REPO / "assignments")
    files["replay_buffer.py"] = (REPO / "solutions" / "replay_buffer.py").read_text()
    header = "from __future__ import annotations\n"
    files["target_network.py"] = files["target_network.py"].replace(
        header, header + hostile, 1).replace(
        'raise NotImplementedError("target_network: ', 'raise RuntimeError(" | ".join(_seen) + "', 1)
    results = grade(root, files, *FIRST_THREE)
    assert results["score"] == 19.0  # replay_buffer in full; the rest earned nothing
    seen = " ".join(test["output"] for test in results["tests"] if test["name"].startswith("target_network"))
    # Student code ran as nobody: the hidden test and fixture were out of reach (not there at
    # all in the sandbox, unreadable to nobody without it), and neither results.json nor the
    # grader's own code could be written.
    assert re.search(r"uid=65534( \| (PermissionError|FileNotFoundError)){4}", seen), seen
    assert "wrote " not in seen


def test_an_undecodable_exception_message_still_gives_per_test_results(autograder_root):
    # A lone surrogate in a message once stopped the grader before it wrote results.json.
    files = module_texts(REPO / "assignments")
    files["replay_buffer.py"] = files["replay_buffer.py"].replace(
        'raise NotImplementedError("replay_buffer: ', 'raise RuntimeError("\\ud800 \\x1b[2J" + "', 1)
    results = grade(autograder_root, files, "replay_buffer")
    assert len(results["tests"]) == 14 and results["score"] == 0
    assert all("RuntimeError: \ufffd \\x1b[2J" in test["output"] for test in results["tests"])
