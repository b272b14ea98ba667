"""Generate the student stubs (``assignments/``) from the reference (``solutions/``).

In a reference module, each solution block sits between two comment lines::

    ### BEGIN SOLUTION: <one-line instruction for the student>
    ...reference code...
    ### END SOLUTION

The instruction after the colon is optional. In the stub the block becomes::

    # TODO(student): <instruction>
    raise NotImplementedError("<part>: <instruction>")

at the block's indentation; everything outside the markers (signatures, docstrings,
provided code) is kept as it is. Files without markers are copied unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?::[ \t]*(?P<prompt>.*?))?[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
ANY_MARKER = re.compile(r"###\s*(BEGIN|END)\s+SOLUTION")
DEFAULT_PROMPT = "implement this block"
IGNORED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


class MarkerError(Exception):
    """A reference file whose solution markers are malformed; names file and line."""


@dataclass(frozen=True)
class Block:
    start: int  # 1-based line of BEGIN
    end: int  # 1-based line of END
    indent: str
    prompt: str


def find_blocks(text: str, filename: str) -> list[Block]:
    """Parse the solution blocks of one file, raising MarkerError on bad nesting."""
    blocks: list[Block] = []
    open_block: tuple[int, str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_block is not None:
                raise MarkerError(
                    f"{filename}:{number}: BEGIN SOLUTION inside the block opened at line "
                    f"{open_block[0]} (blocks cannot nest)"
                )
            open_block = (number, begin["indent"], begin["prompt"] or DEFAULT_PROMPT)
        elif end:
            if open_block is None:
                raise MarkerError(f"{filename}:{number}: END SOLUTION without a BEGIN SOLUTION")
            blocks.append(Block(open_block[0], number, open_block[1], open_block[2]))
            open_block = None
        elif ANY_MARKER.search(line):
            raise MarkerError(
                f"{filename}:{number}: malformed marker {line.strip()!r}; a marker must be a "
                "line of its own: '### BEGIN SOLUTION[: prompt]' or '### END SOLUTION'"
            )
    if open_block is not None:
        raise MarkerError(f"{filename}:{open_block[0]}: BEGIN SOLUTION is never closed")
    return blocks


def make_stub(text: str, part: str, filename: str) -> str:
    """Return the student version of one reference module's text."""
    blocks = find_blocks(text, filename)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    position = 0
    for block in blocks:
        out.extend(lines[position : block.start - 1])
        message = f"{part}: {block.prompt}".replace("\\", "\\\\").replace('"', '\\"')
        out.append(f"{block.indent}# TODO(student): {block.prompt}\n")
        out.append(f'{block.indent}raise NotImplementedError("{message}")\n')
        position = block.end
    out.extend(lines[position:])
    return "".join(out)


def nbgrader_source(text: str, filename: str) -> str:
    """The reference module with nbgrader's solution delimiters around each solution block.

    nbgrader replaces every line from one containing ``BEGIN SOLUTION`` to the next
    containing ``END SOLUTION`` by its code stub, so the instruction moves to a
    ``# TODO(student)`` line above the block, where the released cell keeps it."""
    lines = text.splitlines(keepends=True)
    for block in find_blocks(text, filename):
        lines[block.start - 1] = (f"{block.indent}# TODO(student): {block.prompt}\n"
                                  f"{block.indent}### BEGIN SOLUTION\n")
    return "".join(lines)


def _source_files(source: Path) -> list[Path]:
    files = []
    for path in sorted(source.rglob("*")):
        if path.is_file() and not IGNORED_NAMES.intersection(path.relative_to(source).parts):
            files.append(path)
    return files


def render(source: Path) -> dict[Path, bytes]:
    """Everything ``assignments/`` should contain, as relative path -> bytes."""
    rendered: dict[Path, bytes] = {}
    for path in _source_files(source):
        relative = path.relative_to(source)
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            rendered[relative] = make_stub(text, path.stem, str(path)).encode("utf-8")
        else:
            rendered[relative] = path.read_bytes()
    return rendered


def write(source: Path, target: Path) -> list[Path]:
    """Regenerate ``target`` from ``source``; return the files written or removed."""
    rendered = render(source)
    changed = differences(rendered, target)
    if target.exists():
        for path in _source_files(target):
            if path.relative_to(target) not in rendered:
                path.unlink()
    for relative, data in rendered.items():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if not destination.exists() or destination.read_bytes() != data:
            destination.write_bytes(data)
    return changed


def differences(rendered: dict[Path, bytes], target: Path) -> list[Path]:
    """Relative paths where ``target`` differs from what would be generated."""
    changed = []
    existing = {p.relative_to(target) for p in _source_files(target)} if target.exists() else set()
    for relative in sorted(existing | set(rendered)):
        path = target / relative
        if relative not in rendered or not path.exists() or path.read_bytes() != rendered[relative]:
            changed.append(relative)
    return changed

