"""Golden fixtures: fixed inputs, and what the reference solution returns on them.

``python -m autograder fixtures`` runs every part's cases (``cases(visibility)`` in
``autograder/parts/<part>/secret/cases.py``) on ``solutions/`` (in a worker, like a student
submission) and writes the part's ``public.json`` and ``secret/hidden.json``.
Grading then needs only those files, never the reference source. ``--check`` fails if the
stored files differ from what the reference produces now.

A case is ``{"probe": ..., "args": ..., "golden": <reference result>}``; a case built with
``golden=False`` stores no result (its test judges the output by a property instead). A
case may also carry ``"calibration"``: arguments that replace some of ``args`` for the
reference run only (for example many more seeds than the test gives the student), so that
the golden result is a sample of the reference's behaviour to compare a student's against.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from autograder import wire
from autograder.parts import PARTS, Part
from autograder.sandbox import UNBUDGETED, Worker

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO_ROOT / "solutions"


def build(solutions: Path = SOLUTIONS, parts: Iterable[Part] = PARTS) -> dict[Path, str]:
    """Run every case of ``parts`` on the reference; return fixture path -> file text."""
    files: dict[Path, str] = {}
    with Worker(solutions, [part.name for part in PARTS], UNBUDGETED) as worker:
        for part in parts:
            for visibility in ("public", "hidden"):
                cases = importlib.import_module(f"{part.module}.secret.cases").cases(visibility)
                for spec in cases.values():
                    if spec["golden"]:
                        args = {**spec["args"], **spec.get("calibration", {})}
                        spec["golden"] = worker.call(spec["probe"], args, timeout=120)
                    else:
                        spec["golden"] = None
                files[part.fixtures(visibility)] = wire.dumps(cases)
    return files


def same_values(new: Any, old: Any, rtol: float = 1e-9) -> bool:
    """Whether two fixtures hold the same data, floats equal to ``rtol``: the last bits of a
    matrix product differ between processors' BLAS kernels, and that is not a change."""
    if isinstance(new, dict):
        return isinstance(old, dict) and new.keys() == old.keys() and all(
            same_values(new[key], old[key], rtol) for key in new)
    if isinstance(new, list):
        return isinstance(old, list) and len(new) == len(old) and all(
            same_values(a, b, rtol) for a, b in zip(new, old))
    if isinstance(new, np.ndarray):
        if not isinstance(old, np.ndarray) or new.shape != old.shape or new.dtype != old.dtype:
            return False
        if new.dtype.kind == "f":
            return bool(np.allclose(new, old, rtol=rtol, atol=0.0, equal_nan=True))
        return bool(np.array_equal(new, old))
    if isinstance(new, float) and isinstance(old, float):
        return bool(np.isclose(new, old, rtol=rtol, atol=0.0, equal_nan=True))
    return type(new) is type(old) and new == old


def stale(files: dict[Path, str]) -> list[Path]:
    """The fixture files whose content differs from ``files`` (beyond float rounding)."""
    return [path for path, text in files.items()
            if not path.exists() or (path.read_text(encoding="utf-8") != text
                                     and not same_values(wire.loads(text), wire.loads(path.read_text(encoding="utf-8"))))]
