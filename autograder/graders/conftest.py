"""pytest set-up shared by all grader tests: the ``student`` fixture and the ``points`` mark.

The grader runs pytest in its own process with this directory as rootdir; the submission
is never on pytest's path, so nothing in it (a ``conftest.py``, a ``pytest.ini``) is read.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.parts import PARTS
from autograder.sandbox import Worker


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--submission", default=None, help="directory holding the student's modules")
    parser.addoption("--run-as", default=None, help="account to run student code as (the grader runs as root)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(value): how many points the test is worth")


@pytest.fixture(scope="session")
def student(request: pytest.FixtureRequest):
    """The submission's worker process; every call runs student code there."""
    submission = request.config.getoption("--submission")
    if submission is None:
        raise pytest.UsageError("grader tests need --submission DIR")
    worker = Worker(Path(submission), [part.name for part in PARTS], run_as=request.config.getoption("--run-as"))
    yield worker
    worker.close()
