"""Reading a submission: one set of rules for every way of grading.

``./kit grade`` (a folder or a zip), ``./kit grade-all`` (a folder or a zip per student) and
Gradescope (the folder it unpacks an upload into) all call :func:`collect`, which copies what
is graded into a fresh folder before any student code runs:

- **Graded modules** (``replay_buffer.py``, ...) are found by file name, at any depth up to
  ``MAX_DEPTH`` folders, but all in one folder: modules of the same homework in two folders
  (a backup copy, say) are an error that names the folders, never a silent choice. Each
  must be a plain file no larger than ``MAX_MODULE_BYTES``; a link (in a folder or in a
  zip), a hard link or a special file is an error too (a link could name a file the grader
  may read and the student may not).
- **Notebooks** (``*.ipynb``) are copied at their paths inside the submission: first those
  named like the kit's notebooks, nearest the top first, then the others in path order, at
  most ``MAX_NOTEBOOKS`` and ``MAX_NOTEBOOK_TOTAL`` bytes in all, each cut just past
  ``MAX_NOTEBOOK_BYTES`` (the grader then reports it as too large). A notebook that cannot
  be read (a link, a hard link, a special or unreadable file) is copied as an empty file, so
  whoever reads it says it cannot be read rather than that it is missing. Nothing in a
  notebook is run to read it.
- Nothing else is copied. Folders whose name starts with a dot (``.git``, ``.venv``,
  ``.ipynb_checkpoints``), ``__MACOSX`` and ``__pycache__`` are not looked into, nor
  anything deeper than ``MAX_DEPTH`` folders, nor a folder named like a graded module.
- A backslash in a name separates folders, as in a zip made on Windows.
- A folder is read through file descriptors, one folder at a time and never through a
  link, so a submission that changes while it is read cannot make the grader copy a file
  from outside it. The submission itself must not be a link.
- A zip is read member by member, by name: nothing is extracted by its own path, so a name
  like ``../x`` cannot write outside the target; a member's declared size is not trusted.
  A submission with more than ``MAX_ENTRIES`` files to look at is refused.
"""
from __future__ import annotations

import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from autograder import answers, sanitize
from autograder.parts import PARTS
from autograder.sandbox import MAX_MODULE_BYTES
from autograder.solution_cells import MAX_NOTEBOOK_BYTES, MAX_NOTEBOOKS

GRADED_FILES = tuple(part.filename for part in PARTS)
MAX_ENTRIES = 20_000
"""More files than this in a submission (outside the folders not looked into) is not homework."""
MAX_DEPTH = 32
"""Folders deeper than this inside a submission are not looked into."""
MAX_NOTEBOOK_TOTAL = 200 * 1024**2
"""Bytes of notebooks copied from one submission, all together."""
UNSEEN_FOLDERS = {"__MACOSX", "__pycache__"}
"""Besides folders whose name starts with a dot: never a student's work."""
KIT_NOTEBOOKS = frozenset(path.name for path in answers.KIT_NOTEBOOKS.glob("*.ipynb"))
"""The file names of the kit's notebooks, which hold the written questions."""
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
               ValueError, IndexError, KeyError, zlib.error, OverflowError)
"""What reading a damaged or hostile zip can raise (RuntimeError: an encrypted member,
NotImplementedError: an unknown compression or version, ValueError: a name that is not
the text it claims)."""


class SubmissionError(Exception):
    """A submission that cannot be graded as it is; the message says why."""


class _Unreadable(Exception):
    """One file that cannot be read; the message says why."""


@dataclass
class Collected:
    modules: list[str] = field(default_factory=list)
    """The graded modules found, by file name."""
    notebooks: list[str] = field(default_factory=list)
    """The notebooks copied, at their paths inside the submission."""
    folder: str | None = None
    """The folder inside the submission that held the modules ("." for its root)."""


@dataclass(frozen=True)
class _Entry:
    path: PurePosixPath
    """Relative to the submission's root, without ``..`` or empty parts."""
    read: Callable[[int], bytes]
    """Reads at most the given number of bytes; raises _Unreadable if it cannot."""


def shown(path: str | PurePosixPath) -> str:
    """A path of the submission as a message may quote it: on one line, escapes shown."""
    return sanitize.text(str(path), 300, one_line=True)


def collect(source: Path, target: Path) -> Collected:
    """Copy what is graded from ``source`` (a folder, or a zip file) into the existing empty
    folder ``target``, by the rules above. Raises SubmissionError, with a message for the
    student, for a submission that cannot be graded as it is; notebooks are copied before
    the modules are judged, so their written answers can be read even then."""
    source, target = Path(source), Path(target)
    name = shown(source.name)
    if source.is_symlink():
        raise SubmissionError(f"{name} is a link; submit the folder or zip file itself")
    if source.is_dir():
        try:
            root = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as error:
            raise SubmissionError(f"{name} cannot be read ({error.strerror})") from None
        try:
            return _collect(_folder_entries(root), target)
        finally:
            os.close(root)
    if not source.is_file():
        raise SubmissionError(f"{name} is neither a folder nor a zip file")
    try:
        bundle = zipfile.ZipFile(source)
        members = bundle.infolist()
    except _ZIP_ERRORS as error:
        raise SubmissionError(f"{name} is not a readable zip file ({_why(error)})") from None
    with bundle:
        return _collect(_zip_entries(bundle, members), target)


def _why(error: BaseException) -> str:
    """An error's reason without the paths it may name (the grader's scratch folders)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return shown(f"{type(error).__name__}: {error}")[:200]


def _collect(entries: Iterator[_Entry], target: Path) -> Collected:
    modules: dict[str, list[_Entry]] = {}
    notebooks: list[_Entry] = []
    for count, entry in enumerate(entries, start=1):
        if count > MAX_ENTRIES:
            raise SubmissionError(f"the submission holds more than {MAX_ENTRIES} files; submit the "
                                  "homework's files only")
        if entry.path.name in GRADED_FILES:
            modules.setdefault(entry.path.name, []).append(entry)
        elif entry.path.suffix == ".ipynb":
            notebooks.append(entry)
    collected = Collected()
    _copy_notebooks(notebooks, target, collected)
    folders = sorted({entry.path.parent.as_posix() for found in modules.values() for entry in found})
    if len(folders) > 1:
        named = ", ".join("the top folder" if folder == "." else f"{shown(folder)}/" for folder in folders)
        raise SubmissionError(f"the graded files are spread over several folders ({named}); keep one copy "
                              "of each, all in one folder")
    for name, found in sorted(modules.items()):
        if len(found) > 1:
            raise SubmissionError(f"{shown(found[0].path)} is in the submission more than once; keep one")
        try:
            data = found[0].read(MAX_MODULE_BYTES + 1)
        except _Unreadable as problem:
            raise SubmissionError(str(problem)) from None
        if len(data) > MAX_MODULE_BYTES:
            raise SubmissionError(f"{shown(found[0].path)} is larger than {MAX_MODULE_BYTES // 1024**2} MB")
        (target / name).write_bytes(data)
        collected.modules.append(name)
    collected.folder = folders[0] if folders else None
    return collected


def _copy_notebooks(notebooks: list[_Entry], target: Path, collected: Collected) -> None:
    """The kit's notebooks first (nearest the top first), then the others, within the limits."""
    ordered = sorted(notebooks, key=lambda entry: (entry.path.name not in KIT_NOTEBOOKS, len(entry.path.parts),
                                                   entry.path.parts))
    total = 0
    for entry in ordered[:MAX_NOTEBOOKS]:
        destination = target.joinpath(*entry.path.parts)
        if destination.exists() or total >= MAX_NOTEBOOK_TOTAL:
            continue  # a second member of the same name keeps the first
        try:
            data = entry.read(min(MAX_NOTEBOOK_BYTES + 1, MAX_NOTEBOOK_TOTAL - total))
        except _Unreadable:
            data = b""  # copied empty: read as a notebook that cannot be opened, not as a missing one
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        except OSError:
            continue  # a path this file system cannot hold
        total += len(data)
        collected.notebooks.append(entry.path.as_posix())


def _unseen(name: str) -> bool:
    return name.startswith(".") or name in UNSEEN_FOLDERS or name in GRADED_FILES


def _relative(parts: list[str]) -> PurePosixPath | None:
    """The path of a member or file named by ``parts``, with backslashes as separators;
    None for one in a folder that is not looked into, or too deep."""
    split = [piece for part in parts for piece in part.split("\\") if piece not in ("", ".", "..")]
    if not split or len(split) > MAX_DEPTH + 1 or any(_unseen(folder) for folder in split[:-1]):
        return None
    return PurePosixPath(*split)


def _folder_entries(root: int) -> Iterator[_Entry]:
    """Every file under the folder open as ``root``, walked without recursion and without
    following links; each is read later through the descriptors of its folders."""
    pending: list[tuple[str, ...]] = [()]
    while pending:
        folder = pending.pop()
        if len(folder) > MAX_DEPTH:
            continue
        try:
            fd = _open_folder(root, folder)
        except OSError:
            continue  # swapped for a link or removed while being read: not looked into
        try:
            with os.scandir(fd) as listing:
                children = sorted((child.name, child.is_dir(follow_symlinks=False)) for child in listing)
        finally:
            os.close(fd)
        for name, is_folder in children:
            if is_folder:
                if not _unseen(name):
                    pending.append((*folder, name))
                continue
            relative = _relative([*folder, name])
            if relative is not None:
                yield _Entry(relative, _file_reader(root, folder, name, relative))


def _open_folder(root: int, folder: tuple[str, ...]) -> int:
    """A descriptor of ``folder`` under ``root``, opened one level at a time without
    following a link at any level (a folder swapped for a link raises OSError)."""
    fd = os.dup(root)
    for name in folder:
        try:
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
        finally:
            os.close(fd)
        fd = inner
    return fd


def _file_reader(root: int, folder: tuple[str, ...], name: str, relative: PurePosixPath) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        try:
            parent = _open_folder(root, folder)
        except OSError:
            raise _Unreadable(f"{shown(relative)} is in a folder that changed or cannot be read") from None
        try:
            info = os.lstat(name, dir_fd=parent)
            if stat.S_ISLNK(info.st_mode):
                raise _Unreadable(f"{shown(relative)} is a link; submit a plain file")
            if not stat.S_ISREG(info.st_mode):
                raise _Unreadable(f"{shown(relative)} is not a regular file; submit a plain file")
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=parent)
        except OSError as error:
            raise _Unreadable(f"{shown(relative)} cannot be read ({error.strerror})") from None
        finally:
            os.close(parent)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _Unreadable(f"{shown(relative)} is not a regular file; submit a plain file")
            if info.st_nlink != 1:
                raise _Unreadable(f"{shown(relative)} is a hard link to another file; submit a plain copy")
            return handle.read(limit)
    return read


def _zip_entries(bundle: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> Iterator[_Entry]:
    for info in members:
        name = info.filename
        if not name or name.endswith("/"):
            continue
        relative = _relative(name.split("/"))
        if relative is not None:
            yield _Entry(relative, _member_reader(bundle, info, relative))


def _member_reader(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, relative: PurePosixPath) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        if stat.S_ISLNK(info.external_attr >> 16):  # a link, as `zip --symlinks` stores one
            raise _Unreadable(f"{shown(relative)} is a link; submit a plain file")
        try:
            with bundle.open(info) as stream:
                return stream.read(limit)
        except _ZIP_ERRORS as error:
            raise _Unreadable(f"{shown(relative)} cannot be read from the zip ({_why(error)})") from None
    return read
