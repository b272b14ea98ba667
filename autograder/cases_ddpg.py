"""Fixture cases for part "ddpg" (see autograder/fixtures.py for the case format)."""
from __future__ import annotations


def ddpg_cases(visibility: str) -> dict[str, dict]:
    return {}


BUILDERS = {"ddpg": ddpg_cases}
