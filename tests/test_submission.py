"""One set of rules for reading a submission (autograder/submission.py), and every way of
grading (./kit grade, grade-all, Gradescope) reading it by them."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import submission as rules
from autograder.batch import Student, grade_student
from autograder.gradescope import run as run_gradescope
from autograder.submission import SubmissionError, collect
from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
MODULES = ["replay_buffer.py", "target_network.py"]


def lay_out(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def zipped(files: dict[str, str | bytes], archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    return archive


def both_forms(tmp_path: Path, files: dict[str, str | bytes]) -> list[Path]:
    """The same submission as a folder and as a zip."""
    return [lay_out(tmp_path / "folder", files), zipped(files, tmp_path / "upload.zip")]


def collected(source: Path, target: Path) -> tuple[rules.Collected, dict[str, bytes]]:
    target.mkdir()
    found = collect(source, target)
    return found, {path.relative_to(target).as_posix(): path.read_bytes()
                   for path in sorted(target.rglob("*")) if path.is_file()}


def test_modules_in_one_folder_at_any_depth_are_found_in_a_folder_and_a_zip_alike(tmp_path):
    files = {"homework/assignments/replay_buffer.py": "x = 1\n", "homework/assignments/target_network.py": "y = 2\n",
             "homework/notebooks/03_dqn.ipynb": "{}", "homework/README.md": "hello",
             "homework/assignments/helper.py": "z = 3\n"}
    results = [collected(source, tmp_path / f"copy{k}") for k, source in enumerate(both_forms(tmp_path, files))]
    for found, copied in results:
        assert found.modules == MODULES and found.folder == "homework/assignments"
        assert copied == {"homework/notebooks/03_dqn.ipynb": b"{}", "replay_buffer.py": b"x = 1\n",
                          "target_network.py": b"y = 2\n"}  # nothing else: no helper, no README


@pytest.mark.parametrize("files, message", [
    ({"replay_buffer.py": "", "backup/replay_buffer.py": ""}, "spread over several folders (the top folder, backup/)"),
    ({"a/replay_buffer.py": "", "b/target_network.py": ""}, "spread over several folders (a/, b/)"),
    ({"replay_buffer.py": "#" * (2 * 1024**2 + 1)}, "replay_buffer.py is larger than 2 MB"),
], ids=["a_backup_copy", "two_folders", "too_large"])
def test_a_submission_that_cannot_be_graded_as_it_is_is_an_error_in_both_forms(tmp_path, files, message):
    for k, source in enumerate(both_forms(tmp_path, files)):
        (tmp_path / f"copy{k}").mkdir()
        with pytest.raises(SubmissionError, match=message.replace("(", r"\(").replace(")", r"\)")):
            collect(source, tmp_path / f"copy{k}")


def test_notebooks_are_copied_even_when_the_modules_are_refused(tmp_path):
    files = {"a/replay_buffer.py": "", "b/replay_buffer.py": "", "notebooks/01.ipynb": "{}"}
    target = tmp_path / "copy"
    target.mkdir()
    with pytest.raises(SubmissionError):
        collect(zipped(files, tmp_path / "upload.zip"), target)
    assert (target / "notebooks" / "01.ipynb").read_text() == "{}"


def test_a_module_twice_in_one_zip_folder_is_an_error(tmp_path):
    archive = tmp_path / "twice.zip"
    with zipfile.ZipFile(archive, "w") as bundle, pytest.warns(UserWarning, match="Duplicate name"):
        bundle.writestr("replay_buffer.py", "x = 1\n")
        bundle.writestr("replay_buffer.py", "x = 2\n")
    with pytest.raises(SubmissionError, match="replay_buffer.py is in the submission more than once"):
        collect(archive, tmp_path)


def test_links_hard_links_and_special_files_are_errors_not_read(tmp_path):
    secret = tmp_path / "grader_only.txt"
    secret.write_text("hidden fixture\n")
    for kind in ("link", "hard_link", "fifo"):
        folder = tmp_path / kind
        folder.mkdir()
        module = folder / "replay_buffer.py"
        if kind == "link":
            module.symlink_to(secret)
        elif kind == "hard_link":
            os.link(secret, module)
        else:
            os.mkfifo(module)  # opened for reading with no writer, it would block a grader for ever
        target = tmp_path / f"{kind}_copy"
        target.mkdir()
        with pytest.raises(SubmissionError, match="replay_buffer.py is"):
            collect(folder, target)
        assert not any(target.iterdir())


def test_hidden_and_metadata_folders_are_not_looked_into(tmp_path):
    files = {"assignments/replay_buffer.py": "x = 1\n", ".git/replay_buffer.py": "old\n",
             ".venv/lib/target_network.py": "not theirs\n", "__MACOSX/assignments/replay_buffer.py": "junk",
             "assignments/__pycache__/replay_buffer.py": "junk", "notebooks/.ipynb_checkpoints/01.ipynb": "{}"}
    for k, source in enumerate(both_forms(tmp_path, files)):
        found, copied = collected(source, tmp_path / f"copy{k}")
        assert found.modules == ["replay_buffer.py"] and copied == {"replay_buffer.py": b"x = 1\n"}


def test_zip_names_cannot_write_outside_the_target(tmp_path):
    files = {"../../escape.ipynb": "{}", "/absolute/02.ipynb": "{}", "../../replay_buffer.py": "x = 1\n"}
    target = tmp_path / "deep" / "copy"
    target.parent.mkdir()
    found, copied = collected(zipped(files, tmp_path / "upload.zip"), target)
    assert copied == {"absolute/02.ipynb": b"{}", "escape.ipynb": b"{}", "replay_buffer.py": b"x = 1\n"}
    assert not (tmp_path / "escape.ipynb").exists() and found.modules == ["replay_buffer.py"]


def test_notebooks_are_cut_past_their_limit_and_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(rules, "MAX_NOTEBOOKS", 2)
    monkeypatch.setattr(rules, "MAX_NOTEBOOK_BYTES", 10)
    files = {"a.ipynb": "x" * 50, "b.ipynb": "{}", "c.ipynb": "{}"}
    for k, source in enumerate(both_forms(tmp_path, files)):
        found, copied = collected(source, tmp_path / f"copy{k}")
        assert found.notebooks == ["a.ipynb", "b.ipynb"] and copied == {"a.ipynb": b"x" * 11, "b.ipynb": b"{}"}


def test_too_many_files_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(rules, "MAX_ENTRIES", 5)
    files = {f"junk/{k}.txt": "" for k in range(6)}
    for k, source in enumerate(both_forms(tmp_path, files)):
        (tmp_path / f"copy{k}").mkdir()
        with pytest.raises(SubmissionError, match="more than 5 files"):
            collect(source, tmp_path / f"copy{k}")


def test_neither_a_folder_nor_a_readable_zip_is_an_error(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="broken.zip is not a readable zip file"):
        collect(tmp_path / "broken.zip", tmp_path)
    with pytest.raises(SubmissionError, match="nowhere is neither a folder nor a zip file"):
        collect(tmp_path / "nowhere", tmp_path)


def grade_three_ways(source: Path, tmp_path: Path) -> dict[str, dict]:
    """results.json data of ./kit grade, grade-all's grading of one student, and Gradescope."""
    out: dict[str, dict] = {}
    results = tmp_path / "cli_results.json"
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(source), "--part", "replay_buffer",
                    "--results", str(results)], cwd=REPO, capture_output=True, text=True, timeout=600)
    out["grade"] = json.loads(results.read_text())
    out["grade-all"] = grade_student(Student("ana", "ana", source), tmp_path / "class", parts=["replay_buffer"])
    root = tmp_path / "gradescope"
    if source.is_dir():
        shutil.copytree(source, root / "submission")
    else:  # Gradescope unpacks an uploaded zip into the submission folder
        (root / "submission").mkdir(parents=True)
        with zipfile.ZipFile(source) as bundle:
            bundle.extractall(root / "submission")
    out["gradescope"] = run_gradescope(root, run_as=None, parts=["replay_buffer"])
    for data in out.values():
        validate_results(data)
    return out


def test_every_way_of_grading_reads_a_nested_submission_alike(tmp_path):
    source = tmp_path / "ana"
    shutil.copy(SOLUTIONS / "replay_buffer.py", lay_out(source, {"homework/assignments/.keep": ""}) / "homework"
                / "assignments" / "replay_buffer.py")
    scores = {way: data["score"] for way, data in grade_three_ways(source, tmp_path).items()}
    assert scores == {"grade": 19.0, "grade-all": 19.0, "gradescope": 19.0}


def test_every_way_of_grading_refuses_a_spread_submission_with_the_same_reason(tmp_path):
    code = (SOLUTIONS / "replay_buffer.py").read_text()
    archive = zipped({"replay_buffer.py": code, "old/replay_buffer.py": code}, tmp_path / "ana.zip")
    for way, data in grade_three_ways(archive, tmp_path).items():
        assert data["score"] == 0 and data["tests"] == [], way
        assert "spread over several folders (the top folder, old/)" in data["output"], way
