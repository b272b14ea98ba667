"""Grading time is bounded by the grader's own clock: a submission that waits just under every
test's timeout, or patches the clocks of the process it runs in, ends within the budgets,
with a valid results file that names the tests that were cut. Small budgets keep these fast;
the defaults are in ``autograder.sandbox.Limits`` and the README."""
from __future__ import annotations

import json
import time
from pathlib import Path

from autograder.grading import gradescope_results, grade
from autograder.parts import part_named
from autograder.sandbox import Limits
from tests.gradescope import validate_results

REPO = Path(__file__).resolve().parent.parent
PARTS = [part_named("replay_buffer"), part_named("target_network")]

WAITS = '''
import time as _time
_time.sleep({seconds})
'''
# Every clock the worker could read is frozen and sleeping returns at once; the module then
# busy-waits on a counter, which no patched clock can shorten for the grader.
PATCHES_CLOCKS = '''
import time as _time, select as _select
for _name in ("time", "monotonic", "perf_counter", "process_time"):
    setattr(_time, _name, lambda: 0.0)
_time.sleep = lambda seconds: None
_select.select = lambda *args, **kwargs: ([], [], [])
_count = 0
while _count < 10**12:
    _count += 1
'''


def waiting_submission(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    for part in PARTS:
        source = (REPO / "solutions" / part.filename).read_text()
        lines = []
        for line in source.splitlines():
            lines.append(line)
            stripped = line.strip()
            if stripped.startswith("def ") and stripped.endswith(":"):
                indent = " " * (len(line) - len(line.lstrip()) + 4)
                lines.extend(indent + piece for piece in body.strip().splitlines())
        (folder / part.filename).write_text("\n".join(lines) + "\n")
    return folder


def cut_tests(report) -> list[str]:
    return [test.number for test in report.tests if "This test was cut" in test.output]


def test_waiting_under_every_timeout_is_cut_by_the_part_budget(tmp_path):
    limits = Limits(part_seconds=5, total_seconds=60)
    started = time.monotonic()
    report = grade(waiting_submission(tmp_path, WAITS.format(seconds=1.5)), PARTS, limits=limits)
    elapsed = time.monotonic() - started
    # Two parts, each cut after its 5 s; the worker's start and the grader's own work on top.
    assert elapsed < 2 * 5 + 20, elapsed
    cut = cut_tests(report)
    assert cut and any(number.startswith("1.") for number in cut) and any(number.startswith("2.") for number in cut)
    assert all(test.score == 0 for test in report.tests if test.number in cut)
    assert "time budget of replay_buffer.py's tests (5 s) ran out" in next(
        test.output for test in report.tests if test.number in cut and test.part == "replay_buffer")
    results = gradescope_results(report)
    validate_results(json.loads(json.dumps(results)))
    assert len(results["tests"]) == len(report.tests)


def test_patched_clocks_do_not_stretch_the_grading(tmp_path):
    limits = Limits(part_seconds=30, total_seconds=8, import_seconds=20)
    started = time.monotonic()
    report = grade(waiting_submission(tmp_path, PATCHES_CLOCKS), PARTS, limits=limits)
    elapsed = time.monotonic() - started
    assert elapsed < 8 + 15, elapsed
    assert report.score == 0
    assert any("whole grading's time budget (8 s) ran out" in test.output for test in report.tests)
    validate_results(json.loads(json.dumps(gradescope_results(report))))
