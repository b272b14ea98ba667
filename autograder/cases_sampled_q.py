"""Fixture cases for part "sampled_q" (see autograder/fixtures.py for the case format)."""
from __future__ import annotations


def sampled_q_cases(visibility: str) -> dict[str, dict]:
    return {}


BUILDERS = {"sampled_q": sampled_q_cases}
