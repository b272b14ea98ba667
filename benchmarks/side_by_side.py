"""What the side-by-side benchmarks against Stable-Baselines3 share.

Every agent is evaluated the same way: greedily, on ``episodes`` episodes every ``every``
environment steps, from the start states our own loop uses (``dqkit.envs.evaluate`` with
seed ``10_000 + seed`` for CartPole's DQN loop, ``10_000`` for every run of the
continuous-action loop), stopping at the first evaluation whose mean return reaches the
threshold. Runs go to two processes (one per core, one torch thread each), so every
agent sees the same machine load. A runner returns one row:
``{"agent", "seed", "steps" (None if never solved), "seconds", "last", "budget"}``.
"""
from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Evaluation:
    env_id: str
    threshold: float
    every: int
    episodes: int
    same_starts: bool = False
    """Evaluate every seed's run from the same start states (as dqkit/continuous.py does)."""

    def start_seed(self, seed: int) -> int:
        return 10_000 if self.same_starts else 10_000 + seed


def use_reference() -> None:
    """Make ``solutions/`` and ``dqkit`` importable and keep torch on one thread."""
    import torch

    sys.path.insert(0, str(REPO / "solutions"))
    sys.path.insert(0, str(REPO))
    torch.set_num_threads(1)


def learn_sb3(model, evaluation: Evaluation, seed: int, budget: int, name: str, warmup: int = 0) -> dict:
    """Train a Stable-Baselines3 ``model`` for ``budget`` steps with the shared greedy
    evaluation (from ``warmup`` steps on) and early stop; one result row."""
    from stable_baselines3.common.callbacks import BaseCallback

    from dqkit.envs import evaluate

    class GreedyEvaluation(BaseCallback):
        def __init__(self):
            super().__init__()
            self.solved_at, self.last = None, float("nan")

        def _on_step(self) -> bool:
            if self.num_timesteps < warmup or self.num_timesteps % evaluation.every:
                return True
            policy = lambda observations: self.model.predict(observations, deterministic=True)[0]  # noqa: E731
            self.last = float(np.mean(evaluate(policy, evaluation.env_id, evaluation.episodes,
                                               seed=evaluation.start_seed(seed))))
            if self.last >= evaluation.threshold:
                self.solved_at = self.num_timesteps
                return False
            return True

    start = time.monotonic()
    callback = GreedyEvaluation()
    model.learn(budget, callback=callback)
    return {"agent": name, "seed": seed, "steps": callback.solved_at, "seconds": time.monotonic() - start,
            "last": callback.last, "budget": budget}


def row_from_result(name: str, seed: int, result, seconds: float, budget: int) -> dict:
    """One result row from one of our loops' results (``solved_at``, ``evaluations``)."""
    last = result.evaluations[-1][1] if result.evaluations else float("nan")
    return {"agent": name, "seed": seed, "steps": result.solved_at, "seconds": seconds, "last": last,
            "budget": budget}


def require_sb3() -> None:
    try:
        import stable_baselines3  # noqa: F401
    except ImportError:
        raise SystemExit("Stable-Baselines3 is not installed: "
                         ".venv/bin/python -m pip install -r benchmarks/requirements.txt") from None


def run_all(run: Callable[[tuple[str, int]], dict], agents: list[str], seeds: int) -> list[dict]:
    """``run((agent, seed))`` for every agent and seed, on two processes."""
    jobs = [(agent, seed) for seed in range(seeds) for agent in agents]
    with Pool(2) as pool:
        return pool.map(run, jobs)


def _median_steps(rows: list[dict]) -> float | None:
    solved = [row["steps"] for row in rows if row["steps"] is not None]
    return statistics.median(solved) if solved else None


def report(rows: list[dict], agents: list[str], seeds: int, evaluation: Evaluation, ours: str) -> None:
    """Print the per-seed table, the medians, and the ratios of ``ours`` to every other agent."""
    print(f"{evaluation.env_id}, greedy evaluation ({evaluation.episodes} episodes) every "
          f"{evaluation.every} steps, threshold {evaluation.threshold:g}")
    print(f"{'seed':>4} | " + " | ".join(f"{agent + ' steps':>16} {'s':>6} {'last':>6}" for agent in agents))
    by_key = {(row["agent"], row["seed"]): row for row in rows}
    for seed in range(seeds):
        cells = []
        for agent in agents:
            row = by_key[(agent, seed)]
            cells.append(f"{row['steps'] if row['steps'] else 'never':>16} {row['seconds']:6.1f} {row['last']:6.0f}")
        print(f"{seed:>4} | " + " | ".join(cells))
    medians = {}
    for agent in agents:
        mine = [row for row in rows if row["agent"] == agent]
        solved = sum(row["steps"] is not None for row in mine)
        medians[agent] = (_median_steps(mine), statistics.median(row["seconds"] for row in mine))
        steps, seconds = medians[agent]
        print(f"{agent}: solved {solved}/{seeds} within {mine[0]['budget']} steps; median steps to threshold "
              f"(solved seeds) {steps}; median wall seconds (all seeds) {seconds:.1f}")
    our_steps, our_seconds = medians[ours]
    for agent in agents:
        if agent == ours:
            continue
        steps, seconds = medians[agent]
        ratio_steps = f"{our_steps / steps:.2f}" if our_steps and steps else "n/a"
        print(f"ratio {ours}/{agent}: steps {ratio_steps}, seconds {our_seconds / seconds:.2f}")
