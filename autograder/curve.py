"""``python -m autograder curve PART``: train your learning part with the course's config and
save its learning curve, drawn over the reference solution's band, as a PNG.

This runs your code in this process, on your machine, like the notebooks do (grading runs it
in a sandbox instead). It is the notebooks' "see it learn" cell for those who work without
Jupyter.
"""
from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

from autograder.parts import LEARNING_PARTS

LEARNING_RUNS = {part.name: part.learning for part in LEARNING_PARTS}


class CurveError(Exception):
    """Why no curve could be drawn, in the student's terms."""


def student_module(part: str, modules: Path):
    """The student's module ``part`` from the folder ``modules``, imported in this process
    (the modules import each other by name). Raises CurveError."""
    if not (modules / f"{part}.py").is_file():
        raise CurveError(f"{modules / f'{part}.py'} does not exist; pass the folder that holds your modules")
    sys.path.insert(0, str(modules.resolve()))
    try:
        return importlib.import_module(part)
    except Exception:
        raise CurveError(f"your {part} failed to import:\n{traceback.format_exc()}") from None


def train_student(module, part: str, seed: int, **settings):
    """``module.train`` with the course's config for ``seed`` (and ``settings`` on top); its
    result. A block not filled in or a crash raises CurveError in the student's terms."""
    import torch

    torch.set_num_threads(1)  # networks this small train faster on one thread than on several
    try:
        return module.train(getattr(module, LEARNING_RUNS[part].config)(seed=seed, **settings))
    except NotImplementedError as error:
        raise CurveError(f"not implemented yet: {error}. Run `python -m autograder check {part}` "
                         "and the checks of the parts it uses first.") from None
    except Exception:
        raise CurveError(f"your {part} crashed while training:\n{traceback.format_exc()}") from None


def draw(part: str, modules: Path, seed: int, out: Path) -> str:
    """Train ``part`` from the modules in ``modules`` with seed ``seed``, save the figure to
    ``out``, and return one line on how the run went. Raises CurveError."""
    if part not in LEARNING_RUNS:
        raise CurveError(f"{part!r} has no learning run; choose one of: {', '.join(LEARNING_RUNS)}")
    module = student_module(part, modules)
    import matplotlib

    matplotlib.use("Agg")
    from dqkit.plotting import compare_to_reference, describe_run

    run = LEARNING_RUNS[part]
    result = train_student(module, part, seed)
    figure = compare_to_reference(result, run.reference, title=f"{run.title}, seed {seed}")
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    return describe_run(result)
