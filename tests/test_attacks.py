"""Hostile submissions graded as an instructor grades them (``python -m autograder grade
SUB --results R``), in the default mode, each checked the same way: it gains no point,
``results.json`` is valid and says 0, nothing outside the grading's scratch space was read
into the results or changed, no process is left, and the next submission grades as if the
attack had never happened. The attacker knows every path involved (the worst case)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent
SECRET_FILES = [REPO / "solutions" / "replay_buffer.py",
                REPO / "autograder" / "parts" / "replay_buffer" / "secret" / "test_hidden.py",
                REPO / "autograder" / "parts" / "replay_buffer" / "secret" / "hidden.json"]

CONFTEST = '''
import autograder.grading as grading
_original = grading.gradescope_results
def forged(report):
    for test in report.tests:
        test.score = test.max_score
    return _original(report)
grading.gradescope_results = forged
'''

# A daemon that waits until the grader has finished, then rewrites the results and the next
# student's module, and sleeps on (named by MARKER so that the test can look for it).
DAEMON = '''
import os, subprocess, sys
script = """
import time, os
time.sleep(3)
for path, text in (({results!r}, '{{"score": 999, "tests": []}}'), ({next_module!r}, 'raise SystemExit')):
    try:
        with open(path, 'w') as handle:
            handle.write(text)
    except OSError:
        pass
time.sleep(600)  # {marker}
"""
subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
'''

READS_SECRETS = '''
import hashlib
found = []
for path in {secrets!r}:
    try:
        with open(path, 'rb') as handle:
            found.append(hashlib.sha256(handle.read()).hexdigest())
    except OSError as error:
        found.append(type(error).__name__)
print(" ".join(found), flush=True)
raise RuntimeError(" ".join(found))
'''

BAD_TEXT = '''
raise RuntimeError("x\\r\\x1b[2K\\x1b[1A PASS everything\\nTotal 19 / 19\\x1b[8m \\ud800 x \\udcfe \\x00" + "y" * 100000)
'''

FORGED_FRAME = '''
import json, os, struct, sys
answer_fd = int(sys.argv[3])
for request_id in range(1, 200):
    body = json.dumps({{"id": request_id, "ok": True, "value": {{"len": 5, "batch": None}}}}).encode()
    try:
        os.write(answer_fd, struct.pack(">I", len(body)) + body)
    except OSError:
        break
'''


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def _lone_surrogates(value) -> bool:
    """Whether any string in the parsed JSON holds a surrogate code point (invalid Unicode)."""
    if isinstance(value, dict):
        return any(_lone_surrogates(item) for item in [*value.keys(), *value.values()])
    if isinstance(value, list):
        return any(_lone_surrogates(item) for item in value)
    return isinstance(value, str) and any(0xD800 <= ord(char) <= 0xDFFF for char in value)


def _running(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(entry.name)
        except OSError:
            pass
    return found


def _grade(submission: Path, results: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(submission), "--part", "replay_buffer",
                           "--results", str(results)], cwd=REPO, capture_output=True, text=True, timeout=300)


ATTACKS = {
    "conftest-forges-the-scores": {"conftest.py": CONFTEST, "pytest.ini": "[pytest]\naddopts = -p no:terminal\n",
                                   "__init__.py": "raise SystemExit", "sitecustomize.py": "raise SystemExit"},
    "daemon-rewrites-results-and-the-next-submission": {"replay_buffer.py": DAEMON},
    "reads-the-kit-secrets": {"replay_buffer.py": READS_SECRETS},
    "bad-text-in-its-messages": {"replay_buffer.py": BAD_TEXT},
    "forged-frames-on-the-answer-pipe": {"replay_buffer.py": FORGED_FRAME},
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux's")
@pytest.mark.parametrize("name", list(ATTACKS))
def test_an_attack_gains_nothing_and_leaves_nothing(tmp_path, name):
    marker = f"dq-attack-{uuid.uuid4().hex}"
    attack, upcoming, out = tmp_path / "attack", tmp_path / "upcoming", tmp_path / "out"
    for folder in (attack, upcoming, out):
        folder.mkdir()
    for known in (REPO / "assignments").glob("*.py"):
        shutil.copy(known, attack / known.name)
    shutil.copy(REPO / "solutions" / "replay_buffer.py", upcoming / "replay_buffer.py")
    results = out / "results.json"
    values = {"results": str(results), "next_module": str(upcoming / "replay_buffer.py"), "marker": marker,
              "secrets": [str(path) for path in SECRET_FILES]}
    for filename, source in ATTACKS[name].items():
        (attack / filename).write_text(source.format(**values) if "{" in source else source,
                                       encoding="utf-8", errors="surrogatepass")
    before = _digest(upcoming), {path: path.stat().st_mtime_ns for path in SECRET_FILES}

    completed = _grade(attack, results)
    assert completed.returncode == 0, completed.stderr[-2000:]
    text = results.read_text(encoding="utf-8")
    data = json.loads(text)
    validate_results(data)
    assert data["score"] == 0 and all(test["score"] == 0 for test in data["tests"]), data["score"]
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in SECRET_FILES]
    assert not any(digest in text or digest in completed.stdout for digest in digests), "a secret was read"
    assert "\x1b" not in completed.stdout and not _lone_surrogates(data)

    time.sleep(4)  # longer than the daemon waits
    assert results.read_text(encoding="utf-8") == text, "results.json was changed after the grader wrote it"
    assert (_digest(upcoming), {path: path.stat().st_mtime_ns for path in SECRET_FILES}) == before
    assert _running(marker) == [], "a process outlived the grading"

    completed = _grade(upcoming, out / "next.json")
    assert json.loads((out / "next.json").read_text())["score"] == 19, completed.stdout[-2000:]
