"""Student-controlled text, made safe for each place the grader writes it.

Much of what the grader reports comes from the student: the message, type and source lines
of an exception their code raised, what it printed before it crashed, the values a probe
sent back, the names of their notebooks and, in ``grade-all``, the name of their folder or
zip, which is their id. Such text may hold anything a string can: lone surrogates (which
cannot be encoded, so one of them used to stop the grader before it wrote results.json),
control characters and terminal escape sequences, bidirectional overrides that make text
read differently from what it is, or a million characters. Every output passes it through
one of these helpers first:

- :func:`text` for people: the terminal, ``feedback.txt``, ``results.json``;
- :func:`cell` for a spreadsheet cell of the gradebook;
- :func:`file_name` for a file or folder the grader creates;
- :func:`json_safe` as the last step before any JSON is written;
- :func:`tolerant_streams` before anything is printed.

Nothing here raises on odd input: a helper that failed would lose the grading it reports.
"""
from __future__ import annotations

import hashlib
import sys
import unicodedata
from typing import Any, Iterable

TEXT_LIMIT = 4000
"""Characters of student text kept in one message (a test's output, a note)."""
TEXT_LINES = 60
"""Lines of student text kept in one message."""
CELL_LIMIT = 300
"""Characters kept in one spreadsheet cell."""
NAME_LIMIT = 80
"""Characters kept from a name before the hash that keeps it unique."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet read a cell as a formula (the last four are the
full-width forms, which some spreadsheets accept too)."""
HIDDEN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
"""Unicode categories that are not shown as themselves: control characters (escape
sequences start with one), format characters (bidirectional overrides, zero-width ones),
line and paragraph separators."""


def valid_unicode(value: str) -> str:
    """``value`` with every lone surrogate (an undecodable byte of a file name, or a
    ``\\ud800`` in a student's message) replaced by U+FFFD, so it can be encoded as UTF-8."""
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in value)


def _as_str(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - an object whose __str__ raises is still reported
        return f"<{type(value).__name__} that cannot be shown>"


def _visible(char: str, keep: str) -> str:
    if char in keep:
        return char
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    if unicodedata.category(char) not in HIDDEN_CATEGORIES:
        return char
    code = ord(char)  # shown as Python writes it, so "\x1b[2J" reads as text, not as a command
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _cut(value: str, limit: int, total: int) -> str:
    if len(value) <= limit and total <= limit:
        return value
    marker = f" [... cut; {total} characters in all]"
    return value[:max(0, limit - len(marker))] + marker


def text(value: Any, limit: int = TEXT_LIMIT, lines: int = TEXT_LINES, one_line: bool = False) -> str:
    """``value`` as text a person can read safely in a terminal, a file or a web page.

    Every control or format character except newline and tab (all of them if ``one_line``)
    is shown as its escape (``\\x1b``), never obeyed; lone surrogates become U+FFFD; at
    most ``lines`` lines and ``limit`` characters are kept, and a cut says so. Applying it
    twice changes nothing more."""
    raw = _as_str(value)
    total = len(raw)
    raw = raw[:limit + 1].replace("\r\n", "\n")  # escapes only lengthen: the rest is cut anyway
    shown = "".join(_visible(char, "" if one_line else "\n\t") for char in raw)
    kept = shown.split("\n")
    if len(kept) > lines:
        shown = "\n".join([*kept[:max(0, lines - 1)], "[... more lines cut]"])
    return _cut(shown, limit, total)


def cell(value: Any, limit: int = CELL_LIMIT) -> str:
    """``value`` as one line of text for a spreadsheet cell that no spreadsheet reads as a
    formula: one that would start like a formula (``=``, ``+``, ``-``, ``@``, a tab or a
    line break, possibly after spaces) gets a leading apostrophe."""
    shown = text(value, limit, one_line=True)
    if shown.lstrip(" ").startswith(FORMULA_STARTS):
        shown = "'" + shown
    return shown


def file_name(value: str, reserved: Iterable[str] = ()) -> str:
    """A name for a file or folder, made from ``value``.

    The name has only letters, digits, ``.``, ``_`` and ``-``, does not start with ``.``
    or ``-`` (so it is neither hidden nor ``.``/``..`` nor read as an option), has at most
    about ``NAME_LIMIT`` characters, and is none of ``reserved`` (compared ignoring case).
    An ordinary name comes back as it is, in Unicode's NFC form. Any other has each
    character it cannot keep replaced by ``_`` and gets a hash of the whole name as a
    suffix, so two names never become one by losing characters. Names that differ only in
    case or in Unicode normalization still map to names that a case-insensitive file
    system confuses: the caller must check for those."""
    normal = unicodedata.normalize("NFC", _as_str(value))
    safe = "".join(char if (char.isalnum() or char in "._-") and not "\ud800" <= char <= "\udfff" else "_"
                   for char in normal)
    if safe.startswith((".", "-")):
        safe = "_" + safe[1:]
    taken = {name.casefold() for name in reserved}
    if safe == normal and 0 < len(safe) <= NAME_LIMIT and safe.casefold() not in taken:
        return safe
    digest = hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe[:NAME_LIMIT] or '_'}-{digest}"


def json_safe(data: Any) -> Any:
    """``data`` with every string in it (keys too) made valid Unicode, for a JSON file that
    any reader accepts."""
    if isinstance(data, str):
        return valid_unicode(data)
    if isinstance(data, dict):
        return {json_safe(key): json_safe(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(value) for value in data]
    return data


def tolerant_streams() -> None:
    """Make stdout and stderr write a character their encoding lacks (a terminal set to
    ASCII or Latin-1) as its escape, instead of raising in the middle of a report."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
