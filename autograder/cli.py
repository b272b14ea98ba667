"""Command line: ``python -m autograder {grade,check,curve,grade-all} ...``, and in the kit (not
in the student hand-out) the instructor commands of ``autograder/instructor.py``."""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

from autograder import answers, grading, sanitize, solution_cells
from autograder.parts import LEARNING_PARTS, PARTS, part_named
from autograder.sandbox import WorkerStartError


def _parts(names: list[str] | None):
    if not names:
        return list(PARTS)
    return [part_named(name) for name in names]


class NothingToGrade(Exception):
    """A path that holds nothing to grade; ``why`` says why without naming the path."""

    def __init__(self, shown: str, why: str, reason: str | None = None):
        super().__init__(f"{shown} {why}")
        self.why = why
        self.reason = reason or f"it {why}"
        """Why, as the end of "Your submission could not be graded: ..."."""


def _submission(path: str, shown: str | None = None) -> Path:
    """``path`` if it is a folder holding something to grade; else NothingToGrade, naming
    ``shown`` (the path the user typed, if it differs)."""
    shown = shown or path
    directory = Path(path)
    if not directory.is_dir():
        raise NothingToGrade(shown, "is not a directory. Pass the folder that holds your modules "
                                    "(e.g. assignments/).")
    expected = [part.filename for part in PARTS]
    if (not any((directory / name).is_file() for name in expected)
            and not solution_cells.extract(solution_cells.notebooks_under(directory), expected).modules):
        raise NothingToGrade(shown, f"holds none of the graded files ({', '.join(expected)}) and no notebook with "
                                    "their solution cells. Pass the folder laid out like assignments/ (or a zip of "
                                    "it), or the notebooks' folder in the notebook editing mode.")
    return directory


@contextlib.contextmanager
def _graded_folder(path: str):
    """A temporary folder holding what is graded of ``path`` (a folder or a ``.zip``),
    copied by the rules every grading uses (``autograder/submission.py``), so that
    ``./kit grade`` sees a submission as Gradescope and ``grade-all`` do."""
    from autograder.submission import SubmissionError, collect

    source = Path(path)
    if not (source.is_dir() or (source.is_file() and path.lower().endswith(".zip"))):
        what = "is neither a directory nor a zip file" if source.exists() else "does not exist"
        raise NothingToGrade(path, f"{what}. Pass the folder that holds your modules (e.g. assignments/) or a "
                                   "zip of it.")
    with tempfile.TemporaryDirectory(prefix="dq-submission-") as scratch:
        try:
            collect(source, Path(scratch))
        except SubmissionError as error:
            raise NothingToGrade(path, f"could not be graded: {error}", reason=str(error)) from None
        yield _submission(scratch, shown=path)


def cmd_grade(args: argparse.Namespace) -> int:
    if args.results:
        grading.write_json_atomically(Path(args.results), grading.fallback_results("grader started"))
    if args.feedback:
        _write_text(Path(args.feedback), grading.BEING_GRADED + "\n")
    try:
        with _graded_folder(args.directory) as submission:
            written = answers.read(submission) or None  # before student code runs; nothing is run
            report = grading.grade(submission, _parts(args.part), run_as=args.run_as)
    except NothingToGrade as error:
        if args.results:
            grading.write_json_atomically(Path(args.results), grading.refused_results(error.reason))
        if args.feedback:
            _write_text(Path(args.feedback), f"Your submission {sanitize.text(error.why)}\n")
        raise SystemExit(f"error: {sanitize.text(error)}") from None
    section = f"\n\n{answers.summary(written)}" if written is not None else ""
    print(grading.format_report(report, show_passed=args.verbose) + section)
    if written is not None and all(answer.missing == answers.NOT_SUBMITTED for answer in written):
        print("  (no notebook was in what was graded: submit.py puts your notebooks' written answers in\n"
              "  submission.zip, and grading that zip shows what your instructor gets)")
    if args.feedback:
        _write_text(Path(args.feedback), grading.format_report(report, for_student=True) + section + "\n")
    if args.results:
        results = grading.gradescope_results(report)
        if written is not None:
            results = answers.with_answers(results, written)
        grading.write_json_atomically(Path(args.results), results)
        print(f"wrote {args.results}")
    return 1 if report.internal_errors else 0


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.selfcheck import check

    part_named(args.part)  # an unknown part is an error before the directory is looked at
    try:
        submission = _submission(args.directory)
    except NothingToGrade as error:
        raise SystemExit(f"error: {sanitize.text(error)}") from None
    return 0 if check(args.part, submission) else 1


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def cmd_curve(args: argparse.Namespace) -> int:
    from autograder.curve import CurveError, draw

    out = Path(args.out or f"curves/{args.part}_seed{args.seed}.png")
    try:
        summary = draw(args.part, Path(args.directory), args.seed, out)
    except CurveError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{args.part}, seed {args.seed}: {summary}\nwrote {out} (your run over the reference's band)")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from autograder.watch import WatchError, watch

    out = Path(args.out or f"videos/{args.part}_seed{args.seed}.gif")
    try:
        seen = watch(args.part, Path(args.directory), args.seed, out, episodes=args.episodes, runs=Path(args.runs))
    except WatchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    origin = f"trained now: {seen.trained_now}" if seen.trained_now is not None else "the newest in " + args.runs
    print(f"{args.part}: the greedy policy of {seen.checkpoint} ({origin})")
    for number, (episode_return, steps) in enumerate(zip(seen.returns, seen.steps), start=1):
        print(f"episode {number}: return {episode_return:.1f} in {steps} steps")
    print(f"wrote {out} ({seen.frames} frames)")
    return 0


def cmd_grade_all(args: argparse.Namespace) -> int:
    from autograder import batch, cluster

    try:
        for name in args.part or []:
            part_named(name)  # an unknown name is an error before anything is graded
        outcome = batch.grade_all(Path(args.submissions), Path(args.out), jobs=args.jobs, force=args.force,
                                  parts=args.part, scheduler=args.scheduler)
    except (batch.SubmissionError, cluster.ClusterError) as error:
        print(f"error: {sanitize.text(error)}", file=sys.stderr)
        return 2
    graded, skipped, failed = len(outcome.graded), len(outcome.skipped), len(outcome.not_graded)
    summary = f"{len(outcome.results)} submission(s): {graded} graded now, {skipped} skipped"
    if skipped:
        summary += " (already graded; --force grades them again)"
    if failed:
        summary += f"; {failed} could not be graded (the gradebook's note column says why)"
    out = Path(args.out)
    print(f"{summary}.\ngradebook: {out / batch.GRADEBOOK} (its test columns: {out / batch.GRADEBOOK_KEY})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a submission (all tests, public and hidden)")
    grade.add_argument("directory", nargs="?", default="assignments",
                       help="folder laid out like assignments/, or a .zip of one (default: assignments)")
    grade.add_argument("--part", action="append", help="grade only this part (repeatable)")
    grade.add_argument("--results", help="also write Gradescope's results.json here")
    grade.add_argument("--feedback", help="also write the table for the student (no internal details) here")
    grade.add_argument("-v", "--verbose", action="store_true", help="list passed tests too")
    grade.add_argument("--run-as", help="run student code as this account (the grader must run as root)")
    grade.set_defaults(run=cmd_grade)

    check = commands.add_parser("check", help="run one part's public tests on your work")
    check.add_argument("part", help=f"one of: {', '.join(p.name for p in PARTS)}")
    check.add_argument("directory", nargs="?", default="assignments")
    check.set_defaults(run=cmd_check)

    curve = commands.add_parser("curve", help="train your learning part and plot it over the reference's band")
    curve.add_argument("part", help=f"one of: {', '.join(part.name for part in LEARNING_PARTS)}")
    curve.add_argument("directory", nargs="?", default="assignments")
    curve.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    curve.add_argument("--out", help="the PNG to write (default: curves/PART_seedN.png)")
    curve.set_defaults(run=cmd_curve)

    watching = commands.add_parser("watch", help="save a GIF of your trained agent acting greedily")
    watching.add_argument("part", help=f"one of: {', '.join(part.name for part in LEARNING_PARTS)}")
    watching.add_argument("directory", nargs="?", default="assignments",
                          help="your modules, to train with if runs/ has no checkpoint of PART (default: assignments)")
    watching.add_argument("--seed", type=int, default=0,
                          help="training seed, and which evaluation start states are played (default 0)")
    watching.add_argument("--episodes", type=int, default=1, help="episodes to play (default 1)")
    watching.add_argument("--out", help="the GIF to write (default: videos/PART_seedN.gif)")
    watching.add_argument("--runs", default="runs",
                          help="where checkpoints are looked for, and a new run is logged (default: runs)")
    watching.set_defaults(run=cmd_watch)

    everyone = commands.add_parser("grade-all", help="grade a folder of submissions into a gradebook")
    everyone.add_argument("submissions", help="folder with one sub-folder or .zip per student")
    everyone.add_argument("--out", required=True, help="where results, feedback and gradebook.csv go")
    where = everyone.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int, default=1, help="students graded side by side (default 1)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on the workers of this Dask scheduler (e.g. tcp://host:8786) instead of here; "
                            "every worker must see SUBMISSIONS and OUT at the same paths (a shared file system) "
                            "and run this kit's environment. Needs the optional extra: pip install -r "
                            "requirements-dask.txt")
    everyone.add_argument("--force", action="store_true", help="regrade students already graded")
    everyone.add_argument("--part", action="append", help="grade only this part (repeatable)")
    everyone.set_defaults(run=cmd_grade_all)

    try:  # the kit's instructor commands; the student hand-out leaves them out
        from autograder.instructor import add_commands
    except ModuleNotFoundError as error:
        if error.name != "autograder.instructor":
            raise
    else:
        add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    sanitize.tolerant_streams()
    args = build_parser().parse_args(argv)
    try:
        grading.learning_jobs()
    except ValueError as error:  # a DQKIT_JOBS that is not a number of workers
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except KeyError as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    except WorkerStartError as error:
        print(f"error: grading could not start, so nothing was graded: {error}", file=sys.stderr)
        return 2
