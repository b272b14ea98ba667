"""Every path and command that the README, the lecture notes and the modules name exists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted([REPO / "README.md", *(REPO / "lecture_notes").glob("*.md"), *(REPO / "solutions").glob("*.py"),
               *(REPO / "notebooks_src").glob("*.py")])
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# A path has a slash (bare file names such as `conftest.py` are words, not locations).
PATH_LIKE = re.compile(r"^[\w.\-]+(/[\w.\-]*)+$")
COMMAND = re.compile(r"(?:\./kit|python -m autograder) ([a-z][\w-]*)")
PLACEHOLDERS = ("path/to/", "DIR", "PART", "<")
METRIC_PREFIXES = ("charts/", "losses/")  # metric names such as losses/td_loss, not paths


def mentioned_paths(text: str) -> set[str]:
    paths = set()
    for span in CODE_SPAN.findall(text):
        for token in span.split():
            token = token.strip("(),:;")
            if (PATH_LIKE.match(token) and not any(p in token for p in PLACEHOLDERS) and "://" not in token
                    and not token.startswith(METRIC_PREFIXES)):
                paths.add(token)
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if "://" not in target:
            paths.add(target)
    return paths


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(REPO)) for d in DOCS])
def test_named_paths_exist(doc):
    text = doc.read_text()
    missing = []
    for path in sorted(mentioned_paths(text)):
        candidates = [REPO / path, doc.parent / path]
        if not any(c.exists() for c in candidates):
            missing.append(path)
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(REPO)) for d in DOCS])
def test_named_commands_exist(doc):
    commands = set(build_parser()._subparsers._group_actions[0].choices) | {"test"}
    unknown = sorted(set(COMMAND.findall(doc.read_text())) - commands)
    assert not unknown, f"{doc.name} names commands that do not exist: {unknown}"
