"""Logging metrics with namespaced names, to CSV and TensorBoard, and the trained networks.

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

A run given a log location (``log_path="runs/NAME.csv"``) writes three things, and a run
without one writes nothing (the grader's runs have none):
- the CSV file itself, at the end of the run;
- TensorBoard event files with the same names and values, as the run goes, in its run
  folder ``runs/NAME/`` (see :func:`run_folder`); ``tensorboard --logdir runs`` shows every
  run in ``runs/`` side by side;
- ``runs/NAME/checkpoint.pt``, the trained networks' weights (see :func:`save_checkpoint`).
A new run at the same log location replaces all three, as it replaces the CSV.
"""
from __future__ import annotations

import csv
import os
import pickle
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

CHECKPOINT_NAME = "checkpoint.pt"
TENSORBOARD_FLUSH_SECONDS = 5
"""How stale a live TensorBoard view may be: the event file is flushed this often (and at
the end of the run)."""


def run_folder(log_path: str | Path) -> Path:
    """The folder of one run's TensorBoard events and checkpoint: the CSV's path without its
    suffix (``runs/dqn_seed1.csv`` -> ``runs/dqn_seed1/``)."""
    path = Path(log_path)
    return path.with_suffix("") if path.suffix else path.with_name(path.name + "_run")


class CsvLogger:
    """Keeps rows of metrics in memory (``rows``); with a ``path``, also writes them to that
    CSV file at the end and to TensorBoard as they come, and saves the trained networks.
    Columns are the union of all keys seen."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path is not None else None
        self.rows: list[dict[str, float]] = []
        self.writer = _tensorboard_writer(run_folder(self.path)) if self.path is not None else None

    def log(self, global_step: int, **metrics: float) -> None:
        self.rows.append({"global_step": global_step, **metrics})
        if self.writer is not None:
            for name, value in metrics.items():
                number = _number(value)
                if number is not None:
                    self.writer.add_scalar(name, number, global_step)

    def save_checkpoint(self, networks: Mapping[str, Any]) -> Path | None:
        """Save the weights of ``networks`` (name -> module; values that are not torch
        modules are skipped, so an agent's ``vars(agent)`` can be passed) to the run folder;
        returns the file, or None without a log location."""
        if self.path is None:
            return None
        return save_checkpoint(run_folder(self.path) / CHECKPOINT_NAME, networks)

    def close(self) -> None:
        """Write all rows to the CSV (once, at the end, so logging never slows the loop) and
        flush the TensorBoard events."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.path is None or not self.rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        columns = ["global_step"] + sorted({key for row in self.rows for key in row} - {"global_step"})
        with open(self.path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(self.rows)


def _number(value: Any) -> float | None:
    """``value`` as one float, or None where TensorBoard cannot plot it as a scalar (the CSV
    still keeps it)."""
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return None


def _tensorboard_writer(folder: Path):
    """A SummaryWriter on ``folder``, emptied of an earlier run's event files; None, with a
    warning, if the tensorboard package is missing (the CSV is still written)."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        warnings.warn("TensorBoard logs are not written: the tensorboard package is missing. Install the "
                      "kit's pinned packages (pip install -r requirements.txt); the CSV is written as before.",
                      stacklevel=3)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("events.out.tfevents.*"):
        old.unlink()
    return SummaryWriter(log_dir=str(folder), flush_secs=TENSORBOARD_FLUSH_SECONDS)


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


# -- checkpoints ---------------------------------------------------------------------------------
class CheckpointError(Exception):
    """A checkpoint that is missing or cannot be read, said in the user's terms."""


def save_checkpoint(path: str | Path, networks: Mapping[str, Any]) -> Path:
    """Write one state dict of all ``networks`` (name -> module; other values skipped):
    ``{"<name>.<parameter or buffer>": tensor}``, e.g. ``q_network.net.0.weight``. Only
    tensors, so :func:`load_checkpoint` reads it without unpickling any object. The file is
    replaced atomically: a reader never sees half of it."""
    path = Path(path)
    state = {f"{name}.{key}": tensor.detach().cpu().clone()
             for name, module in networks.items() if isinstance(module, nn.Module)
             for key, tensor in module.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)
    return path


def load_checkpoint(path: str | Path) -> dict[str, torch.Tensor]:
    """The state dict that :func:`save_checkpoint` wrote. Loaded with ``weights_only=True``,
    so a file that holds anything but tensors is refused, never run. Raises CheckpointError
    for a missing, corrupt or foreign file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}. A training run saves one when it is given a log "
                              "location, e.g. DQNConfig(log_path='runs/NAME.csv') saves runs/NAME/checkpoint.pt.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's notes on foreign pickle protocols
            state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if not str(error).startswith("Weights only load failed"):
            raise CheckpointError(f"{path} is not a readable checkpoint: it is damaged or cut short. "
                                  "Delete it and train again.") from None
        raise CheckpointError(f"{path} is not a readable checkpoint: it holds objects other than tensors, "
                              "which are refused unread (loading them could run code). Delete it and train "
                              "again.") from None
    except Exception:  # torch raises several kinds (EOFError, RuntimeError, ...) for a damaged file
        raise CheckpointError(f"{path} is not a readable checkpoint: it is damaged or cut short. "
                              "Delete it and train again.") from None
    if not (isinstance(state, dict) and state and all(isinstance(key, str) and isinstance(value, torch.Tensor)
                                                      for key, value in state.items())):
        raise CheckpointError(f"{path} is not a kit checkpoint: it should hold a state dict (parameter "
                              "name -> tensor). Delete it and train again.")
    return state


def networks_in(state: Mapping[str, torch.Tensor]) -> set[str]:
    """The names of the networks a checkpoint holds (``{"q_network"}``, ``{"actor", ...}``)."""
    return {key.split(".", 1)[0] for key in state}


def network_state(state: Mapping[str, torch.Tensor], name: str) -> dict[str, torch.Tensor]:
    """The state dict of one network of a checkpoint, ready for ``load_state_dict``."""
    prefix = f"{name}."
    return {key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}
