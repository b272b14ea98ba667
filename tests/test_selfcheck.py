"""Which modules a notebook or ``check(part)`` checks: ``modules_dir`` finds them from the
working folder (or ``$DQKIT_MODULES``), never from where the kit was installed, so a second
copy of the homework that uses the first copy's environment checks its own modules."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder import grading, selfcheck
from autograder.selfcheck import MODULES_VARIABLE, ModulesNotFound, check, modules_dir, use_modules

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def no_modules_variable(monkeypatch):
    """The kit's notebook tests set DQKIT_MODULES; here each test sets it only if it says so."""
    monkeypatch.delenv(MODULES_VARIABLE, raising=False)


def make(root: Path, *files: str) -> None:
    """Folders and files under ``root``: a name ending in ``/`` is a folder, others are files."""
    for name in files:
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")


# (files under tmp_path, working folder, the folder modules_dir must pick), all relative to tmp_path.
SEARCH_ORDER = [
    pytest.param(["home/assignments/", "assignments/"], "home", "home/assignments", id="assignments-in-cwd-first"),
    pytest.param(["home/notebooks/", "home/assignments/"], "home/notebooks", "home/assignments",
                 id="then-assignments-beside-cwd"),
    pytest.param(["home/notebooks/replay_buffer.py", "home/assignments/"], "home/notebooks", "home/assignments",
                 id="assignments-beside-cwd-before-modules-in-cwd"),
    pytest.param(["mine/dqn.py"], "mine", "mine", id="then-cwd-holding-a-graded-module"),
]


@pytest.mark.parametrize("files, cwd, expected", SEARCH_ORDER)
def test_search_order(tmp_path, monkeypatch, files, cwd, expected):
    make(tmp_path, *files)
    monkeypatch.chdir(tmp_path / cwd)
    assert modules_dir() == (tmp_path / expected).resolve()


@pytest.mark.parametrize("cwd", ["", "notebooks"], ids=["homework-folder", "notebooks-folder"])
def test_a_second_copy_of_the_homework_checks_its_own_modules(tmp_path, monkeypatch, cwd):
    """A hand-out laid out as students get it, away from the kit's checkout: its own
    assignments/ is found, from its folder and from its notebooks/ folder alike."""
    make(tmp_path, "assignments/replay_buffer.py", "notebooks/")
    monkeypatch.chdir(tmp_path / cwd)
    found = modules_dir()
    assert found == (tmp_path / "assignments").resolve()
    assert found != (REPO / "assignments").resolve()


def test_the_modules_variable_wins(tmp_path, monkeypatch):
    make(tmp_path, "assignments/replay_buffer.py", "elsewhere/")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(MODULES_VARIABLE, str(tmp_path / "elsewhere"))
    assert modules_dir() == (tmp_path / "elsewhere").resolve()


def test_a_relative_modules_variable_is_read_from_the_working_folder(tmp_path, monkeypatch):
    make(tmp_path, "mine/")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(MODULES_VARIABLE, "mine")
    assert modules_dir() == (tmp_path / "mine").resolve()


@pytest.mark.parametrize("target, what", [("missing", "does not exist"), ("a_file.py", "is not a folder")],
                         ids=["missing", "a-file"])
def test_a_modules_variable_that_is_not_a_folder_is_an_error(tmp_path, monkeypatch, target, what):
    make(tmp_path, "assignments/", "a_file.py")  # a folder the search would find: the variable still wins
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(MODULES_VARIABLE, str(tmp_path / target))
    with pytest.raises(ModulesNotFound, match=f"DQKIT_MODULES is set to .*{target}.* {what}.*unset it"):
        modules_dir()


def test_no_modules_found_is_an_error_that_says_where_it_looked(tmp_path, monkeypatch):
    make(tmp_path, "somewhere/else/notes.txt")
    monkeypatch.chdir(tmp_path / "somewhere" / "else")
    with pytest.raises(ModulesNotFound) as raised:
        modules_dir()
    message = str(raised.value)
    here = (tmp_path / "somewhere" / "else").resolve()
    for looked in (here / "assignments", here.parent / "assignments", "replay_buffer.py"):
        assert str(looked) in message
    assert "homework folder" in message and "set DQKIT_MODULES" in message


def test_use_modules_says_in_one_line_which_folder_it_checks(tmp_path, monkeypatch, capsys):
    make(tmp_path, "assignments/replay_buffer.py", "notebooks/")
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.setattr(sys, "path", list(sys.path))
    folder = use_modules()
    assert folder == (tmp_path / "assignments").resolve()
    assert capsys.readouterr().out == f"Checking your modules in {folder}\n"
    assert sys.path[0] == str(folder)
    use_modules()  # the set-up cell run again: the folder is not added twice
    assert sys.path.count(str(folder)) == 1


class Graded(Exception):
    """Stops ``check`` at the grading it starts, with the folder it was given."""


def test_check_without_a_folder_checks_the_modules_found_from_the_working_folder(tmp_path, monkeypatch):
    make(tmp_path, "assignments/replay_buffer.py", "notebooks/")
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.setattr(selfcheck, "_import_grader_modules", lambda part: None)

    def grade(directory, parts, visibilities):
        raise Graded(directory)

    monkeypatch.setattr(grading, "grade", grade)
    with pytest.raises(Graded) as graded:
        check("replay_buffer")
    assert Path(graded.value.args[0]) == (tmp_path / "assignments").resolve()
