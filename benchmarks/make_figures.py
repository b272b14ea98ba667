"""Regenerate the lecture notes' figures from real runs of the reference solution.

    .venv/bin/python benchmarks/make_figures.py [--seeds 5] [--only NAME ...]

Writes PNGs into ``lecture_notes/figures/`` (the notes embed them):

- ``cartpole_dqn.png``: greedy evaluation return of the course's DQN on CartPole-v1 against
  environment steps, the median and the range over seeds;
- ``pendulum_agents.png``: the same for DDPG, NAF and sampling-based Q-learning on
  Pendulum-v1;
- ``overestimation.png``: the start state's predicted value max_a Q(s_0, a) during training,
  with DQN and with double-DQN targets (classic settings: hard target updates), against the
  discounted return the greedy policies actually collect, on a corridor whose every action is
  worth exactly 0 (``dqkit.demos.NoisyCorridor``);
- ``n_step_chain.png``: how many rounds 1-, 3- and 10-step targets need to carry a sparse
  reward back to the start of a chain;
- ``maximizers.png``: the gap to the true maximum of random shooting, CEM and CMA-ES (from
  ``cma``) at equal numbers of critic evaluations, on rotated quadratics in 4 dimensions.

Training runs are spread over two processes (one per core, one torch thread each). A run
stops when it solves its task; its curve is then held at its last value, so every seed's
curve spans the whole budget.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from multiprocessing import Pool
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIGURES = REPO / "lecture_notes" / "figures"
AGENTS = {"DQN": ("dqn_loop", "DQNConfig"), "DDPG": ("ddpg", "DDPGConfig"), "NAF": ("naf", "NAFConfig"),
          "sampled Q-learning": ("sampled_q", "SampledQConfig")}


def use_reference() -> None:
    import torch

    sys.path.insert(0, str(REPO / "solutions"))
    sys.path.insert(0, str(REPO))
    torch.set_num_threads(1)


def train_run(job: tuple[str, int]) -> tuple[str, int, list[tuple[int, float]], int]:
    """One training run of the reference: (agent, seed, evaluations, budget)."""
    agent, seed = job
    use_reference()
    module_name, config_name = AGENTS[agent]
    module = importlib.import_module(module_name)
    config = getattr(module, config_name)(seed=seed, progress=False)
    return agent, seed, list(module.train(config).evaluations), config.total_steps


def band(runs: list[list[tuple[int, float]]], budget: int, every: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps and a [seeds, steps] array of returns, each run held at its last value."""
    steps = np.arange(every, budget + 1, every)
    table = np.full((len(runs), len(steps)), np.nan)
    for row, evaluations in enumerate(runs):
        known = dict(evaluations)
        last = np.nan
        for column, step in enumerate(steps):
            last = known.get(step, last)
            table[row, column] = last
    return steps, table


def plot_bands(axes, results: dict[str, list], budgets: dict[str, int], threshold: float, every: int) -> None:
    for agent, runs in results.items():
        steps, table = band(runs, budgets[agent], every)
        evaluated = ~np.all(np.isnan(table), axis=0)  # before the first evaluation, nothing to draw
        steps, table = steps[evaluated], table[:, evaluated]
        median = np.nanmedian(table, axis=0)
        axes.plot(steps, median, label=f"{agent} (median of {len(runs)} seeds)")
        axes.fill_between(steps, np.nanmin(table, axis=0), np.nanmax(table, axis=0), alpha=0.2)
    axes.axhline(threshold, color="black", linestyle="--", label="solved")
    axes.set_xlabel("environment steps")
    axes.set_ylabel("greedy evaluation return")
    axes.legend(loc="lower right")


def learning_figures(seeds: int, names: list[str]) -> None:
    wanted = [agent for agent in AGENTS if (agent == "DQN" and "cartpole_dqn" in names)
              or (agent != "DQN" and "pendulum_agents" in names)]
    if not wanted:
        return
    with Pool(2) as pool:
        runs = pool.map(train_run, [(agent, seed) for agent in wanted for seed in range(seeds)])
    results: dict[str, list] = {}
    budgets: dict[str, int] = {}
    for agent, _, evaluations, budget in runs:
        results.setdefault(agent, []).append(evaluations)
        budgets[agent] = budget
    if "DQN" in results:
        figure, axes = plt.subplots(figsize=(7, 3.5))
        plot_bands(axes, {"DQN": results["DQN"]}, budgets, 475.0, 500)
        axes.set_title("DQN (course config) on CartPole-v1; band: range over seeds")
        save(figure, "cartpole_dqn.png")
    pendulum = {agent: runs for agent, runs in results.items() if agent != "DQN"}
    if pendulum:
        figure, axes = plt.subplots(figsize=(7, 3.5))
        plot_bands(axes, pendulum, budgets, -200.0, 1_000)
        axes.set_xlim(0, 12_000)
        axes.set_title("Pendulum-v1 (course configs); bands: range over seeds")
        save(figure, "pendulum_agents.png")


OVERESTIMATION_SETTINGS = dict(target_update="hard", learning_rate_end=1e-3, solved_return=None,
                               total_steps=10_000, eval_every=500, eval_episodes=1, progress=False)
"""Classic DQN settings (hard target updates every 500 steps, a constant learning rate): the
target network lags the online one by up to 500 steps, which is what double DQN relies on."""


def overestimation_run(job: tuple[bool, int]) -> tuple[bool, list[tuple[int, float]], float]:
    """(double_q, [(env steps, predicted start value)], actual discounted return) of one run.

    The loop evaluates its greedy policy every ``eval_every`` steps; the run records the
    start state's predicted value at those moments by wrapping the loop's ``greedy_policy``,
    as the grader's recording stand-ins do."""
    double_q, seed = job
    use_reference()
    import dqn_loop
    from dqkit.demos import discounted_return, start_value
    from dqkit.envs import NOISY_CORRIDOR

    predictions: list[float] = []
    plain_greedy_policy = dqn_loop.greedy_policy

    def recording_greedy_policy(q_network):
        predictions.append(start_value(q_network, NOISY_CORRIDOR))
        return plain_greedy_policy(q_network)

    dqn_loop.greedy_policy = recording_greedy_policy
    config = dqn_loop.DQNConfig(env_id=NOISY_CORRIDOR, seed=seed, double_q=double_q, **OVERESTIMATION_SETTINGS)
    result = dqn_loop.train(config)
    steps = [step for step, _ in result.evaluations]
    actual = discounted_return(result.q_network, NOISY_CORRIDOR, config.gamma, episodes=200, seed=50_000 + seed)
    return double_q, list(zip(steps, predictions)), actual


def overestimation_figure(seeds: int) -> None:
    with Pool(2) as pool:
        runs = pool.map(overestimation_run, [(double_q, seed) for double_q in (False, True) for seed in range(seeds)])
    figure, axes = plt.subplots(figsize=(7, 3.5))
    actual_returns = []
    for double_q, label in ((False, "DQN targets"), (True, "double-DQN targets")):
        curves = [curve for flag, curve, _ in runs if flag == double_q]
        steps = np.array([step for step, _ in curves[0]])
        table = np.array([[value for _, value in curve] for curve in curves])
        line, = axes.plot(steps, np.median(table, axis=0), label=f"{label}: predicted max Q(s0, a)")
        axes.fill_between(steps, table.min(axis=0), table.max(axis=0), alpha=0.2, color=line.get_color())
        actual_returns += [actual for flag, _, actual in runs if flag == double_q]
    axes.axhline(0.0, color="black", linestyle="--", label="true value of every action: 0")
    axes.axhline(float(np.mean(actual_returns)), color="gray", linestyle=":",
                 label=f"actual discounted return of the final greedy policies ({len(actual_returns) * 200} episodes)")
    axes.set_xlabel("environment steps")
    axes.set_ylabel("value of the start state")
    axes.set_title(f"Noisy corridor (10 cells, 16 actions, rewards N(0, 4)); median and range of {seeds} seeds",
                   fontsize=9)
    axes.legend(fontsize=8, loc="upper left")
    save(figure, "overestimation.png")


def n_step_figure() -> None:
    use_reference()
    from dqkit.demos import chain_windows
    from n_step import n_step_targets

    states, gamma, rounds = 10, 0.9, 12
    figure, axes = plt.subplots(figsize=(7, 3.5))
    for n in (1, 3, 10):
        values, history = np.zeros(states), []
        for _ in range(rounds):
            values = n_step_targets(*chain_windows(values, n), gamma).numpy().astype(np.float64)
            history.append(values[0])
        axes.plot(range(1, rounds + 1), history, "o-", label=f"{n}-step targets")
    axes.axhline(gamma ** (states - 1), color="black", linestyle="--", label="true V(start)")
    axes.set_xlabel("round of updates")
    axes.set_ylabel("V(start) of a 10-state chain")
    axes.legend()
    save(figure, "n_step_chain.png")


def maximizers_figure() -> None:
    use_reference()
    from cem import cem_argmax
    from dqkit.demos import RotatedQuadratics, maximizer_gaps
    from random_shooting import random_shooting

    budgets = [40, 80, 160, 320, 640]
    gaps = maximizer_gaps(RotatedQuadratics(batch=16, dimension=4), budgets, random_shooting, cem_argmax,
                          np.random.default_rng(0))
    figure, axes = plt.subplots(figsize=(7, 3.5))
    for name, values in gaps.items():
        axes.loglog(budgets, values, "o-", label=name)
    axes.set_xlabel("critic evaluations per observation")
    axes.set_ylabel("mean gap to the true max")
    axes.set_title("4-D rotated quadratics, 16 observations")
    axes.legend()
    save(figure, "maximizers.png")


def save(figure, name: str) -> None:
    FIGURES.mkdir(exist_ok=True)
    figure.tight_layout()
    figure.savefig(FIGURES / name, dpi=110)
    plt.close(figure)
    print(f"wrote lecture_notes/figures/{name}")


FIGURE_NAMES = ["cartpole_dqn", "pendulum_agents", "overestimation", "n_step_chain", "maximizers"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="training seeds per agent")
    parser.add_argument("--only", nargs="+", choices=FIGURE_NAMES, default=FIGURE_NAMES)
    args = parser.parse_args()
    learning_figures(args.seeds, args.only)
    if "overestimation" in args.only:
        overestimation_figure(args.seeds)
    if "n_step_chain" in args.only:
        n_step_figure()
    if "maximizers" in args.only:
        maximizers_figure()


if __name__ == "__main__":
    main()
