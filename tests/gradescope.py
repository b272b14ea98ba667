"""A validator for Gradescope's results.json, written from its published specification
(top-level score/tests/output/visibility fields; per-test name, number, score, max_score,
status, output, visibility)."""
from __future__ import annotations

from typing import Any

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_LEVEL = {"score", "execution_time", "output", "output_format", "test_output_format",
             "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
             "leaderboard"}
PER_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
            "output_format", "tags", "visibility", "extra_data"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_results(data: Any) -> None:
    """Raise AssertionError, naming the field, if ``data`` breaks the results.json spec."""
    assert isinstance(data, dict), "results.json must hold a JSON object"
    unknown = set(data) - TOP_LEVEL
    assert not unknown, f"unknown top-level fields {unknown}"
    assert "score" in data or "tests" in data, "need a top-level score or tests"
    if "score" in data:
        assert _number(data["score"]), "score must be a number"
    if "execution_time" in data:
        assert _number(data["execution_time"]), "execution_time must be a number"
    for key in ("visibility", "stdout_visibility"):
        if key in data:
            assert data[key] in VISIBILITIES, f"{key} must be one of {VISIBILITIES}"
    for key in ("output_format", "test_output_format"):
        if key in data:
            assert data[key] in OUTPUT_FORMATS, f"{key} must be one of {OUTPUT_FORMATS}"
    if "output" in data:
        assert isinstance(data["output"], str), "output must be a string"
    tests = data.get("tests", [])
    assert isinstance(tests, list), "tests must be a list"
    numbers = set()
    for index, test in enumerate(tests):
        where = f"tests[{index}]"
        assert isinstance(test, dict), f"{where} must be an object"
        unknown = set(test) - PER_TEST
        assert not unknown, f"{where} has unknown fields {unknown}"
        if "score" not in data:
            assert "score" in test, f"{where} needs a score when there is no top-level score"
        for key in ("score", "max_score"):
            if key in test:
                assert _number(test[key]), f"{where}.{key} must be a number"
        if "status" in test:
            assert test["status"] in ("passed", "failed"), f"{where}.status must be passed or failed"
        for key in ("name", "output", "number"):
            if key in test:
                assert isinstance(test[key], str), f"{where}.{key} must be a string"
        if "visibility" in test:
            assert test["visibility"] in VISIBILITIES, f"{where}.visibility is not valid"
        if "number" in test:
            assert test["number"] not in numbers, f"{where}.number {test['number']} is repeated"
            numbers.add(test["number"])
