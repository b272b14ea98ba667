"""The grader's side of the worker: start it, limit it, time it, restart it.

A :class:`Worker` owns one worker process at a time. ``call`` sends a probe request and
waits for the answer with a wall-clock deadline enforced from here (a student cannot
catch or reset it). If the process exits, is killed, or misses the deadline, its whole
process group is killed and the call raises :class:`StudentCrash`; the next call starts a
fresh process. A student exception arrives as data and is raised as :class:`StudentError`.
"""
from __future__ import annotations

import os
import pwd
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import wire

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Limits:
    """Resource limits for the worker process."""

    memory_bytes: int = 3 * 1024**3
    """Address-space limit (RLIMIT_AS). torch alone maps about 0.7 GB."""
    file_bytes: int = 64 * 1024**2
    """Largest file the worker may write (RLIMIT_FSIZE), printed output included."""
    cpu_seconds: int = 900
    """CPU-time backstop for one worker process (RLIMIT_CPU)."""
    startup_seconds: float = 60.0
    """Wall-clock limit for starting Python and importing torch."""
    import_seconds: float = 20.0
    """Wall-clock limit for importing one student module."""
    hang_budget_seconds: float = 30.0
    """Once calls into one module have timed out for this long in all, further calls into
    it fail at once, so a hanging method cannot stretch grading to (tests x timeout)."""


def account(name: str) -> tuple[int, int]:
    """(uid, gid) of the operating-system account ``name``; a clear error if it is missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise ValueError(f"there is no user account {name!r} to run student code as") from None
    return entry.pw_uid, entry.pw_gid


class StudentError(Exception):
    """Student code raised an exception; ``info`` is the worker's description of it."""

    def __init__(self, info: dict[str, Any]):
        super().__init__(info.get("message", ""))
        self.info = info

    @property
    def kind(self) -> str:
        return self.info.get("kind", "exception")


class StudentCrash(Exception):
    """The worker process died or hung while running student code."""

    def __init__(self, reason: str, output_tail: str = "", timed_out: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.output_tail = output_tail
        self.timed_out = timed_out


def _limit_resources(limits: Limits) -> None:
    # Runs in the child between fork and exec: the limits bind Python and everything it loads.
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _worker_environment(scratch: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }
    # Some processors need these for OpenBLAS to compute correctly; keep them as they are.
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        signum = -returncode
        name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else str(signum)
        if signum == signal.SIGXCPU:
            return "the process used up its CPU-time limit"
        if signum == signal.SIGXFSZ:
            return "the process wrote more output or file data than allowed"
        if signum == signal.SIGKILL:
            return "the process was killed (often: it ran out of memory)"
        return f"the process was killed by signal {name}"
    return f"the process exited with code {returncode} (a call to sys.exit, exit or os._exit?)"


class Worker:
    """One student-code process at a time for a submission's allowlisted modules."""

    def __init__(self, submission: Path, modules: list[str], limits: Limits = Limits(),
                 run_as: str | None = None):
        """``run_as``: an account to run student code as (the grader must be root then).
        Its process then cannot read what only the grader's account can, such as hidden
        tests kept with mode 700, nor signal the grader."""
        self.submission = Path(submission)
        self.modules = list(modules)
        self.limits = limits
        self.account = account(run_as) if run_as else None
        self._process: subprocess.Popen | None = None
        self._scratch: Path | None = None
        self._request_fd = -1
        self._answer_fd = -1
        self._imported: set[str] = set()
        self._sticky: dict[str, Exception] = {}
        self._hung_seconds: dict[str, float] = {}
        self._next_id = 0
        self.starts = 0

    # -- life cycle -------------------------------------------------------------------
    def _start(self) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="dq-worker-"))
        for module in self.modules:
            source = self.submission / f"{module}.py"
            if source.is_file() and not source.is_symlink():
                shutil.copyfile(source, self._scratch / f"{module}.py")
        request_r, request_w = os.pipe()
        answer_r, answer_w = os.pipe()
        bootstrap = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from autograder.worker import main; main(sys.argv[1:])"
        )
        output = open(self._scratch / ".output", "wb")
        limits = self.limits
        identity = {}
        if self.account is not None:
            uid, gid = self.account
            for path in (self._scratch, *self._scratch.iterdir()):
                os.chown(path, uid, gid)
            identity = {"user": uid, "group": gid, "extra_groups": []}
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-I", "-c", bootstrap, str(PACKAGE_ROOT),
                 str(request_r), str(answer_w), str(self._scratch)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self._scratch,
                env=_worker_environment(self._scratch),
                pass_fds=(request_r, answer_w),
                start_new_session=True,
                preexec_fn=lambda: _limit_resources(limits),
                **identity,
            )
        finally:
            output.close()
            os.close(request_r)
            os.close(answer_w)
        self._request_fd, self._answer_fd = request_w, answer_r
        self._imported = set()
        self.starts += 1
        self._roundtrip({"action": "ping"}, self.limits.startup_seconds)

    def close(self) -> None:
        """Kill the worker's whole process group and remove its scratch directory."""
        process, self._process = self._process, None
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
        for fd in (self._request_fd, self._answer_fd):
            if fd >= 0:
                os.close(fd)
        self._request_fd = self._answer_fd = -1
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- calls --------------------------------------------------------------------------
    def output_tail(self, limit: int = 1500) -> str:
        """The last characters the worker printed (student prints, Python errors)."""
        if self._scratch is None:
            return ""
        path = self._scratch / ".output"
        try:
            with open(path, "rb") as handle:
                handle.seek(max(0, path.stat().st_size - limit))
                return handle.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _crash(self, reason: str, timed_out: bool = False) -> StudentCrash:
        crash = StudentCrash(reason, self.output_tail(), timed_out)
        self.close()
        return crash

    def _read_exact(self, count: int, deadline: float, timeout: float) -> bytes:
        chunks = []
        while count:
            remaining = deadline - time.monotonic()
            ready = select.select([self._answer_fd], [], [], max(0.0, remaining))[0] if remaining > 0 else []
            if not ready:
                raise self._crash(f"it did not finish within {timeout:g} s (an infinite loop?)", timed_out=True)
            chunk = os.read(self._answer_fd, count)
            if not chunk:
                returncode = self._process.wait() if self._process else 0
                raise self._crash(describe_exit(returncode))
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _roundtrip(self, request: dict, timeout: float) -> Any:
        self._next_id += 1
        request = dict(request, id=self._next_id)
        try:
            data = wire.encode(request)
            view = memoryview(data)
            while view:
                view = view[os.write(self._request_fd, view):]
        except (BrokenPipeError, OSError):
            returncode = self._process.wait() if self._process else 0
            raise self._crash(describe_exit(returncode)) from None
        deadline = time.monotonic() + timeout
        try:
            header = self._read_exact(wire.HEADER_SIZE, deadline, timeout)
            answer = wire.decode_body(self._read_exact(wire.frame_length(header), deadline, timeout))
        except wire.WireError as error:
            raise self._crash(f"it sent back a malformed answer ({error})") from None
        if not isinstance(answer, dict) or answer.get("id") != request["id"]:
            raise self._crash("it sent back an answer that does not match the request")
        if not answer.get("ok"):
            raise StudentError(answer.get("error") or {})
        return answer.get("value")

    def _ensure_imported(self, module: str) -> None:
        if module in self._sticky:
            raise self._sticky[module]
        if self._process is None:
            self._start()
        if module in self._imported:
            return
        try:
            self._roundtrip({"action": "import", "module": module}, self.limits.import_seconds)
        except StudentCrash as crash:
            # Importing is deterministic: a module that kills the process on import would
            # do so again, so later tests fail at once instead of restarting the worker.
            crash.reason = f"importing {module}.py: {crash.reason}"
            self._sticky[module] = crash
            raise
        except StudentError as error:
            error.info = dict(error.info, importing=module)
            self._sticky[module] = error
            raise
        self._imported.add(module)

    def call(self, probe: str, args: dict[str, Any] | None = None, timeout: float = 10.0) -> Any:
        """Run ``autograder.probes.<module>.<function>`` on the student's ``<module>.py``."""
        module = probe.partition(".")[0]
        hung = self._hung_seconds.get(module, 0.0)
        if hung >= self.limits.hang_budget_seconds:
            raise StudentCrash(
                f"not run: earlier calls into {module}.py timed out ({hung:g} s in all). "
                "Fix the infinite loop (or very slow code) first"
            )
        self._ensure_imported(module)
        try:
            return self._roundtrip({"action": "probe", "probe": probe, "args": args or {}}, timeout)
        except StudentCrash as crash:
            if crash.timed_out:
                self._hung_seconds[module] = hung + timeout
            raise
