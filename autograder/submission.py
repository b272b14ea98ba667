"""Reading a submission: one set of rules for every way of grading.

``./kit grade`` (a folder or a zip), ``./kit grade-all`` (a folder or a zip per student) and
Gradescope (the folder it unpacks an upload into) all call :func:`collect`, which copies what
is graded into a fresh folder before any student code runs:

- **Graded modules** (``replay_buffer.py``, ...) are found by file name, at any depth, but
  all in one folder: modules of the same homework in two folders (a backup copy, say) are an
  error that names the folders, never a silent choice. Each must be a plain file no larger
  than ``MAX_MODULE_BYTES``; in a folder, a link, a hard link or a special file is an error
  too (a link could name a file the grader may read and the student may not).
- **Notebooks** (``*.ipynb``) are copied at their paths inside the submission, the first
  ``MAX_NOTEBOOKS`` in path order, each cut just past ``MAX_NOTEBOOK_BYTES`` (the grader then
  reports it as too large); links are left out. They hold the written answers, and in the
  notebook editing mode the modules too; nothing in them is run to read them.
- Nothing else is copied. Folders whose name starts with a dot (``.git``, ``.venv``,
  ``.ipynb_checkpoints``), ``__MACOSX`` and ``__pycache__`` are not looked into.
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

from autograder.parts import PARTS
from autograder.sandbox import MAX_MODULE_BYTES
from autograder.solution_cells import MAX_NOTEBOOK_BYTES, MAX_NOTEBOOKS

GRADED_FILES = tuple(part.filename for part in PARTS)
MAX_ENTRIES = 20_000
"""More files than this in a submission (outside the folders not looked into) is not homework."""
UNSEEN_FOLDERS = {"__MACOSX", "__pycache__"}
"""Besides folders whose name starts with a dot: never a student's work."""


class SubmissionError(Exception):
    """A submission that cannot be graded as it is; the message says why."""


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
    """Reads at most the given number of bytes; raises SubmissionError if it cannot."""


def collect(source: Path, target: Path) -> Collected:
    """Copy what is graded from ``source`` (a folder, or a ``.zip`` file) into the existing
    folder ``target``, by the rules above. Raises SubmissionError, with a message for the
    student, for a submission that cannot be graded as it is; notebooks are copied before
    the modules are judged, so their written answers can be read even then."""
    source, target = Path(source), Path(target)
    if source.is_dir():
        return _collect(_folder_entries(source), target)
    if not source.is_file():
        raise SubmissionError(f"{source.name} is neither a folder nor a zip file")
    try:
        with zipfile.ZipFile(source) as bundle:
            return _collect(_zip_entries(bundle, source.name), target)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise SubmissionError(f"{source.name} is not a readable zip file ({error})") from None


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
    for entry in sorted(notebooks, key=lambda entry: entry.path.parts)[:MAX_NOTEBOOKS]:
        destination = target.joinpath(*entry.path.parts)
        try:
            data = entry.read(MAX_NOTEBOOK_BYTES + 1)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        except (SubmissionError, OSError):
            continue  # a notebook that cannot be copied is reported as missing by who reads it
        collected.notebooks.append(entry.path.as_posix())
    folders = sorted({entry.path.parent.as_posix() for found in modules.values() for entry in found})
    if len(folders) > 1:
        shown = ", ".join("the top folder" if folder == "." else f"{folder}/" for folder in folders)
        raise SubmissionError(f"the graded files are spread over several folders ({shown}); keep one copy "
                              "of each, all in one folder")
    for name, found in sorted(modules.items()):
        if len(found) > 1:
            raise SubmissionError(f"{found[0].path} is in the submission more than once; keep one")
        entry = found[0]
        data = entry.read(MAX_MODULE_BYTES + 1)
        if len(data) > MAX_MODULE_BYTES:
            raise SubmissionError(f"{entry.path} is larger than {MAX_MODULE_BYTES // 1024**2} MB")
        (target / name).write_bytes(data)
        collected.modules.append(name)
    collected.folder = folders[0] if folders else None
    return collected


def _unseen(name: str) -> bool:
    return name.startswith(".") or name in UNSEEN_FOLDERS


def _folder_entries(root: Path) -> Iterator[_Entry]:
    for folder, subfolders, files in os.walk(root, followlinks=False):
        subfolders[:] = sorted(name for name in subfolders if not _unseen(name))
        relative = PurePosixPath(Path(folder).relative_to(root).as_posix())
        for name in sorted(files):
            yield _Entry(relative / name, _file_reader(Path(folder) / name, relative / name))


def _file_reader(path: Path, shown: PurePosixPath) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            raise SubmissionError(f"{shown} is a link or cannot be read; submit a plain file") from None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise SubmissionError(f"{shown} is not a regular file; submit a plain file")
            if info.st_nlink != 1:
                raise SubmissionError(f"{shown} is a hard link to another file; submit a plain copy")
            return handle.read(limit)
    return read


def _zip_entries(bundle: zipfile.ZipFile, archive: str) -> Iterator[_Entry]:
    for info in bundle.infolist():
        if info.is_dir():
            continue
        parts = [part for part in info.filename.replace("\\", "/").split("/") if part not in ("", ".", "..")]
        if not parts or any(_unseen(part) for part in parts[:-1]):
            continue
        yield _Entry(PurePosixPath(*parts), _member_reader(bundle, info, archive))


def _member_reader(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        try:
            with bundle.open(info) as stream:
                return stream.read(limit)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as error:
            # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
            raise SubmissionError(f"{archive}: {info.filename} cannot be read ({error})") from None
    return read
