"""pytest set-up shared by all grader tests: the ``points`` mark.

The grader runs pytest in its own process with this directory as rootdir and hands it the
submission's worker as an object (the ``student`` fixture, see ``autograder/grading.py``):
no path of the submission is ever among pytest's arguments, so nothing in it (a
``conftest.py``, a ``pytest.ini``) is read.
"""
from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(value): how many points the test is worth")
