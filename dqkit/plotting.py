"""Learning curves from a training run's result (``evaluations`` and logged metrics)."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt


def plot_run(result: Any, threshold: float | None = None, title: str = "", axes=None):
    """Plot one run: the return of every training episode (``charts/episodic_return`` in
    ``result.logger.rows``) as dots, the greedy evaluations (``result.evaluations``) as a
    line, and the ``threshold`` that counts as solved. Returns the matplotlib axes."""
    if axes is None:
        _, axes = plt.subplots(figsize=(8, 3.5))
    rows = result.logger.rows if result.logger is not None else []
    episodes = [(row["global_step"], row["charts/episodic_return"]) for row in rows if "charts/episodic_return" in row]
    if episodes:
        axes.plot(*zip(*episodes), ".", alpha=0.3, label="training episode (exploring)")
    if result.evaluations:
        axes.plot(*zip(*result.evaluations), "o-", label="greedy evaluation")
    if threshold is not None:
        axes.axhline(threshold, color="black", linestyle="--", label="solved")
    axes.set_xlabel("environment steps")
    axes.set_ylabel("return")
    axes.set_title(title)
    axes.legend(loc="best")
    return axes


def describe_run(result: Any) -> str:
    """One line: when the run solved its task, or the best evaluation it reached."""
    if result.solved_at is not None:
        return f"solved at {result.solved_at} environment steps"
    best = max((value for _, value in result.evaluations), default=float("nan"))
    return f"not solved within {result.env_steps} environment steps (best greedy evaluation {best:.0f})"
