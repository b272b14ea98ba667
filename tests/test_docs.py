"""Every path, command and function that the README, the lecture notes, the notebooks and the
modules name exists."""
from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import gymnasium as gym
import pytest

import dqkit.envs  # noqa: F401  (registers the kit's own environments)
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
        if not any(c.exists() for c in candidates) and path not in gym.registry:  # env ids are not paths
            missing.append(path)
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


NOTES = sorted((REPO / "lecture_notes").glob("[0-9]*.md"))  # the numbered notes, 01 to 10
FIGURE = re.compile(r"!\[[^\]]+\]\((figures/[\w.-]+\.png)\)")


def test_every_figure_is_shown_in_a_note():
    shown = {name for note in NOTES for name in FIGURE.findall(note.read_text())}
    made = {f"figures/{path.name}" for path in (REPO / "lecture_notes" / "figures").glob("*.png")}
    assert made <= shown, f"figures no note embeds: {sorted(made - shown)}"


@pytest.mark.parametrize("note", [note for note in NOTES if not note.name.startswith("08")], ids=lambda note: note.stem)
def test_every_topic_links_its_part_and_shows_a_figure(note):
    text = note.read_text()
    assert re.search(r"\(\.\./assignments/\w+\.py\)", text), f"{note.name} links no assignment part"
    assert FIGURE.search(text), f"{note.name} shows no figure"


COMMAND_DOCS = sorted([*DOCS, REPO / "autograder" / "templates" / "student_README.md"])


@pytest.mark.parametrize("doc", COMMAND_DOCS, ids=[str(d.relative_to(REPO)) for d in COMMAND_DOCS])
def test_named_commands_exist(doc):
    commands = set(build_parser()._subparsers._group_actions[0].choices) | {"test"}
    unknown = sorted(set(COMMAND.findall(doc.read_text())) - commands)
    assert not unknown, f"{doc.name} names commands that do not exist: {unknown}"


# Calls in the docs that are not the kit's functions: torch's module methods, callables the
# kit passes in as arguments, and notation.
NOT_KIT_FUNCTIONS = {"backward", "load_state_dict", "parameters", "requires_grad_", "state_dict",
                     "q_function", "q_network", "Q", "TODO"}
CALL = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\(")
NAMED_DOCS = sorted([REPO / "README.md", *(REPO / "lecture_notes").glob("*.md"), *(REPO / "notebooks_src").glob("*.py")])


def kit_definitions() -> set[str]:
    names = set()
    for folder in ("solutions", "dqkit", "autograder", "benchmarks"):
        for path in (REPO / folder).rglob("*.py"):
            names |= {node.name for node in ast.walk(ast.parse(path.read_text()))
                      if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    return names


@pytest.mark.parametrize("doc", NAMED_DOCS, ids=[str(d.relative_to(REPO)) for d in NAMED_DOCS])
def test_named_functions_exist(doc):
    """A call written in a code span, `name(...)`, names a function or class of the kit."""
    known = kit_definitions() | NOT_KIT_FUNCTIONS
    unknown = sorted({name for span in CODE_SPAN.findall(doc.read_text()) for name in CALL.findall(span)
                      if name not in known and not hasattr(builtins, name)})
    assert not unknown, f"{doc.name} names functions the kit does not define: {unknown}"
