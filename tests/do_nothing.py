"""Do-nothing implementations of every part, generated from the reference's solution blocks.

A grader must never give a point for code that does nothing. This module writes, for each
part, submissions that import and run but do no work: every function or method of
``solutions/<part>.py`` that holds a ``### BEGIN SOLUTION`` block gets, all at once, one of
these bodies (its signature, decorators and docstring are kept):

- ``return_none``: ``return None``.
- ``return_first_argument``: the first argument (after ``self``) comes back unchanged;
  ``__init__`` and methods without arguments return None.
- ``return_zeros``: zeros (False, 0, empty state) of the structure, dtype and shape the
  reference returns. The reference runs, on deep copies of the arguments, in a namespace of
  its own, so no side effect reaches the real arguments or the names a probe swaps in; only
  the shape of its answer is kept. A constructor's answer is the state it builds, so
  ``__init__`` builds the reference's (empty) state.
- ``empty_blocks``: the provided code stays and each solution block becomes ``pass`` (what a
  stub is after its ``raise NotImplementedError`` line is deleted); a block that returns from
  a function annotated ``-> int``, ``float`` or ``bool`` returns 0, 0.0 or False instead, so
  that a buffer's ``__len__`` still answers.

Everything is driven by the solution markers (``autograder.assign.find_blocks``) and the
module's syntax tree, so a new part or a new student function needs no entry here.
"""
from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.assign import Block, find_blocks
from autograder.parts import PARTS

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
VARIANTS = ("return_none", "return_first_argument", "return_zeros", "empty_blocks")
ZERO_OF_ANNOTATION = {"int": "0", "float": "0.0", "bool": "False"}


@dataclass(frozen=True)
class StudentFunction:
    """A function or method that holds at least one solution block."""

    qualname: str
    """``name`` or ``Class.name``."""
    node: ast.FunctionDef
    blocks: tuple[Block, ...]
    body_start: int
    """First line (1-based) of the body after the docstring."""
    body_end: int
    """Last line of the body, a trailing ``### END SOLUTION`` included."""
    indent: str

    @property
    def is_method(self) -> bool:
        return "." in self.qualname

    def parameters(self) -> list[ast.arg]:
        arguments = self.node.args
        return [*arguments.posonlyargs, *arguments.args]

    def first_argument(self) -> str | None:
        """The first argument after ``self`` (None for ``__init__`` and argument-less methods)."""
        names = [argument.arg for argument in self.parameters()][1 if self.is_method else 0:]
        if self.node.name == "__init__" or not names:
            return None
        return names[0]

    def forwarded_arguments(self) -> str:
        """The call arguments that pass every parameter on as it came."""
        arguments = self.node.args
        forwarded = [argument.arg for argument in self.parameters()]
        if arguments.vararg:
            forwarded.append(f"*{arguments.vararg.arg}")
        forwarded += [f"{argument.arg}={argument.arg}" for argument in arguments.kwonlyargs]
        if arguments.kwarg:
            forwarded.append(f"**{arguments.kwarg.arg}")
        return ", ".join(forwarded)

    def returned_zero(self) -> str:
        """The zero of the annotated return type, or "" if it is not a plain number."""
        returns = self.node.returns
        return ZERO_OF_ANNOTATION.get(returns.id, "") if isinstance(returns, ast.Name) else ""


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef]]:
    """Top-level functions and the methods of top-level classes, with qualified names."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            found += [(f"{node.name}.{item.name}", item) for item in node.body if isinstance(item, ast.FunctionDef)]
    return found


def student_functions(source: str, filename: str) -> list[StudentFunction]:
    """The functions of ``source`` that hold solution blocks, in the order they appear."""
    tree = ast.parse(source, filename)
    blocks = find_blocks(source, filename)
    result, claimed = [], set()
    for qualname, node in _functions(tree):
        inside = tuple(block for block in blocks if node.lineno < block.start <= node.end_lineno)
        if not inside:
            continue
        claimed.update(inside)
        first = node.body[0]
        has_docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                         and isinstance(first.value.value, str))
        body_start = first.end_lineno + 1 if has_docstring else first.lineno
        body_end = max(node.end_lineno, *(block.end for block in inside))
        result.append(StudentFunction(qualname, node, inside, body_start, body_end, " " * first.col_offset))
    stray = [block for block in blocks if block not in claimed]
    if stray:
        raise ValueError(f"{filename}:{stray[0].start}: a solution block outside any function or method")
    return result


# The helpers of the return_zeros variant, appended to the module: the reference runs in a
# namespace of its own (its imports bound when the module is imported, so stand-ins a probe
# puts into the submitted module later do not reach it) and on deep copies of the arguments.
HELPERS_HEADER = "# -- do-nothing helpers: the reference's answer, reduced to zeros of its structure --"
ZEROS_HELPERS = '''

{header}
import copy as _do_nothing_copy
import dataclasses as _do_nothing_dataclasses
import sys as _do_nothing_sys
import types as _do_nothing_types

_do_nothing_reference = _do_nothing_types.ModuleType({module_name!r})
_do_nothing_sys.modules[_do_nothing_reference.__name__] = _do_nothing_reference  # for dataclasses
exec(compile({reference!r}, {module_name!r}, "exec"), _do_nothing_reference.__dict__)


def _do_nothing_zeros(value):
    import numpy
    import torch

    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, numpy.bool_)):
        return False
    if isinstance(value, (int, float, numpy.generic)):
        return type(value)(0)
    if isinstance(value, numpy.ndarray):
        return numpy.zeros_like(value)
    if isinstance(value, torch.Tensor):
        return torch.zeros_like(value.detach())
    if isinstance(value, torch.nn.Module):
        module = _do_nothing_copy.deepcopy(value)
        with torch.no_grad():
            for tensor in [*module.parameters(), *module.buffers()]:
                tensor.zero_()
        return module
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*map(_do_nothing_zeros, value))
    if isinstance(value, (tuple, list)):
        return type(value)(map(_do_nothing_zeros, value))
    if isinstance(value, dict):
        return {{key: _do_nothing_zeros(item) for key, item in value.items()}}
    if _do_nothing_dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [field.name for field in _do_nothing_dataclasses.fields(value) if field.init]
        return _do_nothing_dataclasses.replace(
            value, **{{name: _do_nothing_zeros(getattr(value, name)) for name in fields}})
    return None


def _do_nothing_zeros_of(function, *args, **kwargs):
    args, kwargs = _do_nothing_copy.deepcopy((args, kwargs))
    return _do_nothing_zeros(function(*args, **kwargs))
'''


def _new_body(function: StudentFunction, variant: str) -> list[str]:
    indent = function.indent
    if variant == "return_none":
        return [f"{indent}return None\n"]
    if variant == "return_first_argument":
        return [f"{indent}return {function.first_argument()}\n"]
    if variant == "return_zeros":
        reference = f"_do_nothing_reference.{function.qualname}"
        if function.node.name == "__init__":
            return [f"{indent}{reference}({function.forwarded_arguments()})\n"]
        return [f"{indent}return _do_nothing_zeros_of({reference}, {function.forwarded_arguments()})\n"]
    raise ValueError(f"unknown variant {variant!r}")


def _empty_blocks(function: StudentFunction, lines: list[str]) -> None:
    """Replace each block of ``function`` in ``lines`` (edited in place) by ``pass``."""
    returns = {node.lineno for node in ast.walk(function.node) if isinstance(node, ast.Return)}
    zero = function.returned_zero()
    for block in reversed(function.blocks):
        returning = zero and any(block.start < line < block.end for line in returns)
        lines[block.start - 1 : block.end] = [f"{block.indent}{f'return {zero}' if returning else 'pass'}\n"]


def do_nothing_source(part: str, variant: str) -> str:
    """``solutions/<part>.py`` with every student function's body replaced as ``variant`` says."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; the variants are {VARIANTS}")
    path = SOLUTIONS / f"{part}.py"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    functions = student_functions(source, str(path))
    for function in reversed(functions):  # bottom up, so earlier line numbers stay valid
        if variant == "empty_blocks":
            _empty_blocks(function, lines)
        else:
            lines[function.body_start - 1 : function.body_end] = _new_body(function, variant)
    text = "".join(lines)
    if variant == "return_zeros":
        text += ZEROS_HELPERS.format(header=HELPERS_HEADER, module_name=f"_do_nothing_reference_{part}", reference=source)
    return text


def write_submission(folder: Path, part: str, variant: str) -> Path:
    """A submission in ``folder``: the reference modules, with ``part``'s replaced by the variant
    (the other modules are there because some parts import them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for other in PARTS:
        shutil.copyfile(SOLUTIONS / other.filename, folder / other.filename)
    (folder / f"{part}.py").write_text(do_nothing_source(part, variant), encoding="utf-8")
    return folder
