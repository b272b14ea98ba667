"""How long a student waits for ``python -m autograder check PART``.

    python benchmarks/check_latency.py [DIR] [--repeats N] [--part PART ...]

Runs ``check PART`` on DIR (default: solutions/) as a student runs it, a fresh process
from the repository root each time, N times per part (the parts taken in turn, so that a
change in the machine's load spreads over all of them), and times the sandboxed worker's
start alone (Python, torch and the kit's preloaded modules, until it answers). Prints the
median, min and max wall time of each, with the date and the machine's facts: timings on
a shared machine are noisy, so compare medians of several runs taken the same way.

The speed goal lives here, not in a timed test: every part's public check answers within
GOAL_SECONDS on the 2-core machine the kit targets, the worker's start included.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.parts import PARTS  # noqa: E402
from autograder.sandbox import Worker, isolation  # noqa: E402

GOAL_SECONDS = 4.0
"""The longest a public check may take, from the command to its last line."""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_facts() -> list[str]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    sandbox = isolation()
    return [
        f"date: {datetime.datetime.now().isoformat(timespec='minutes')}",
        f"machine: {cores} cores usable ({os.cpu_count()} in all), CPU {cpu_model()}, load average {load}",
        f"python {platform.python_version()}, torch {importlib.metadata.version('torch')}, "
        f"sandbox: {'bubblewrap' if sandbox.sandboxed else 'off (' + sandbox.reason + ')'}, "
        f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}",
    ]


def time_check(part: str, directory: str) -> float:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "check", part, directory], cwd=REPO,
                          capture_output=True, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"check {part} {directory} failed (exit code {done.returncode}):\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def time_worker_start(directory: str) -> float:
    start = time.monotonic()
    with Worker(Path(directory), [part.name for part in PARTS]) as worker:
        worker.start()
        return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default="solutions",
                        help="the modules to check, relative to the repository root (default: solutions)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per part (default 5)")
    parser.add_argument("--part", action="append", help="only this part (repeatable; default: all)")
    args = parser.parse_args()
    parts = args.part or [part.name for part in PARTS]

    facts = machine_facts()
    seconds: dict[str, list[float]] = {"worker start alone": []}
    seconds.update({f"check {part}": [] for part in parts})
    for _ in range(args.repeats):
        seconds["worker start alone"].append(time_worker_start(str(REPO / args.directory)))
        for part in parts:
            seconds[f"check {part}"].append(time_check(part, args.directory))

    print("\n".join(facts))
    print(f"{args.repeats} runs each on {args.directory}/; goal: every check within {GOAL_SECONDS:g} s\n")
    width = max(len(label) for label in seconds)
    print(f"{'':<{width}}  median     min     max")
    for label, values in seconds.items():
        mark = ""
        if label.startswith("check ") and statistics.median(values) > GOAL_SECONDS:
            mark = "  over the goal"
        print(f"{label:<{width}}  {statistics.median(values):6.2f}  {min(values):6.2f}  {max(values):6.2f}{mark}")
    print(f"load average at the end: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
