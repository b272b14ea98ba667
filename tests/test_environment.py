"""The environment is pinned exactly, the same way in requirements.txt and environment.yml."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# name==version, with an optional environment marker (e.g. ``; sys_platform == "linux"``)
PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#;]+)\s*(?:;[^#]*)?$")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_requirements_pin_every_package_exactly():
    lines = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    packages = [line for line in lines if line]
    assert packages and all(PIN.match(line) for line in packages), packages


def test_environment_yml_pins_the_same_versions():
    assert pins(REPO / "environment.yml") == pins(REPO / "requirements.txt")


def test_torch_is_the_pinned_cpu_release():
    assert pins(REPO / "requirements.txt")["torch"] == "2.13.0"
    assert "gymnasium" in pins(REPO / "requirements.txt")
    assert pins(REPO / "requirements.txt")["gymnasium"].startswith("1.")
