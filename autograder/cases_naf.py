"""Fixture cases for part "naf" (see autograder/fixtures.py for the case format)."""
from __future__ import annotations


def naf_cases(visibility: str) -> dict[str, dict]:
    return {}


BUILDERS = {"naf": naf_cases}
