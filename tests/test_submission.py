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


# -- what a hostile or damaged submission cannot do to the reading --------------------------

def test_a_folder_named_like_a_module_is_not_looked_into(tmp_path):
    files = {"replay_buffer.py/01_replay_buffer.ipynb": "{}", "sub/replay_buffer.py": "x = 1\n"}
    for k, source in enumerate(both_forms(tmp_path, files)):
        found, copied = collected(source, tmp_path / f"copy{k}")
        assert found.modules == ["replay_buffer.py"] and copied == {"replay_buffer.py": b"x = 1\n"}


def test_folders_nested_past_the_depth_limit_are_not_looked_into(tmp_path):
    deep = "/".join(["d"] * 400)
    (tmp_path / "folder" / deep).mkdir(parents=True)
    (tmp_path / "folder" / deep / "replay_buffer.py").write_text("deep\n")
    (tmp_path / "folder" / "replay_buffer.py").write_text("x = 1\n")
    archive = zipped({f"{deep}/01.ipynb": "{}", f"{deep}/replay_buffer.py": "deep\n",
                      "replay_buffer.py": "x = 1\n"}, tmp_path / "deep.zip")
    for k, source in enumerate([tmp_path / "folder", archive]):
        found, copied = collected(source, tmp_path / f"copy{k}")
        assert copied == {"replay_buffer.py": b"x = 1\n"}


def patched_zip(tmp_path: Path, name: str, patch) -> Path:
    archive = zipped({"ZZZZ.py": "x = 1\n", "replay_buffer.py": "y = 2\n"}, tmp_path / name)
    archive.write_bytes(patch(archive.read_bytes()))
    return archive


def test_damaged_zips_are_refused_or_read_without_a_crash(tmp_path):
    def version(data: bytes) -> bytes:  # "version needed to extract" 25.5 in the central directory
        at = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 1)  # the second member's entry
        return data[:at + 6] + bytes([255, 0]) + data[at + 8:]

    def utf8_flag(data: bytes) -> bytes:  # a name flagged as UTF-8 that is not
        at = data.index(b"PK\x01\x02")
        flags = int.from_bytes(data[at + 8:at + 10], "little") | 0x800
        return (data[:at + 8] + flags.to_bytes(2, "little") + data[at + 10:]).replace(b"ZZZZ", b"\xff\xfeZZ")

    # A member whose name starts with NUL reads as an empty name: left out, the rest is read.
    found, copied = collected(patched_zip(tmp_path, "nul.zip", lambda data: data.replace(b"ZZZZ", b"\0ZZZ")),
                              tmp_path / "nul")
    assert copied == {"replay_buffer.py": b"y = 2\n"}
    (tmp_path / "target").mkdir()
    with pytest.raises(SubmissionError, match=r"version.zip is not a readable zip file \(NotImplementedError"):
        collect(patched_zip(tmp_path, "version.zip", version), tmp_path / "target")
    with pytest.raises(SubmissionError, match="utf8.zip is not a readable zip file"):
        collect(patched_zip(tmp_path, "utf8.zip", utf8_flag), tmp_path / "target")


def test_a_link_member_of_a_zip_is_refused_as_a_link(tmp_path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        link = zipfile.ZipInfo("replay_buffer.py")
        link.external_attr = 0o120777 << 16  # a symbolic link, as `zip --symlinks` stores it
        bundle.writestr(link, str(SOLUTIONS / "replay_buffer.py"))
    with pytest.raises(SubmissionError, match="replay_buffer.py is a link"):
        collect(archive, tmp_path)


def test_a_folder_swapped_for_a_link_while_it_is_read_is_not_followed(tmp_path):
    private = lay_out(tmp_path / "private", {"replay_buffer.py": "the grader's\n"})
    root = lay_out(tmp_path / "submission", {"hw/replay_buffer.py": "mine\n"})
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        [entry] = [entry for entry in rules._folder_entries(fd) if entry.path.name == "replay_buffer.py"]
        shutil.rmtree(root / "hw")  # after the listing, before the copy
        (root / "hw").symlink_to(private, target_is_directory=True)
        with pytest.raises(rules._Unreadable, match="hw/replay_buffer.py is in a folder that changed"):
            entry.read(100)
    finally:
        os.close(fd)
    (tmp_path / "linked").symlink_to(root, target_is_directory=True)
    with pytest.raises(SubmissionError, match="linked is a link"):
        collect(tmp_path / "linked", tmp_path)


def test_an_unreadable_notebook_is_copied_empty_and_the_kits_notebooks_come_first(tmp_path, monkeypatch):
    monkeypatch.setattr(rules, "MAX_NOTEBOOKS", 3)
    kit_name = sorted(rules.KIT_NOTEBOOKS)[0]
    folder = lay_out(tmp_path / "folder", {f"a{k}.ipynb": "{}" for k in range(5)})
    lay_out(folder, {f"deep/{kit_name}": "mine"})
    private = tmp_path / "grader_only.json"  # a file the grader may read, never one of the kit's
    private.write_text('{"secret": 1}')
    os.link(private, folder / "linked.ipynb")
    found, copied = collected(folder, tmp_path / "copy")
    assert found.notebooks == [f"deep/{kit_name}", "a0.ipynb", "a1.ipynb"] and copied[f"deep/{kit_name}"] == b"mine"
    monkeypatch.setattr(rules, "MAX_NOTEBOOKS", 10)
    found, copied = collected(folder, tmp_path / "copy3")
    assert copied["linked.ipynb"] == b""  # not the linked file's text


def test_names_are_quoted_on_one_line(tmp_path):
    files = {"a\nTotal 19 / 19\n/replay_buffer.py": "", "b/replay_buffer.py": ""}
    (tmp_path / "target").mkdir()
    with pytest.raises(SubmissionError) as refused:
        collect(lay_out(tmp_path / "folder", files), tmp_path / "target")
    assert "\n" not in str(refused.value) and "a\\x0aTotal 19 / 19\\x0a/" in str(refused.value)


def test_grade_all_grades_or_explains_every_entry_links_and_odd_files_included(tmp_path):
    from autograder.batch import find_students

    submissions = tmp_path / "class"
    lay_out(submissions / "alice", {"replay_buffer.py": "x = 1\n"})
    zipped({"replay_buffer.py": "x = 1\n"}, submissions / "bob.ZIP")
    (submissions / "notes.pdf").write_bytes(b"%PDF")
    private = zipped({"replay_buffer.py": (SOLUTIONS / "replay_buffer.py").read_text()}, tmp_path / "reference.zip")
    (submissions / "mallory.zip").symlink_to(private)
    (submissions / "trudy").symlink_to(submissions / "alice", target_is_directory=True)
    (submissions / ".DS_Store").write_bytes(b"")
    students = {student.id: student for student in find_students(submissions)}
    assert sorted(students) == ["alice", "bob", "mallory", "notes.pdf", "trudy"]
    for name, reason in [("mallory", "mallory.zip is a link"), ("trudy", "trudy is a link"),
                         ("notes.pdf", "notes.pdf is not a readable zip file")]:
        data = grade_student(students[name], tmp_path / "out", parts=["replay_buffer"])
        assert data["score"] == 0 and data["tests"] == [] and reason in data["output"], (name, data["output"])
        assert data["output"].startswith("Your submission could not be graded: ")
    (tmp_path / "bob").mkdir()
    assert collect(students["bob"].source, tmp_path / "bob").modules == ["replay_buffer.py"]
