"""Calibrate the milestones at which a clearly failing learning run stops early.

    .venv/bin/python benchmarks/calibrate_milestones.py --part dqn_loop --seeds 50

Trains the reference (``solutions/``) with the course config of the part's learning check,
one run per seed (seed 1000 + k, as ``calibrate_learning.py`` does), exactly as grading
runs it but without stopping: after every ``--every`` environment steps the network being
trained is measured as the grader measures (``autograder/shared/policies.py``), and the end
of the run is measured the same way. From those measurements it picks the milestones
(``choose``): at most two steps, each with a minimum return ``--fraction`` of the way from
what an agent that never learns gets up to the lowest return of the reference runs still
going there, kept only if it is clearly above the never-learning level.

It prints, and writes into ``benchmarks/calibration.md`` (section ``<part>_milestones``):
each milestone's per-seed pass rate with a 95% upper confidence bound on its failure rate
(Clopper-Pearson, from the number of seeds), the per-seed failure rate of the whole run
(a milestone or the end), and the resulting bound on a correct submission failing the check
when it tries ``--tries`` seeds in turn. The milestones it prints go into the part's
``secret/cases.py`` by hand. The raw measurements go to ``benchmarks/milestones_<part>.json``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from calibrate_learning import read_sections  # noqa: E402

LEARNING_CASES = {"dqn_loop": "cartpole", "dueling": "cartpole", "sampled_q": "pendulum", "naf": "pendulum", "ddpg": "pendulum"}
NEVER_LEARNS = {"CartPole-v1": 20.0, "Pendulum-v1": -1200.0}
"""A greedy return that a network which never learned stays near or below: on CartPole an
untrained network mostly holds one action and falls within about 10 steps (a random policy
lasts about 22); on Pendulum an untrained actor scores about -1200 to -1600. A milestone's
minimum must clear it by MARGIN."""
MARGIN = {"CartPole-v1": 10.0, "Pendulum-v1": 100.0}


def case_of(part: str) -> tuple[Path, dict]:
    path = REPO / "autograder" / "parts" / part / "secret" / "hidden.json"
    return path, json.loads(path.read_text())


def one_run(job: tuple[str, int, int]) -> dict:
    """One reference run of ``part`` with ``seed``, measured every ``every`` steps."""
    part, seed, every = job
    sys.path[:0] = [str(REPO / "solutions"), str(REPO)]
    import importlib

    import torch

    torch.set_num_threads(1)  # as in the worker
    from autograder.probes import _training
    from autograder.shared.policies import greedy_return

    probes = importlib.import_module(f"autograder.parts.{part}.probes")
    _, cases = case_of(part)
    config = dict(cases[LEARNING_CASES[part]]["args"]["config"], seed=seed)
    grid = [[step, 0.0] for step in range(every, int(config["total_steps"]), every)]
    recorded: list[_training.Milestones] = []

    class Recording(_training.Milestones):
        """The probe's own monitor, measuring at every grid step without ever stopping."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **dict(kwargs, record=True))
            recorded.append(self)

    # The probe finds the monitor class by name in its own module (dqn_loop) or in _training.
    original = _training.Milestones
    homes = [module for module in (probes, _training) if getattr(module, "Milestones", None) is original]
    for module in homes:
        module.Milestones = Recording
    try:
        start = time.monotonic()
        result = probes.learn(config, grid)
        seconds = time.monotonic() - start
    finally:
        for module in homes:
            module.Milestones = original
    monitor = recorded[0] if recorded else None
    final = greedy_return(part, config, seed, result["state"])
    return {"seed": seed, "measured": monitor.measured if monitor else [], "steps": monitor.steps if monitor else None,
            "final": final, "passed": final >= config["solved_return"], "seconds": round(seconds, 1)}


def upper_bound(failures: int, n: int, confidence: float = 0.95) -> float:
    """Clopper-Pearson upper bound on a failure rate from ``failures`` in ``n``."""
    if failures >= n:
        return 1.0
    low, high = failures / n, 1.0
    for _ in range(60):  # bisection on P(Binomial(n, p) <= failures) = 1 - confidence
        middle = (low + high) / 2
        tail = sum(math.comb(n, k) * middle**k * (1 - middle) ** (n - k) for k in range(failures + 1))
        low, high = (middle, high) if tail > 1 - confidence else (low, middle)
    return high


def choose(runs: list[dict], env_id: str, fraction: float, total_steps: int) -> list[list[float]]:
    """The milestones: the earliest candidate step (it stops an agent that never learns
    soonest) and the candidate nearest the middle of the budget (it stops one that learned
    and collapsed). At each step the minimum is ``fraction`` of the way from what a network
    that never learned gets up to the lowest return of the reference runs still going there,
    rounded down to a multiple of 10; the step is a candidate if that clears the
    never-learning level by MARGIN."""
    candidates = []
    for step in sorted({step for run in runs for step, _ in run["measured"]}):
        lowest = min(value for run in runs for at, value in run["measured"] if at == step)
        never = NEVER_LEARNS[env_id]
        minimum = math.floor((never + fraction * (lowest - never)) / 10) * 10
        if minimum >= NEVER_LEARNS[env_id] + MARGIN[env_id]:
            candidates.append([step, float(minimum)])
    if not candidates:
        return []
    middle = min(candidates, key=lambda candidate: abs(candidate[0] - total_steps / 2))
    return [candidates[0]] + ([middle] if middle != candidates[0] else [])


def passes_milestones(run: dict, milestones: list[list[float]]) -> bool:
    at = dict(run["measured"])
    return all(at.get(step, math.inf) >= minimum for step, minimum in milestones)


def report(part: str, runs: list[dict], milestones: list[list[float]], tries: int, total_steps: int) -> list[str]:
    n = len(runs)
    lines = [f"## {part}_milestones", "",
             f"{part}: milestones at which a clearly failing learning run stops early "
             "(`benchmarks/calibrate_milestones.py`).", "",
             f"{n} reference runs (seeds 1000 to {1000 + n - 1}), each measured as the grader measures every few "
             f"thousand steps and at its end. A run is checked at a milestone only if it is still going there "
             "(a run that solved the task earlier has stopped). The bound is a 95% Clopper-Pearson upper bound on "
             "the per-seed failure rate; the check fails a correct submission only if all of the "
             f"{tries} seeds it tries fail, so its false-fail probability is at most the bound to the power {tries}.",
             "", "| milestone (steps of " + f"{total_steps}) | minimum greedy return | reference runs passing | "
             "upper bound on failure |", "|---|---|---|---|"]
    for step, minimum in milestones:
        reached = [run for run in runs if any(at == step for at, _ in run["measured"])]
        failing = sum(1 for run in reached if dict(run["measured"])[step] < minimum)
        lines.append(f"| {step} | {minimum:g} | {len(reached) - failing} of {len(reached)} still going "
                     f"({n - len(reached)} had stopped) | {upper_bound(failing, n):.3f} |")
    failed = sum(1 for run in runs if not (run["passed"] and passes_milestones(run, milestones)))
    final_failed = sum(1 for run in runs if not run["passed"])
    bound = upper_bound(failed, n)
    lines += ["", f"End of run: {n - final_failed} of {n} solve. Whole run (milestones and end): {n - failed} of {n} "
                  f"pass; per-seed failure rate {failed / n:.3f}, upper bound {bound:.3f}; false-fail bound with "
                  f"{tries} seeds: {bound ** tries:.1e}.",
              "", f"Median run time {sorted(run['seconds'] for run in runs)[n // 2]:.1f} s, two runs side by side "
                  f"(load average {os.getloadavg()[0]:.1f} when the table was written).", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", required=True, choices=list(LEARNING_CASES))
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--every", type=int, default=1000, help="environment steps between measurements")
    parser.add_argument("--fraction", type=float, default=0.5, help="a milestone's minimum lies this fraction of "
                        "the way from the never-learning level up to the lowest reference return there")
    parser.add_argument("--tries", type=int, default=None, help="seeds the check tries (default: the case's)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--from-json", action="store_true", help="reuse the stored measurements")
    args = parser.parse_args()

    raw = REPO / "benchmarks" / f"milestones_{args.part}.json"
    if args.from_json:
        runs = json.loads(raw.read_text())["runs"]
    else:
        jobs = [(args.part, 1000 + k, args.every) for k in range(args.seeds)]
        runs = []
        with ProcessPoolExecutor(args.jobs) as pool:
            for run in pool.map(one_run, jobs):
                runs.append(run)
                print(f"seed {run['seed']}: final {run['final']:.0f} after {run['steps']} steps, "
                      f"{run['seconds']:.0f} s", flush=True)
        raw.write_text(json.dumps({"every": args.every, "runs": runs}, indent=1) + "\n")
    _, cases = case_of(args.part)
    case = cases[LEARNING_CASES[args.part]]
    config = case["args"]["config"]
    milestones = choose(runs, config["env_id"], args.fraction, int(config["total_steps"]))
    tries = args.tries or len(case["args"]["seeds"])
    lines = report(args.part, runs, milestones, tries, int(config["total_steps"]))
    print("\n".join(lines))
    out = REPO / "benchmarks" / "calibration.md"
    sections = read_sections(out)
    sections[f"{args.part}_milestones"] = lines
    text = out.read_text().rstrip("\n").split("\n## ")[0]
    body = [text, ""] + [line for name in sections for line in sections[name]]
    out.write_text("\n".join(body).rstrip("\n") + "\n")
    print(f"milestones for autograder/parts/{args.part}/secret/cases.py: {milestones}")


if __name__ == "__main__":
    main()
