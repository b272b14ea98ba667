"""The worker: the only process in which student code runs.

The grader starts it with ``python -I`` (no PYTHONPATH, no user site, no current directory
on ``sys.path``, so a student ``sitecustomize.py`` or ``conftest.py`` is never loaded), in a
scratch directory that holds only copies of the graded modules, with resource limits set
before Python starts. It reads requests from one pipe and writes answers to another. Each
request names a probe: a function in ``autograder/parts/<part>/probes.py`` that exercises the student's code
and turns what comes back into plain data. The grader, in its own process, decides what is
right; nothing in here does.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import os
import pkgutil
import sys
import traceback
import types
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
        probes = importlib.import_module(f"autograder.parts.{module_name}.probes")
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
    from autograder.parts import PARTS

    torch.set_num_threads(1)
    _defer_dynamo()
    for package in (dqkit, autograder.probes):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if info.name not in NOT_PRELOADED:
                importlib.import_module(info.name)
    for part in PARTS:
        importlib.import_module(f"{part.module}.probes")
    sys.path[:] = [entry for entry in sys.path if os.path.realpath(entry or ".") != os.path.realpath(package_root)]


# -- torch._dynamo, imported only when something needs it -------------------------------
DYNAMO = "torch._dynamo"


class _DeferredDynamo(types.ModuleType):
    """Stands in for ``torch._dynamo``, torch's compiler front end, until something needs it.

    torch imports ``torch._dynamo`` (about 2 s, longer than a self-check's tests) the first
    time an optimizer is built or stepped, only to call ``graph_break()`` and to wrap a few
    optimizer methods with ``disable(fn, recursive, wrapping=False)``. Outside a running
    ``torch.compile`` both do nothing: the first is empty, the second runs ``fn`` with no
    frame hook set, and only ``torch._dynamo`` can set one. This stand-in does those two
    things without it; anything else asked of it (``torch.compile`` in student code, an
    attribute, a submodule) imports the real module first and is answered by it, and from
    then on the stand-in's two functions hand over to the real ones too. So every result is
    the same as with the real module from the start."""

    def __init__(self) -> None:
        super().__init__(DYNAMO, "Stands in for torch._dynamo until it is needed (autograder.worker).")
        self.__path__: list[str] = []
        """Its own list, so that :class:`_DynamoFinder` knows a submodule import through it."""
        self.real: types.ModuleType | None = None

    def load(self) -> types.ModuleType:
        """The real ``torch._dynamo``, imported now if it is not yet."""
        if self.real is None:
            if sys.modules.get(DYNAMO) is self:
                del sys.modules[DYNAMO]
            self.real = importlib.import_module(DYNAMO)
        return self.real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.load(), name)

    def graph_break(self, *args: Any, **kwargs: Any) -> None:
        if self.real is not None:
            self.real.graph_break(*args, **kwargs)

    def disable(self, fn: Any = None, recursive: bool = True, **options: Any) -> Any:
        if fn is None or options != {"wrapping": False}:
            return self.load().disable(fn, recursive, **options)
        return _DeferredDisable(self, fn, recursive)


class _DeferredDisable:
    """``torch._dynamo.disable(fn, recursive, wrapping=False)``: ``fn`` itself until the
    real ``torch._dynamo`` is imported, then the real wrapper around it."""

    def __init__(self, dynamo: _DeferredDynamo, fn: Any, recursive: bool) -> None:
        self.dynamo, self.fn, self.recursive = dynamo, fn, recursive
        self.disabled: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.dynamo.real is None:
            return self.fn(*args, **kwargs)
        if self.disabled is None:
            self.disabled = self.dynamo.real.disable(self.fn, self.recursive, wrapping=False)
        return self.disabled(*args, **kwargs)


class _AlreadyImported:
    """Loader that hands over a module the import system is asking for but already has."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # the import system set it to the spec found here


class _DynamoFinder:
    """Finds the submodules of ``torch._dynamo`` imported through the stand-in: imports the
    real package first, in its own order, then answers from it."""

    def __init__(self, dynamo: _DeferredDynamo) -> None:
        self.dynamo = dynamo

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if path is not self.dynamo.__path__:
            return None
        real = self.dynamo.load()
        if name in sys.modules:  # the real package imported it itself
            return importlib.machinery.ModuleSpec(name, _AlreadyImported(sys.modules[name]))
        return importlib.machinery.PathFinder.find_spec(name, real.__path__)


def _defer_dynamo() -> None:
    if DYNAMO in sys.modules:
        return
    dynamo = _DeferredDynamo()
    sys.meta_path.insert(0, _DynamoFinder(dynamo))
    sys.modules[DYNAMO] = dynamo


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
