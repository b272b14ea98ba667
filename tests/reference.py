"""Load the reference modules from solutions/ under private names, for direct unit tests."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


def load(part: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"reference_{part}", SOLUTIONS / f"{part}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
