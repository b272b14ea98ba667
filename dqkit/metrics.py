"""Logging metrics to CSV with namespaced names.

Names used by the training loops (the notes explain each):
- ``charts/episodic_return``: undiscounted return of a finished training episode.
- ``charts/eval_return``: mean greedy-evaluation return.
- ``charts/epsilon``, ``charts/learning_rate``: the schedules' current values.
- ``losses/td_loss``, ``losses/q_values``, ``losses/targets``, ``losses/grad_norm``: from
  the last gradient step (see ``update_q_network`` in the dqn part).
- ``losses/critic_loss`` (sampled_q, ddpg), ``losses/q_loss`` (naf), ``losses/actor_loss``
  (ddpg): the regression loss of the critic or Q-network and DDPG's actor loss, from the
  last gradient step of the continuous-action parts.
Every row also has ``global_step``, the number of environment steps taken so far.
"""
from __future__ import annotations

import csv
from pathlib import Path


class CsvLogger:
    """Appends rows of metrics to a CSV file; columns are the union of all keys seen."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path is not None else None
        self.rows: list[dict[str, float]] = []

    def log(self, global_step: int, **metrics: float) -> None:
        self.rows.append({"global_step": global_step, **metrics})

    def close(self) -> None:
        """Write all rows (once, at the end, so logging never slows the loop)."""
        if self.path is None or not self.rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        columns = ["global_step"] + sorted({key for row in self.rows for key in row} - {"global_step"})
        with open(self.path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(self.rows)


def read_csv(path: str | Path) -> dict[str, list[tuple[int, float]]]:
    """Metric name -> [(global_step, value), ...] from a CsvLogger file."""
    series: dict[str, list[tuple[int, float]]] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            step = int(float(row["global_step"]))
            for key, value in row.items():
                if key != "global_step" and value not in ("", None):
                    series.setdefault(key, []).append((step, float(value)))
    return series
