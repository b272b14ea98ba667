"""Learning curves from a training run's result (``evaluations`` and logged metrics), and a
run drawn against the reference solution's band over seeds."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

REFERENCE_CURVES = Path(__file__).resolve().parent / "reference_curves"
"""Where ``benchmarks/make_figures.py`` stores the reference bands (one JSON file each)."""


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


@dataclass
class ReferenceCurve:
    """The reference solution's greedy evaluation return over several seeds, with the
    course's config: the median and the range at each evaluation step. A run that solved its
    task stopped there; its curve is held at its last value, and the band ends where the
    last run stopped."""

    name: str
    """File stem in ``dqkit/reference_curves/``, e.g. ``cartpole_dqn``."""
    title: str
    """What was run, e.g. "DQN (course config) on CartPole-v1"."""
    threshold: float
    """The return that counts as solved."""
    seeds: int
    """Training seeds behind the band."""
    steps: list[int]
    """Environment steps of the evaluations."""
    median: list[float]
    low: list[float]
    high: list[float]

    def save(self, folder: Path = REFERENCE_CURVES) -> Path:
        folder.mkdir(exist_ok=True)
        path = folder / f"{self.name}.json"
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")
        return path


def reference_curve_names(folder: Path = REFERENCE_CURVES) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.json"))


def load_reference_curve(name: str, folder: Path = REFERENCE_CURVES) -> ReferenceCurve:
    """The stored band ``name``; a ValueError names the stored ones if there is none."""
    path = folder / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no reference curve named {name!r}; the stored ones are "
                         f"{', '.join(reference_curve_names(folder)) or 'none'} (made by benchmarks/make_figures.py)")
    return ReferenceCurve(**json.loads(path.read_text(encoding="utf-8")))


def plot_against_reference(result: Any, reference: str, label: str = "your run", axes=None):
    """Draw a run's greedy evaluations (``result.evaluations``) over the reference solution's
    band ``reference`` (see ``reference_curve_names()``: ``cartpole_dqn``, ``pendulum_ddpg``,
    ...). Compare like with like: the band was made with the course's default config.
    Returns the matplotlib axes."""
    curve = load_reference_curve(reference)
    if axes is None:
        _, axes = plt.subplots(figsize=(8, 3.5))
    axes.fill_between(curve.steps, curve.low, curve.high, color="gray", alpha=0.25,
                      label=f"reference: range over {curve.seeds} seeds")
    axes.plot(curve.steps, curve.median, color="gray", linestyle="--", label="reference: median")
    if result.evaluations:
        axes.plot(*zip(*result.evaluations), "o-", label=label)
    axes.axhline(curve.threshold, color="black", linestyle=":", label="solved")
    axes.set_xlabel("environment steps")
    axes.set_ylabel("greedy evaluation return")
    axes.set_title(curve.title)
    axes.legend(loc="best")
    return axes


def compare_to_reference(result: Any, reference: str, title: str = ""):
    """Two panels side by side: the run itself (``plot_run``, with the band's threshold) and
    the run over the reference band ``reference`` (``plot_against_reference``). Returns the
    matplotlib figure."""
    threshold = load_reference_curve(reference).threshold
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 3.5))
    plot_run(result, threshold=threshold, title=title, axes=left)
    plot_against_reference(result, reference, axes=right)
    figure.tight_layout()
    return figure
