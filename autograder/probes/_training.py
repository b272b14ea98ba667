"""What the learning probes share: run the student's ``train`` and report its evaluations."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def training_report(train: Callable[[Any], Any], config: Any) -> dict[str, Any]:
    """``train(config)``, timed; when (if) it solved its task and every evaluation, as plain data."""
    start = time.monotonic()
    result = train(config)
    evaluations = [(int(step), float(value)) for step, value in getattr(result, "evaluations", [])]
    solved_at = getattr(result, "solved_at", None)
    return {"solved_at": None if solved_at is None else int(solved_at), "evaluations": evaluations,
            "seconds": time.monotonic() - start}
