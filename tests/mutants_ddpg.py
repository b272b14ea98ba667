"""Realistic bugs in part "ddpg" (the format is explained in tests/mutants.py)."""
from __future__ import annotations

from tests.mutants import Mutant

MUTANTS: list[Mutant] = []
