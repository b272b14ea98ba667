"""The worker's sandbox, attacked from inside: a submission that tries to read the kit, the
host's temporary folders and the network, to write outside its scratch folder, and to leave
a process behind. Each hostile module records what it managed in its exception message, and
ends with a marker, so a module that stopped early cannot pass a test by saying nothing."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from autograder.grading import grade
from autograder.parts import part_named
from autograder.sandbox import KIT_MOUNT, isolation

REPO = Path(__file__).resolve().parent.parent
BUFFER = [part_named("replay_buffer")]

needs_namespaces = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="namespaces are Linux's")


def hostile(tmp_path: Path, body: str) -> Path:
    """A submission whose replay_buffer.py runs ``body`` at import; ``found`` collects leaks."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "replay_buffer.py").write_text(
        "import os, socket, subprocess, sys, time\nfound = []\n"
        + textwrap.dedent(body)
        + "\nraise RuntimeError('FINDINGS ' + repr(found) + ' END')\n")
    return folder


def findings(submission: Path) -> list[str]:
    report = grade(submission, BUFFER)
    assert report.score == 0
    message = report.tests[0].output
    assert "FINDINGS" in message and "END" in message, message
    return eval(message[message.index("FINDINGS") + 8:message.index(" END")])  # a list literal we wrote


@needs_namespaces
def test_namespaces_are_available_on_this_machine():
    state = isolation()
    assert state.sandboxed, state.reason


@needs_namespaces
def test_the_worker_sees_none_of_the_kit_and_nothing_of_the_host(tmp_path):
    secret = tmp_path / f"host-secret-{uuid.uuid4().hex}"
    secret.write_text("secret")
    shm = Path("/dev/shm") / f"dq-test-{uuid.uuid4().hex}"
    shm.write_text("secret")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    dqn = part_named("dqn")
    paths = [REPO / "solutions" / "dqn.py", dqn.tests("hidden"), dqn.fixtures("hidden"), dqn.fixtures("public"),
             dqn.tests("public"), dqn.folder / "checks.py", dqn.folder / "secret",
             REPO / "autograder" / "parts" / "_secret_common.py", REPO / "autograder" / "parts" / "conftest.py",
             REPO / "tests" / "mutants.py", secret, shm]
    # Inside the sandbox the kit holds of a part only its package and its probes.
    paths += [Path(KIT_MOUNT) / "autograder" / "parts" / "dqn" / name
              for name in ("checks.py", "test_public.py", "public.json", "secret")]
    paths += [Path(KIT_MOUNT) / "autograder" / name for name in ("graders", "grading.py", "fixtures.py",
                                                                   "parts/_secret_common.py", "parts/conftest.py")]
    try:
        submission = hostile(tmp_path, f"""
            for path in {[str(path) for path in paths]!r}:
                if os.path.exists(path):
                    found.append('sees ' + path)
            if not os.path.exists({str(Path(KIT_MOUNT) / "autograder" / "parts" / "dqn" / "probes.py")!r}):
                found.append('misses the probes of dqn')
            try:
                socket.create_connection(('127.0.0.1', {port}), timeout=2)
                found.append('reached the host network')
            except OSError:
                pass
            for name in ('autograder.graders', 'autograder.grading', 'autograder.parts.dqn.checks',
                         'autograder.parts.dqn.secret', 'autograder.parts._secret_common', 'solutions'):
                try:
                    __import__(name)
                    found.append('imports ' + name)
                except ImportError:
                    pass
            """)
        assert findings(submission) == []
    finally:
        server.close()
        shm.unlink()


@needs_namespaces
def test_writes_stay_inside_the_sandbox(tmp_path):
    submission_marker = tmp_path / "submission" / "written.txt"
    repo_marker = REPO / f"written-{uuid.uuid4().hex}.txt"
    # The host's paths may or may not take a write inside the sandbox (a checkout under /tmp
    # lies in the sandbox's own /tmp, which is writable): what counts is that nothing reaches
    # the host, checked from outside. The sandbox's read-only mounts must refuse every write.
    submission = hostile(tmp_path, f"""
        for path in ({str(submission_marker)!r}, {str(repo_marker)!r}):
            try:
                with open(path, 'a') as handle:
                    handle.write('x')
            except OSError:
                pass
        for path in ('/written', '/kit/dqkit/written.py', '/submission/replay_buffer.py', sys.executable):
            try:
                with open(path, 'a') as handle:
                    handle.write('x')
                found.append('wrote ' + path)
            except OSError:
                pass
        with open('/tmp/scratch.txt', 'w') as handle:  # its own /tmp is writable
            handle.write('ok')
        """)
    try:
        assert findings(submission) == []
        assert not submission_marker.exists() and not repo_marker.exists()
    finally:
        repo_marker.unlink(missing_ok=True)  # a failing run must not leave a file in the checkout


def _processes_running(word: str) -> list[str]:
    running = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if word in command:
            running.append(command)
    return running


@needs_namespaces
def test_a_daemon_dies_with_the_worker(tmp_path):
    word = str(3000 + uuid.uuid4().int % 1000)  # a unique sleep length names the daemon
    submission = hostile(tmp_path, f"""
        subprocess.Popen(['/bin/sh', '-c', "setsid sh -c 'sleep {word}.5' & sleep {word}.25 &"],
                         start_new_session=True)
        time.sleep(0.5)
        """)
    assert findings(submission) == []
    time.sleep(0.5)
    assert _processes_running(f"sleep {word}.") == []


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env})


def test_without_namespaces_grading_works_and_says_so(tmp_path):
    completed = run_cli("grade", "solutions", "--part", "replay_buffer", DQKIT_SANDBOX="off")
    assert completed.returncode == 0, completed.stderr
    assert re.search(r"^Total\s+19 / 19", completed.stdout, re.MULTILINE), completed.stdout
    assert completed.stderr.count("WITHOUT the sandbox") == 1, completed.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="switching accounts needs root")
def test_an_account_that_cannot_run_python_fails_at_once_and_leaves_nothing(tmp_path):
    base = Path(sys.base_prefix).resolve()
    if all(os.stat(parent).st_mode & 0o001 for parent in [base, *base.parents]):
        pytest.skip("every account can run this Python")
    start = time.monotonic()
    completed = run_cli("grade", "solutions", "--part", "replay_buffer", "--run-as", "nobody",
                        TMPDIR=str(tmp_path))
    assert completed.returncode == 2
    assert "grading could not start" in completed.stderr and "nobody" in completed.stderr, completed.stderr
    assert "sys.exit" not in completed.stderr  # nothing blames a submission: none was run
    assert time.monotonic() - start < 60
    assert list(tmp_path.iterdir()) == []


def test_files_planted_in_scratch_are_never_opened_by_the_grader(tmp_path, monkeypatch):
    """Without the sandbox the worker can write its scratch folder: links and FIFOs put
    where the grader once kept the worker's output change nothing, block nothing, and
    quote nothing."""
    monkeypatch.setenv("DQKIT_SANDBOX", "off")
    isolation.cache_clear()
    secret = tmp_path / "secret.txt"
    secret.write_text(f"SECRET-{uuid.uuid4().hex}")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "replay_buffer.py").write_text(textwrap.dedent(f"""
        import os
        for folder in ('.', '..', '../modules'):
            for name in ('.output', 'output', 'results.json', 'stdout'):
                path = os.path.join(folder, name)
                try:
                    os.remove(path)
                except OSError:
                    pass
                try:
                    os.symlink({str(secret)!r}, path) if name != 'stdout' else os.mkfifo(path)
                except OSError:
                    pass
        print('printed by the student', flush=True)
        os._exit(3)
        """))
    try:
        started = time.monotonic()
        report = grade(folder, BUFFER)
    finally:
        isolation.cache_clear()
    assert time.monotonic() - started < 60
    assert report.score == 0
    outputs = "\n".join(test.output for test in report.tests)
    assert "SECRET" not in outputs and "printed by the student" in outputs, outputs
