"""Gradescope: build the autograder zip, and grade inside Gradescope's container.

``python -m autograder gradescope OUT.zip`` writes a zip with ``setup.sh`` and
``run_autograder`` at its root and the grader beside them (``autograder/`` with the hidden
tests and fixtures, ``dqkit/``, the kit's notebooks, which ask the written questions, the
pinned requirements); never ``solutions/``. Gradescope
unpacks it into ``/autograder/source``, runs ``setup.sh`` once as root when it builds the
image, and runs ``run_autograder`` for every submission, which calls :func:`run`.

:func:`run` writes a fallback ``results.json`` (score 0) before anything else, copies the
graded modules and notebooks out of the submission (``autograder/submission.py``), grades them with student code running as an
unprivileged account (the grader stays root; ``setup.sh`` made the hidden tests, hidden
fixtures, fixture builders and the results folder unreadable to other accounts), and
finally replaces ``results.json`` atomically with the real one, so any results file student
code managed to write is discarded. The submission's written answers (``autograder/answers.py``)
end its top-level output, ungraded. Every root path is a parameter, so a test can lay out a
temporary folder like ``/autograder``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder import answers, sanitize
from autograder.grading import (fallback_results, format_report, gradescope_results, grade, refused_results,
                                write_json_atomically)
from autograder.parts import PARTS, part_named
from autograder.submission import SubmissionError, collect

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
SHIPPED = ["autograder", "dqkit", "notebooks", "requirements.txt", "pyproject.toml", "README.md"]
"""What the zip holds besides the scripts; ``notebooks/`` asks the written questions."""
DEFAULT_ACCOUNT = "dqstudent"


def build_zip(out: Path) -> list[str]:
    """Write the Gradescope autograder zip; return the names it holds."""
    names = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for script in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o100755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, (TEMPLATES / f"gradescope_{script}").read_text(encoding="utf-8"))
            names.append(script)
        for item in SHIPPED:
            path = REPO_ROOT / item
            files = [path] if path.is_file() else sorted(path.rglob("*"))
            for file in files:
                if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                    name = str(file.relative_to(REPO_ROOT))
                    bundle.write(file, name)
                    names.append(name)
    return names


def run(root: Path, run_as: str | None, parts: list[str] | None = None) -> dict:
    """Grade ``root/submission`` into ``root/results/results.json``; return the results."""
    results_path = root / "results" / "results.json"
    write_json_atomically(results_path, fallback_results("grading started"))
    if run_as:
        os.chmod(results_path.parent, 0o700)  # student code, run as run_as, cannot touch it
    selected = [part_named(name) for name in parts] if parts else list(PARTS)
    with tempfile.TemporaryDirectory(prefix="dq-submission-") as scratch:
        os.chmod(scratch, 0o755)
        try:
            found, problem = collect(root / "submission", Path(scratch)).modules, None
        except SubmissionError as error:
            found, problem = [], str(error)
        written = answers.read(Path(scratch))  # before student code runs; nothing is run
        if problem is not None:
            results = answers.with_answers(refused_results(problem), written)
            print(answers.summary(written))
            write_json_atomically(results_path, results)
            return results
        report = grade(Path(scratch), selected, run_as=run_as)
    results = gradescope_results(report)
    missing = [name for name in (part.filename for part in selected)
               if name not in found and name not in report.from_notebooks]
    if missing:
        results["output"] = (results.get("output", "") + "\n" if results.get("output") else "") + (
            f"Not found in your submission: {', '.join(missing)} (their tests score 0). Upload the files "
            "themselves or a zip of them, named as in assignments/.")
    results = answers.with_answers(results, written)  # ungraded: the score stays the grader's
    print(format_report(report))  # goes to results/stdout, which students do not see
    print(answers.summary(written))
    write_json_atomically(results_path, results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope",
                                     description="Grade one Gradescope submission (called by run_autograder).")
    parser.add_argument("--root", default="/autograder", help="Gradescope's folder (default /autograder)")
    parser.add_argument("--run-as", default=DEFAULT_ACCOUNT,
                        help=f"account for student code when running as root (default {DEFAULT_ACCOUNT}); "
                             "'' runs it as the grader's own account")
    parser.add_argument("--part", action="append", help="grade only this part (repeatable; for tests)")
    args = parser.parse_args(argv)
    sanitize.tolerant_streams()
    run_as = args.run_as if args.run_as and os.geteuid() == 0 else None
    try:
        run(Path(args.root), run_as, args.part)
    except BaseException as error:  # noqa: BLE001 - results.json must stay valid whatever happens
        reason = f"the grader failed ({type(error).__name__}: {error}); the course staff has the details"
        write_json_atomically(Path(args.root) / "results" / "results.json", fallback_results(reason))
        print(sanitize.text(f"grading failed: {type(error).__name__}: {error}"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
