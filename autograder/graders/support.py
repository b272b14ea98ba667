"""What grader tests use: points, failures with student-facing messages, fixtures.

A grader test calls the student's code only through the ``student`` fixture (a
:class:`autograder.sandbox.Worker`), compares in this process, and reports a problem with
:func:`fail`, whose message is shown to the student as it is: what was expected, what came
back, and the likely cause. Never a bare ``assert``: its message would be a traceback.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NoReturn

import numpy as np
import pytest

from autograder import wire
from autograder.parts import part_named
from autograder.sandbox import StudentError


class Failure(Exception):
    """A check failed; the message is written for the student."""


def points(value: float) -> pytest.MarkDecorator:
    """Mark a test as worth ``value`` points."""
    return pytest.mark.points(value)


def fail(message: str) -> NoReturn:
    raise Failure(message)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def show(values: Any, limit: int = 8) -> str:
    """A short printable form of an array for messages."""
    array = np.asarray(values)
    flat = array.reshape(-1)
    text = np.array2string(flat[:limit], precision=4, separator=", ", max_line_width=200)
    if flat.size > limit:
        text = text[:-1] + ", ...]"
    return text if array.ndim <= 1 else f"{text} (shape {list(array.shape)})"


def expect_close(actual: np.ndarray, expected: np.ndarray, what: str, hint: str = "",
                 atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """Fail unless ``actual`` matches ``expected`` in shape and, elementwise, within tolerance."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        fail(f"{what}: expected shape {list(expected.shape)}, got {list(actual.shape)}. {hint}".strip())
    if not np.all(np.isfinite(actual)):
        fail(f"{what} contains NaN or inf: {show(actual)}. {hint}".strip())
    close = np.isclose(actual, expected, atol=atol, rtol=rtol)
    if not np.all(close):
        where = int(np.flatnonzero(~close.reshape(-1))[0])
        fail(
            f"{what}: expected {show(expected)}, got {show(actual)} "
            f"(first difference at flat index {where}: {expected.reshape(-1)[where]:.6g} vs "
            f"{actual.reshape(-1)[where]:.6g}). {hint}".strip()
        )


@lru_cache(maxsize=None)
def _fixture_text(visibility: str, part: str) -> str:
    return part_named(part).fixtures(visibility).read_text(encoding="utf-8")


def load_fixture(visibility: str, part: str) -> dict[str, Any]:
    """The golden inputs and outputs for one part (a fresh copy each call)."""
    return wire.loads(_fixture_text(visibility, part))


def expect_tensor(result: dict[str, Any], expected: np.ndarray, what: str, dtype: str = "float32",
                  hint: str = "", atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """A tensor result (from a probe) has the expected dtype, shape and values."""
    shape = list(np.shape(expected))
    if result["shape"] != shape:
        extra = ""
        if len(result["shape"]) == len(shape) + 1 and result["shape"][-1] == 1:
            extra = " An extra axis of size 1: use .squeeze(1) (or gather then squeeze) so the result is [B]."
        elif len(result["shape"]) == 2 and len(shape) == 1 and result["shape"] == shape * 2:
            extra = (" A [B, B] result is the classic broadcasting bug: a [B] tensor combined with a "
                     "[B, 1] one. Keep every per-transition tensor [B].")
        elif result["shape"] == [] and shape == [1]:
            extra = " Do not reduce over the batch."
        fail(f"{what} has shape {result['shape']}; expected {shape}.{extra}")
    if dtype and result["dtype"] != dtype:
        fail(f"{what} has dtype {result['dtype']}; expected {dtype}.")
    expect_close(result["values"], expected, what, hint=hint, atol=atol, rtol=rtol)


def with_gradient(gradients: dict[str, Any], nonzero: bool = False) -> list[str]:
    """The parameters, in a probe's ``gradients`` report (name -> values or None), that got a
    gradient; with ``nonzero``, only those whose gradient is not all zeros."""
    return sorted(name for name, grad in gradients.items()
                  if grad is not None and (not nonzero or np.any(np.asarray(grad) != 0)))


def call_with_hint(student, case: dict[str, Any], hint_for: Callable[[str], str], timeout: float = 20,
                   **overrides: Any) -> Any:
    """Run one fixture case on the student's code. If their code raises, ``hint_for`` gets the
    error text (message and the student's source lines) and may return a likely cause in
    the student's terms, which is appended to the message."""
    try:
        return student.call(case["probe"], {**case["args"], **overrides}, timeout=timeout)
    except StudentError as error:
        if error.kind == "exception":
            message = error.info.get("message", "")
            hint = hint_for("\n".join([message, *error.info.get("where", [])]))
            if hint:
                error.info = dict(error.info, message=f"{message.rstrip('.')}. {hint}")
        raise


def hint_from_table(table: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    """A ``hint_for`` that returns the hint of the first (regex, hint) pair matching the text."""
    def hint_for(text: str) -> str:
        return next((hint for pattern, hint in table if re.search(pattern, text)), "")
    return hint_for
