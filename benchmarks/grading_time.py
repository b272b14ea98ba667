"""How long grading one submission takes, and where the time goes.

    python benchmarks/grading_time.py [DIR] [--repeats N] [--jobs J] [--never-learning]

Prints, over N gradings of DIR (default: solutions/) with J learning runs side by side
(default: as ``grade`` chooses, see ``DQKIT_JOBS``): the wall time of the whole
``grade`` call, of starting a worker (Python + torch), the time pytest spends in each
part's tests, and the peak memory (resident set) of the grader's process and of the
largest worker, the figures to hold against a grading platform's memory limit.

``--never-learning`` grades, instead of DIR, the reference with one bug in each learning
part that stops its agent from ever learning (``NEVER_LEARNS``, buggy variants from
``tests/mutants.py`` that their learning check catches on every calibration seed): the
slowest ordinary submission, which pays for every seed a learning check tries.
"""
from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.grading import grade, learning_jobs  # noqa: E402
from autograder.parts import PARTS  # noqa: E402
from autograder.sandbox import Worker  # noqa: E402
from tests.mutants import MUTANTS, mutated_source  # noqa: E402

NEVER_LEARNS = {"dqn_loop": "forgets_obs_next_obs", "sampled_q": "maximizes_at_observations",
                "naf": "mu_detached", "ddpg": "actor_loss_sign_flipped"}
"""Per learning part, a buggy variant with which the agent never learns its task."""


@contextlib.contextmanager
def never_learning():
    """A folder holding the reference with the NEVER_LEARNS bugs."""
    with tempfile.TemporaryDirectory(prefix="never-learning-") as folder:
        for part in PARTS:
            shutil.copy(REPO / "solutions" / part.filename, Path(folder) / part.filename)
        for part, name in NEVER_LEARNS.items():
            [mutant] = [m for m in MUTANTS if m.part == part and m.name == name]
            (Path(folder) / f"{part}.py").write_text(mutated_source(mutant))
        yield folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default=str(REPO / "solutions"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="learning runs side by side (default: DQKIT_JOBS, "
                                                                "else the cores this process may use)")
    parser.add_argument("--never-learning", action="store_true", help="grade the reference with a bug that stops "
                        "learning in each learning part instead of DIR")
    args = parser.parse_args()
    jobs = learning_jobs() if args.jobs is None else args.jobs
    with contextlib.ExitStack() as stack:
        if args.never_learning:
            args.directory = stack.enter_context(never_learning())
        measure(args, jobs)


def measure(args: argparse.Namespace, jobs: int) -> None:

    startups = []
    for _ in range(args.repeats):
        start = time.monotonic()
        with Worker(Path(args.directory), [part.name for part in PARTS]) as worker:
            worker.call("replay_buffer.run", {"capacity": 1, "obs_shape": [1], "action_dim": None,
                                              "transitions": {}, "ops": []})
        startups.append(time.monotonic() - start)

    walls, per_part = [], {part.name: [] for part in PARTS}
    score = maximum = 0.0
    for _ in range(args.repeats):
        start = time.monotonic()
        report = grade(Path(args.directory), jobs=jobs)
        walls.append(time.monotonic() - start)
        score, maximum = report.score, report.max_score
        for part in PARTS:
            per_part[part.name].append(sum(t.seconds for t in report.tests if t.part == part.name))

    def line(label: str, values: list[float]) -> str:
        return (f"{label:<38} median {statistics.median(values):6.2f} s   min {min(values):6.2f} s"
                f"   max {max(values):6.2f} s")

    print(f"submission: {args.directory}   score {score:g}/{maximum:g}   repeats: {args.repeats}   jobs: {jobs}")
    print("whole grade() calls:", ", ".join(f"{wall:.1f} s" for wall in walls))
    print(line("whole grade() call", walls))
    print(line("worker start + first call (torch import)", startups))
    for name, values in per_part.items():
        print(line(f"  tests of {name} (incl. setup)", values))
    # ru_maxrss is in KiB on Linux; for children it is the largest one's peak.
    grader = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak resident memory: grader process {grader:.0f} MB, largest worker {worker:.0f} MB")


if __name__ == "__main__":
    main()
