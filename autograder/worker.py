"""The worker: the only process in which student code runs.

The grader starts it with ``python -I`` (no PYTHONPATH, no user site, no current directory
on ``sys.path``, so a student ``sitecustomize.py`` or ``conftest.py`` is never loaded), in a
scratch directory that holds only copies of the graded modules, with resource limits set
before Python starts. It reads requests from one pipe and writes answers to another. Each
request names a probe: a function in ``autograder.probes`` that exercises the student's code
and turns what comes back into plain data. The grader, in its own process, decides what is
right; nothing in here does.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback
from typing import Any

from autograder import wire

# Where the student modules were copied; set in main() and used to pick traceback frames.
_SCRATCH = ""


class ProbeInputError(Exception):
    """The student's code returned something of the wrong kind (raised by probes)."""


def _student_frames(tb) -> list[str]:
    lines = []
    for frame in traceback.extract_tb(tb):
        if _SCRATCH and os.path.isabs(frame.filename) and os.path.dirname(frame.filename) == _SCRATCH:
            where = f"{os.path.basename(frame.filename)}, line {frame.lineno}, in {frame.name}"
            source = (frame.line or "").strip()
            lines.append(f"{where}: {source}" if source else where)
    return lines[-3:]


def describe_exception(error: BaseException) -> dict[str, Any]:
    kind = "not_implemented" if isinstance(error, NotImplementedError) else "exception"
    if isinstance(error, ProbeInputError):
        kind = "bad_output"
    message = str(error)
    where = _student_frames(error.__traceback__)
    if isinstance(error, SyntaxError) and error.filename:
        message = f"{error.msg} ({os.path.basename(error.filename)}, line {error.lineno})"
        where = [(error.text or "").strip()] if error.text else []
    return {
        "kind": kind,
        "type": type(error).__name__,
        "message": message[:2000],
        "where": where,
    }


def _dispatch(request: dict) -> Any:
    action = request.get("action")
    if action == "ping":
        return "pong"
    if action == "import":
        importlib.import_module(request["module"])
        return None
    if action == "probe":
        module_name, _, function_name = request["probe"].partition(".")
        probes = importlib.import_module(f"autograder.probes.{module_name}")
        function = probes.PROBES[function_name]
        return function(**request.get("args", {}))
    raise ValueError(f"unknown action {action!r}")


def _read_exact(fd: int, count: int) -> bytes:
    chunks = []
    while count:
        chunk = os.read(fd, count)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def serve(request_fd: int, answer_fd: int) -> None:
    while True:
        try:
            header = _read_exact(request_fd, wire.HEADER_SIZE)
        except EOFError:
            return
        request = wire.decode_body(_read_exact(request_fd, wire.frame_length(header)))
        try:
            answer = {"id": request.get("id"), "ok": True, "value": _dispatch(request)}
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            if isinstance(error, KeyboardInterrupt):
                raise
            answer = {"id": request.get("id"), "ok": False, "error": describe_exception(error)}
        try:
            frame = wire.encode(answer)
        except (TypeError, ValueError, wire.WireError) as error:
            frame = wire.encode(
                {"id": request.get("id"), "ok": False, "error": describe_exception(error)}
            )
        _write_all(answer_fd, frame)


NOT_PRELOADED = ("dqkit.plotting",)
"""Kit modules that no probe and no graded module imports: ``dqkit.plotting`` draws the
notebooks' figures and brings in matplotlib (about a second). Imported on demand if asked for."""


def _preload(package_root: str) -> None:
    """Import everything the probes and student modules may need from the kit, then drop
    the kit's root from ``sys.path``: student code can import ``dqkit`` but not whatever
    else lies beside it (``solutions/``, for one)."""
    import numpy  # noqa: F401
    import torch

    import autograder.probes
    import dqkit

    torch.set_num_threads(1)
    for package in (dqkit, autograder.probes):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if info.name not in NOT_PRELOADED:
                importlib.import_module(info.name)
    sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or ".") != os.path.realpath(package_root)]


def main(argv: list[str]) -> None:
    global _SCRATCH
    package_root, request_fd, answer_fd, scratch = argv[0], int(argv[1]), int(argv[2]), argv[3]
    _SCRATCH = os.path.realpath(scratch)
    # Heavy libraries are imported before student code, so a time limit on the first test
    # does not pay for them and a student module cannot shadow them.
    _preload(package_root)
    sys.path.insert(0, _SCRATCH)
    serve(request_fd, answer_fd)


if __name__ == "__main__":
    main(sys.argv[1:])
