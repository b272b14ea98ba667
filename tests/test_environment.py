"""The environment is pinned exactly, the same way in requirements.txt and environment.yml, and
the optional Dask extra the same way in requirements-dask.txt and pyproject.toml."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-dask.txt"])
def test_requirements_pin_every_package_exactly(requirements):
    lines = [line.split("#")[0].strip() for line in (REPO / requirements).read_text().splitlines()]
    packages = [line for line in lines if line]
    assert packages and all(PIN.match(line) for line in packages), packages


def test_environment_yml_pins_the_same_versions():
    assert pins(REPO / "environment.yml") == pins(REPO / "requirements.txt")


def test_torch_is_the_pinned_cpu_release():
    assert pins(REPO / "requirements.txt")["torch"] == "2.13.0"
    assert "gymnasium" in pins(REPO / "requirements.txt")
    assert pins(REPO / "requirements.txt")["gymnasium"].startswith("1.")


def test_the_dask_extra_is_optional_and_pinned_alike_in_both_places():
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dask"]
    assert {match[1].lower(): match[2] for match in map(PIN.match, extra)} == pins(REPO / "requirements-dask.txt")
    assert set(pins(REPO / "requirements-dask.txt")) == {"dask", "distributed"}
    assert not set(pins(REPO / "requirements-dask.txt")) & set(pins(REPO / "requirements.txt"))  # not installed by default


def test_pip_installs_the_same_pins_as_requirements_txt():
    """`pip install .` (a folder, a git URL or a wheel of the hand-out) gets the versions the kit's
    tests run on: the dependencies and the extras but Dask's are requirements.txt, exactly."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    listed = [*project["dependencies"], *(pin for name, pins_ in extras.items() if name != "dask" for pin in pins_)]
    found = {match[1].lower(): match[2] for match in map(PIN.match, listed)}
    assert None not in map(PIN.match, listed), listed
    assert found == pins(REPO / "requirements.txt")
    assert len(found) == len(listed), "a package is listed twice"
    # A hosted kernel's own Jupyter packages (ipykernel among them) are left alone by a plain install.
    assert not any(pin.startswith(("ipykernel", "nbgrader", "nbclient")) for pin in project["dependencies"])
