"""Load the reference modules from solutions/ under private names, for direct unit tests."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"


def load(part: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"reference_{part}", SOLUTIONS / f"{part}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module
