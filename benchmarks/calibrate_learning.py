"""Calibrate the learning checks: false-fail rate on the reference, catch rate on bugs.

    .venv/bin/python benchmarks/calibrate_learning.py [--seeds 50] [--bug-seeds 5] [--checks ...]

Each learning check of the grader is run exactly as grading runs it (same probe, same
pass rule from the parts' checks), but with the check's seed replaced by seed
0 .. N-1: on ``solutions/`` (every failure is a false fail) and on buggy variants of the
part (every failure is a catch; the variants are the mutants of ``tests/mutants.py``).
The table is written to ``benchmarks/calibration.md``.
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.graders.learning import check_solves  # noqa: E402
from autograder.graders.support import Failure, load_fixture  # noqa: E402
from autograder.parts import PARTS  # noqa: E402
from autograder.parts.ddpg import checks as ddpg_checks  # noqa: E402
from autograder.parts.double_dqn import checks as double_dqn_checks  # noqa: E402
from autograder.parts.dqn import checks as dqn_checks  # noqa: E402
from autograder.parts.dqn_loop import checks as dqn_loop_checks  # noqa: E402
from autograder.parts.dueling import checks as dueling_checks  # noqa: E402
from autograder.parts.n_step import checks as n_step_checks  # noqa: E402
from autograder.parts.naf import checks as naf_checks  # noqa: E402
from autograder.parts.pixels import checks as pixels_checks  # noqa: E402
from autograder.parts.sampled_q import checks as sampled_q_checks  # noqa: E402
from autograder.sandbox import UNBUDGETED, StudentCrash, StudentError, Worker  # noqa: E402
from tests.mutants import MUTANTS, mutated_source  # noqa: E402


def _seeded(case: dict, seed: int) -> dict:
    case = copy.deepcopy(case)
    case["args"]["seed"] = seed
    return case


def fitted_q(worker: Worker, seed: int) -> None:
    dqn_checks.check_fitted_q_chain(worker, _seeded(load_fixture("public", "dqn")["fitted_q_chain"], seed))


def overestimation(worker: Worker, seed: int) -> None:
    double_dqn_checks.check_overestimation(worker, _seeded(load_fixture("public", "double_dqn")["overestimation"], seed))


def n_step_chain(worker: Worker, seed: int) -> None:
    cases = load_fixture("public", "n_step")
    n_step_checks.check_chain_propagation(worker, _seeded(cases["chain_n3"], seed), _seeded(cases["chain_n1"], seed))


def cartpole(worker: Worker, seed: int) -> None:
    case = copy.deepcopy(load_fixture("hidden", "dqn_loop")["cartpole"])
    # Seeds are tried in groups of as many as the check tries, starting at a different one.
    tries = len(case["args"]["seeds"])
    case["args"]["seeds"] = [1_000 + tries * seed + k for k in range(tries)]
    check_solves(worker, case, "DQNConfig", "DQN", dqn_loop_checks.CARTPOLE_ADVICE)


def cartpole_one_seed(worker: Worker, seed: int) -> None:
    case = copy.deepcopy(load_fixture("hidden", "dqn_loop")["cartpole"])
    case["args"]["seeds"] = [1_000 + seed]
    check_solves(worker, case, "DQNConfig", "DQN", dqn_loop_checks.CARTPOLE_ADVICE)


def cartpole_dueling_one_seed(worker: Worker, seed: int) -> None:
    case = copy.deepcopy(load_fixture("hidden", "dueling")["cartpole"])
    case["args"]["seeds"] = [1_000 + seed]
    check_solves(worker, case, "DQNConfig", "dueling DQN", dueling_checks.CARTPOLE_ADVICE)


def catch_pixels_one_seed(worker: Worker, seed: int) -> None:
    case = copy.deepcopy(load_fixture("hidden", "pixels")["catch"])
    case["args"]["seeds"] = [1_000 + seed]
    check_solves(worker, case, "PixelDQNConfig", "pixel DQN", pixels_checks.LEARNING_ADVICE)


def pendulum_one_seed(part: str, config_name: str, algorithm: str, advice) -> Callable[[Worker, int], None]:
    """The Pendulum-v1 check of ``part`` for one seed (1000 + seed), as grading runs it."""

    def run(worker: Worker, seed: int) -> None:
        case = copy.deepcopy(load_fixture("hidden", part)["pendulum"])
        case["args"]["seeds"] = [1_000 + seed]
        check_solves(worker, case, config_name, algorithm, advice(case) if callable(advice) else advice)
    return run


@dataclass(frozen=True)
class Check:
    part: str
    run: Callable[[Worker, int], None]
    description: str
    notes: str
    with_bugs: bool = True


CHECKS: dict[str, Check] = {
    "fitted_q": Check(
        "dqn", fitted_q, "dqn: fitted Q-iteration reaches Q* on a 5-state chain (tolerance 0.01).",
        "The seed sets the table's random start. 60 iterations of 10 SGD steps leave an error of "
        "about 0.9^60 < 0.002 for a correct implementation, so the 0.01 tolerance has a 5x margin."),
    "overestimation": Check(
        "double_dqn", overestimation,
        "double_dqn: on the maximization-bias example, the double-Q target is within 10 standard errors of the true value.",
        "The seed sets the simulated rewards. For a correct double-Q target the mean error is 0 "
        "and a 10-standard-error deviation has probability below 1e-20 (Gaussian tail of a mean "
        "of 4,000 trials); the max-based target sits about 37 standard errors above."),
    "n_step": Check(
        "n_step", n_step_chain,
        "n_step: 3-step targets reach the 8-state chain's start in at most 3 iterations, and sooner than 1-step ones.",
        "The seed sets the table's random start in [0, 0.1), below half of V*(0). The check is "
        "exact (value iteration on a deterministic chain), so a correct implementation cannot fail it."),
    "cartpole": Check(
        "dqn_loop", cartpole,
        "dqn_loop: the whole DQN with the course config solves CartPole-v1 (greedy mean of 5 episodes >= 475 "
        "within 30,000 steps) on one of the 3 seeds tried in turn.",
        "Seeds are tried in groups of 3 (seed s uses 1000+3s .. 1000+3s+2). The budget (30,000 "
        "steps) and the rule (any of 3 seeds) come from the per-seed solve rate below: with a "
        "rate p, a correct implementation fails all three with probability (1 - p)^3. Most loop "
        "bugs still learn CartPole; the recording-probe tests catch them (see tests/mutants.py)."),
    "cartpole_one_seed": Check(
        "dqn_loop", cartpole_one_seed,
        "dqn_loop: per-seed solve rate of the reference with the course config (one seed per run).",
        "Not a check of its own: the rate p behind the 3-seed rule above.", with_bugs=False),
    "cartpole_dueling": Check(
        "dueling", cartpole_dueling_one_seed,
        "dueling: per-seed rate at which the DuelingQNetwork, trained by the DQN loop with the course config, "
        "solves CartPole-v1 (greedy mean of 5 episodes >= 475 within 30,000 steps, measured on the grader's own "
        "dueling network); grading tries up to 4 seeds.",
        "One seed per run (seed s trains with 1000+s), with the reference's other parts (its DQN loop among them), "
        "so a run judges the dueling head alone. With a per-seed rate p, a correct implementation fails the graded "
        "check (4 seeds in turn) with probability (1 - p)^4. A buggy variant counts as caught when it does not "
        "solve; most dueling bugs are caught by the part's deterministic tests whatever this check says."),
    "catch_pixels": Check(
        "pixels", catch_pixels_one_seed,
        "pixels: per-seed rate at which the pixel pieces, trained by the kit's loop (dqkit/pixels.py) with the "
        "course's PixelDQNConfig, catch the ball in FlickerCatch-v0 (greedy mean of 30 episodes >= 0.8 within "
        "8,000 agent steps, played through the grader's own frame pipeline and network).",
        "One seed per run (seed s trains with 1000+s); every run is evaluated from the same 30 start states of its "
        "seed. With a per-seed rate p, a correct implementation fails the graded check (its seeds in turn) with "
        "probability (1 - p)^k. A buggy variant counts as caught when it does not solve; every pixels bug is also "
        "caught by the part's deterministic tests, so this column says which bugs also break learning."),
    "pendulum_sampled_q": Check(
        "sampled_q", pendulum_one_seed("sampled_q", "SampledQConfig", "sampled Q-learning",
                                       sampled_q_checks.pendulum_advice),
        "sampled_q: per-seed rate at which the whole agent with the course config solves Pendulum-v1 "
        "(greedy mean of 10 episodes >= -200 within 12,000 steps); grading tries up to 3 seeds.",
        "One seed per run (seed s trains with 1000+s); every run is evaluated from the same 10 start "
        "states. With a per-seed rate p, a correct implementation fails the graded check (3 seeds in "
        "turn) with probability (1 - p)^3. A buggy variant counts as caught when it does not solve."),
    "pendulum_naf": Check(
        "naf", pendulum_one_seed("naf", "NAFConfig", "NAF", naf_checks.PENDULUM_ADVICE),
        "naf: per-seed rate at which the whole agent with the course config solves Pendulum-v1 "
        "(greedy mean of 10 episodes >= -200 within 20,000 steps); grading tries up to 4 seeds.",
        "As for sampled_q: one seed per run, the same evaluation start states, graded with 4 seeds in turn. "
        "Many buggy variants still solve Pendulum, which has no terminal states (mask bugs change nothing) and "
        "forgives clumsy exploration; the part's deterministic tests catch those, and this check catches the "
        "bugs that break learning."),
    "pendulum_ddpg": Check(
        "ddpg", pendulum_one_seed("ddpg", "DDPGConfig", "DDPG", ddpg_checks.PENDULUM_ADVICE),
        "ddpg: per-seed rate at which the whole agent with the course config solves Pendulum-v1 "
        "(greedy mean of 10 episodes >= -200 within 20,000 steps); grading tries up to 3 seeds.",
        "As for sampled_q: one seed per run, the same evaluation start states, graded with 3 seeds in turn. "
        "Many buggy variants still solve Pendulum, which has no terminal states (mask bugs change nothing) and "
        "forgives clumsy exploration; the part's deterministic tests catch those, and this check catches the "
        "bugs that break learning."),
}


def passes(submission: Path, check: Callable[[Worker, int], None], seeds: range, workers: int = 2) -> list[bool]:
    """Run ``check`` for every seed, on ``workers`` worker processes side by side."""

    def run_share(share: list[int]) -> dict[int, bool]:
        results = {}
        with Worker(submission, [part.name for part in PARTS], UNBUDGETED) as worker:
            for seed in share:
                try:
                    check(worker, seed)
                    results[seed] = True
                except (Failure, StudentError, StudentCrash):
                    results[seed] = False
        return results

    shares = [list(seeds)[k::workers] for k in range(workers)]
    merged: dict[int, bool] = {}
    with ThreadPoolExecutor(workers) as pool:
        for results in pool.map(run_share, shares):
            merged.update(results)
    return [merged[seed] for seed in seeds]


def read_sections(path: Path) -> dict[str, list[str]]:
    """The ``## name`` sections of an existing table, so a run of some checks keeps the rest."""
    sections: dict[str, list[str]] = {}
    if not path.exists():
        return sections
    name = None
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            name = line[3:].strip()
            sections[name] = []
        if name is not None:
            sections[name].append(line)
    return sections


def calibrate(name: str, check: Check, seeds: int, bug_seeds: int, workers: int = 2) -> list[str]:
    """The table section of one check: false fails of the reference, catches of each bug."""
    part = check.part
    start = time.monotonic()
    reference = passes(REPO / "solutions", check.run, range(seeds), workers)
    per_seed = (time.monotonic() - start) * workers / seeds
    false_fails = reference.count(False)
    lines = [f"## {name}", "", check.description, "", check.notes, "",
             f"Reference: {false_fails} false fail(s) in {len(reference)} seeds "
             f"({100 * false_fails / len(reference):.1f}%), {per_seed:.0f} s per seed on one worker.", ""]
    if check.with_bugs:
        lines += ["| buggy variant | bug | caught |", "|---|---|---|"]
    for mutant in [m for m in MUTANTS if m.part == part and check.with_bugs]:
        with tempfile.TemporaryDirectory() as directory:
            submission = Path(directory)
            for source in (REPO / "solutions").glob("*.py"):
                (submission / source.name).write_text(source.read_text())
            (submission / f"{part}.py").write_text(mutated_source(mutant))
            results = passes(submission, check.run, range(bug_seeds), workers)
        lines.append(f"| `{mutant.name}` | {mutant.bug} | {results.count(False)}/{len(results)} |")
    lines += ["", f"({time.monotonic() - start:.0f} s, {seeds} reference seeds, {bug_seeds} per buggy variant)", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=50, help="reference seeds per check")
    parser.add_argument("--bug-seeds", type=int, default=5, help="seeds per buggy variant")
    parser.add_argument("--checks", nargs="*", default=list(CHECKS), choices=list(CHECKS))
    parser.add_argument("--workers", type=int, default=2, help="worker processes side by side (1 on a busy machine)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "calibration.md"))
    args = parser.parse_args()

    out = Path(args.out)
    sections = read_sections(out)
    for name in args.checks:
        sections[name] = calibrate(name, CHECKS[name], args.seeds, args.bug_seeds, args.workers)
        print("\n".join(sections[name][-6:]), flush=True)
    lines = ["# Calibration of the learning checks", "",
             "Produced by `benchmarks/calibrate_learning.py` (each section says with how many seeds).",
             "A false fail is the reference failing a check; a catch is a buggy variant failing it.", ""]
    for name in [*CHECKS, *[other for other in sections if other not in CHECKS]]:
        if name in sections:
            lines += sections[name]
            if sections[name][-1] != "":
                lines.append("")
    out.write_text("\n".join(lines).rstrip("\n") + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
