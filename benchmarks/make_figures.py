"""Regenerate the lecture notes' figures from real runs of the reference solution.

    .venv/bin/python benchmarks/make_figures.py [--seeds 5] [--only NAME ...]

Writes PNGs into ``lecture_notes/figures/`` (the notes embed them):

- ``cartpole_dqn.png``: greedy evaluation return of the course's DQN on CartPole-v1 against
  environment steps, the median and the range over seeds;
- ``pendulum_agents.png``: the same for DDPG, NAF and sampling-based Q-learning on
  Pendulum-v1;
- ``online_to_dqn.png``: from online Q-learning to the course's DQN on CartPole-v1, adding a
  replay buffer, a target network, then Polyak averaging and double-DQN targets;
- ``target_lag.png``: the parameter distance between the online and the target network
  during a CartPole run, with hard copies and with Polyak averaging;
- ``overestimation.png``: the start state's predicted value max_a Q(s_0, a) during training,
  with DQN and with double-DQN targets (classic settings: hard target updates), against the
  discounted return the greedy policies actually collect, on a corridor whose every action is
  worth exactly 0 (``dqkit.demos.NoisyCorridor``);
- ``n_step_chain.png``: how many rounds 1-, 3- and 10-step targets need to carry a sparse
  reward back to the start of a chain;
- ``maximizers.png``: the gap to the true maximum of random shooting, CEM and CMA-ES (from
  ``cma``) at equal numbers of critic evaluations, on rotated quadratics in 4 dimensions;
- ``dueling.png``: the course's DQN on CartPole-v1 with the plain QNetwork and with the
  DuelingQNetwork (median and range over seeds), and the value and advantage streams of the
  trained dueling network of seed 0 along an episode of random actions (the dueling band is
  also stored, as ``cartpole_dueling``).
- ``pixels.png``: FlickerCatch-v0's frames through the pixels part's pipeline (the last frame
  of a step, the max of its two frames, the preprocessed frame), and the greedy return of the
  course's pixel DQN against agent steps (median and range over seeds), with the reference's
  pieces and with the frame max left out.

The course-config bands of the first two figures are also stored in
``dqkit/reference_curves/`` (one JSON file per agent), so that a student's own run can be
drawn against them: ``dqkit.plotting.plot_against_reference``.

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

from autograder.curve import LEARNING_RUNS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIGURES = REPO / "lecture_notes" / "figures"
AGENTS = {"DQN": "dqn_loop", "DDPG": "ddpg", "NAF": "naf", "sampled Q-learning": "sampled_q"}
"""Figure label -> part; each part's config class and stored band are in ``LEARNING_RUNS``."""
ONLINE_TO_DQN = {
    "online Q-learning": dict(buffer_capacity=1, batch_size=1, target_update="hard", target_update_every=1,
                              double_q=False),
    "+ replay buffer": dict(target_update="hard", target_update_every=1, double_q=False),
    "+ target network (hard copy every 500 steps)": dict(target_update="hard", target_update_every=500,
                                                         double_q=False),
    "+ Polyak averaging, double-DQN targets": {},
}
"""From online Q-learning to the course's DQN on CartPole-v1, one change at a time: DQNConfig
overrides (everything else is the course config). A target network copied after every step
is, in effect, no target network; a buffer of one transition sampled in batches of one is
online Q-learning."""


def use_reference() -> None:
    import torch

    sys.path.insert(0, str(REPO / "solutions"))
    sys.path.insert(0, str(REPO))
    torch.set_num_threads(1)


def train_run(job: tuple[str, str, int, dict]) -> tuple[str, str, list, int, int, list]:
    """One training run of the reference, job = (figure, label, seed, config overrides);
    returns (figure, label, evaluations, budget, eval_every, logged mean predicted Q-values)."""
    figure, label, seed, overrides = job
    use_reference()
    part = AGENTS["DQN" if figure == "online_to_dqn" else label]
    module = importlib.import_module(part)
    config = getattr(module, LEARNING_RUNS[part].config)(seed=seed, progress=False, **overrides)
    result = module.train(config)
    q_values = [(row["global_step"], row["losses/q_values"]) for row in result.logger.rows if "losses/q_values" in row]
    return figure, label, list(result.evaluations), config.total_steps, config.eval_every, q_values


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


def reference_curve(name: str, title: str, runs: list, budget: int, every: int, threshold: float):
    from dqkit.plotting import ReferenceCurve

    steps, table = band(runs, budget, every)
    last_evaluation = max(evaluations[-1][0] for evaluations in runs)
    # Nothing to draw before the first evaluation, nor once every run has stopped.
    drawn = ~np.all(np.isnan(table), axis=0) & (steps <= last_evaluation)
    steps, table = steps[drawn], table[:, drawn]
    return ReferenceCurve(name=name, title=title, threshold=threshold, seeds=len(runs),
                          steps=[int(step) for step in steps], median=np.nanmedian(table, axis=0).tolist(),
                          low=np.nanmin(table, axis=0).tolist(), high=np.nanmax(table, axis=0).tolist())


def plot_curves(axes, curves: dict, threshold: float) -> None:
    for label, curve in curves.items():
        axes.plot(curve.steps, curve.median, label=f"{label} (median of {curve.seeds} seeds)")
        axes.fill_between(curve.steps, curve.low, curve.high, alpha=0.2)
    axes.axhline(threshold, color="black", linestyle="--", label="solved")
    axes.set_xlabel("environment steps")
    axes.set_ylabel("greedy evaluation return")
    axes.legend(loc="lower right", fontsize=8)


def learning_jobs(seeds: int, names: list[str]) -> list[tuple[str, str, int, dict]]:
    labels = {"cartpole_dqn": ["DQN"], "pendulum_agents": ["DDPG", "NAF", "sampled Q-learning"],
              "online_to_dqn": list(ONLINE_TO_DQN)}
    return [(figure, label, seed, ONLINE_TO_DQN.get(label, {}) if figure == "online_to_dqn" else {})
            for figure in labels if figure in names for label in labels[figure] for seed in range(seeds)]


def learning_figures(seeds: int, names: list[str]) -> None:
    """The figures of training runs (all of them in one pool, so both cores stay busy); the
    course-config bands are also stored for ``dqkit.plotting.plot_against_reference``."""
    jobs = learning_jobs(seeds, names)
    if not jobs:
        return
    with Pool(2) as pool:
        runs = pool.map(train_run, jobs)
    grouped: dict[tuple[str, str], list] = {}
    settings: dict[tuple[str, str], tuple[int, int]] = {}
    q_values: dict[str, list] = {}
    for figure, label, evaluations, budget, every, logged_q_values in runs:
        grouped.setdefault((figure, label), []).append(evaluations)
        settings[figure, label] = (budget, every)
        if figure == "online_to_dqn":
            q_values.setdefault(label, []).append(logged_q_values)

    def curves(figure: str, threshold: float, title: str) -> dict:
        return {label: reference_curve(LEARNING_RUNS[AGENTS[label]].reference if label in AGENTS else label,
                                       title.format(label=label),
                                       grouped[figure, label], *settings[figure, label], threshold)
                for (name, label) in grouped if name == figure}

    if "cartpole_dqn" in names:
        dqn = curves("cartpole_dqn", 475.0, "DQN (course config) on CartPole-v1")
        dqn["DQN"].save()
        figure, axes = plt.subplots(figsize=(7, 3.5))
        plot_curves(axes, dqn, 475.0)
        axes.set_title("DQN (course config) on CartPole-v1; band: range over seeds")
        save(figure, "cartpole_dqn.png")
    if "pendulum_agents" in names:
        pendulum = curves("pendulum_agents", -200.0, "{label} (course config) on Pendulum-v1")
        for curve in pendulum.values():
            curve.save()
        figure, axes = plt.subplots(figsize=(7, 3.5))
        plot_curves(axes, pendulum, -200.0)
        axes.set_title("Pendulum-v1 (course configs); bands: range over seeds")
        save(figure, "pendulum_agents.png")
    if "online_to_dqn" in names:
        online_to_dqn_figure(curves("online_to_dqn", 475.0, "{label}"),
                             {label: runs for (name, label), runs in grouped.items() if name == "online_to_dqn"},
                             q_values)


def online_to_dqn_figure(curves: dict, evaluations: dict[str, list], q_values: dict[str, list]) -> None:
    """Left: greedy evaluation return; right: the median over seeds of the mean predicted
    Q-value of the minibatches (logged every 1,000 steps), on a symmetric log scale, against
    the largest value any CartPole state can have. Prints each setting's solved seeds and
    largest predicted Q-value."""
    figure, (returns, values) = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_curves(returns, curves, 475.0)
    returns.get_legend().remove()
    returns.set_title("greedy evaluation return; bands: range over seeds", fontsize=10)
    budget = max(curve.steps[-1] for curve in curves.values())
    for label, runs in q_values.items():
        steps, table = band(runs, budget, 1_000)
        values.plot(steps, np.nanmedian(table, axis=0), label=label)
        solved = sum(any(value >= 475.0 for _, value in run) for run in evaluations[label])
        print(f"{label}: solved {solved} of {len(runs)} seeds; largest mean predicted Q {np.nanmax(table):.3g}")
    values.axhline(100.0, color="black", linestyle=":", label="largest true value, 1 / (1 - gamma) = 100")
    values.set_yscale("symlog", linthresh=10)
    values.set_ylim(-1, 1e9)  # the medians are never negative; symlog's default range wastes half the panel
    values.set_xlabel("environment steps")
    values.set_ylabel("mean predicted Q on the minibatches")
    values.set_title("predicted Q-values, median of the seeds (symmetric log scale)", fontsize=10)
    handles, labels = values.get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    figure.suptitle("From online Q-learning to DQN on CartPole-v1, one change at a time", fontsize=11)
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    save(figure, "online_to_dqn.png", layout=False)


def target_lag_figure() -> None:
    """How far the target network trails the online one, with hard copies every 500 steps
    and with Polyak averaging (tau = 0.01), in one CartPole run each (seed 0). The distance
    is recorded at every gradient step by wrapping the loop's ``compute_targets``."""
    use_reference()
    import dqn_loop
    import torch

    plain_compute_targets = dqn_loop.compute_targets
    figure, axes = plt.subplots(figsize=(7, 3.5))
    for label, overrides in (("hard copy every 500 steps", dict(target_update="hard", target_update_every=500)),
                             ("Polyak averaging, tau = 0.01", dict(target_update="polyak", tau=0.01))):
        distances: list[float] = []

        def recording_compute_targets(batch, q_network, target_network, gamma, double_q):
            with torch.no_grad():
                distances.append(float(torch.sqrt(sum(((online - target) ** 2).sum() for online, target in zip(
                    q_network.parameters(), target_network.parameters())))))
            return plain_compute_targets(batch, q_network, target_network, gamma, double_q)

        dqn_loop.compute_targets = recording_compute_targets
        config = dqn_loop.DQNConfig(seed=0, total_steps=4_000, solved_return=None, progress=False, **overrides)
        dqn_loop.train(config)
        axes.plot(np.arange(len(distances)) + config.learning_starts, distances, label=label)
    dqn_loop.compute_targets = plain_compute_targets
    axes.set_xlabel("environment steps (one gradient step each)")
    axes.set_ylabel(r"parameter distance $\|\phi - \phi'\|$")
    axes.set_title("How far the target network trails the online network (DQN on CartPole-v1, seed 0)", fontsize=9)
    axes.legend()
    save(figure, "target_lag.png")


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


def dueling_run(job: tuple[bool, int]) -> tuple[bool, list[tuple[int, float]], int, int, dict | None]:
    """(dueling, evaluations, budget, eval_every, streams) of one run of the course's DQN on
    CartPole-v1, with the plain QNetwork or the DuelingQNetwork; for the dueling network of
    seed 0, also its streams along one episode of random actions (``dueling_episode``)."""
    with_dueling, seed = job
    use_reference()
    import dqn_loop
    import dueling

    config = dqn_loop.DQNConfig(seed=seed, progress=False)
    result = (dueling.train if with_dueling else dqn_loop.train)(config)
    streams = dueling_episode(result.q_network) if with_dueling and seed == 0 else None
    return with_dueling, list(result.evaluations), config.total_steps, config.eval_every, streams


def dueling_episode(network, seed: int = 3) -> dict[str, list]:
    """V(s), A(s, .) and Q(s, .) of ``network`` on the states of one CartPole-v1 episode of
    uniformly random actions (the pole falls within a few dozen steps), and the pole's angle."""
    import gymnasium as gym
    import torch

    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(seed)
    observation, _ = env.reset(seed=seed)
    observations, done = [observation], False
    while not done:
        observation, _, terminated, truncated, _ = env.step(int(rng.integers(2)))
        done = terminated or truncated
        if not terminated:
            observations.append(observation)
    env.close()
    batch = torch.as_tensor(np.stack(observations), dtype=torch.float32)
    with torch.no_grad():
        values, advantages = network.streams(batch)
        q_values = network(batch)
    return {"angle": batch[:, 2].tolist(), "values": values.tolist(), "advantages": advantages.tolist(),
            "q_values": q_values.tolist()}


def dueling_figure(seeds: int) -> None:
    """Left: greedy evaluation return of the course's DQN with each network, median and range
    over seeds. Right: the streams of seed 0's trained dueling network along an episode of
    random actions: V(s) (which Q's mean over actions equals) and the two advantages."""
    with Pool(2) as pool:
        runs = pool.map(dueling_run, [(flag, seed) for flag in (False, True) for seed in range(seeds)])
    figure, (returns, streams) = plt.subplots(1, 2, figsize=(11, 4.2))
    curves = {}
    for flag, label in ((False, "QNetwork"), (True, "DuelingQNetwork")):
        mine = [evaluations for with_dueling, evaluations, *_ in runs if with_dueling == flag]
        budget, every = next((budget, every) for with_dueling, _, budget, every, _ in runs if with_dueling == flag)
        name = LEARNING_RUNS["dueling"].reference if flag else label
        curves[label] = reference_curve(name, f"{LEARNING_RUNS['dueling'].title} (course config)" if flag else label,
                                        mine, budget, every, 475.0)
        solved = [next((step for step, value in evaluations if value >= 475.0), None) for evaluations in mine]
        print(f"{label}: solved {sum(step is not None for step in solved)} of {len(mine)} seeds, at steps {solved}")
    curves["DuelingQNetwork"].save()  # the band that ``curve dueling`` draws a student's run against
    plot_curves(returns, curves, 475.0)
    returns.set_title("DQN (course config) on CartPole-v1; bands: range over seeds", fontsize=10)
    episode = next(streams for with_dueling, _, _, _, streams in runs if streams is not None)
    steps = np.arange(len(episode["values"]))
    advantages, q_values = np.array(episode["advantages"]), np.array(episode["q_values"])
    values = np.array(episode["values"])
    centred = q_values - values[:, None]  # A(s, a) - mean_a' A(s, a')
    streams.plot(steps, values, color="black", label="V(s) = mean of Q(s, .) over actions")
    streams.plot(steps, centred[:, 0], label="A(s, push left) - mean advantage")
    streams.plot(steps, centred[:, 1], label="A(s, push right) - mean advantage")
    streams.plot(steps, advantages.mean(axis=1), color="gray", linestyle=":",
                 label="mean of the advantage head's outputs (subtracted)")
    streams.axhline(0.0, color="gray", linewidth=0.5)
    streams.set_xlabel("step of an episode of random actions (the pole falls at its end)")
    streams.set_ylabel("stream output")
    streams.set_title("the trained dueling network's two streams (seed 0)", fontsize=10)
    streams.legend(fontsize=8, loc="center left")
    print(f"along the random episode of {len(steps)} states: V from {values[0]:.1f} to {values[-1]:.1f}; "
          f"largest |centred A| {np.abs(centred).max():.2f}, in the first half {np.abs(centred[:len(steps) // 2]).max():.2f}; "
          f"mean of the advantage head's outputs from {advantages.mean(axis=1).min():.2f} to "
          f"{advantages.mean(axis=1).max():.2f}; largest |mean_a Q - V| {np.abs(q_values.mean(axis=1) - values).max():.2g}; "
          f"pole angle at the end {episode['angle'][-1]:.3f} rad")
    save(figure, "dueling.png")


def pixels_run(job: tuple[bool, int]) -> tuple[bool, list[tuple[int, float]], int, int]:
    """(with the frame max, evaluations, budget, eval_every) of one run of the course's pixel
    DQN on FlickerCatch-v0, with the reference's pieces or with max_frames replaced by the
    last frame alone."""
    with_max, seed = job
    use_reference()
    import pixels
    from dqkit.pixels import PixelDQNConfig, train

    pieces = pixels.pieces()
    if not with_max:
        pieces = pieces._replace(max_frames=lambda previous, last: last)
    config = PixelDQNConfig(seed=seed)
    return with_max, list(train(config, pieces).evaluations), config.total_steps, config.eval_every


def pixels_figure(seeds: int) -> None:
    """Left: one step's frames of FlickerCatch-v0 through the pipeline. Right: the greedy return
    of the course's pixel DQN with and without the frame max, median and range over seeds."""
    import gymnasium as gym

    use_reference()
    import pixels
    from dqkit.catch import FLICKER_CATCH
    from dqkit.pixels import PixelDQNConfig

    config = PixelDQNConfig()
    with Pool(2) as pool:
        runs = pool.map(pixels_run, [(flag, seed) for flag in (True, False) for seed in range(seeds)])
    env = gym.make(FLICKER_CATCH)
    env.reset(seed=1)
    for _ in range(3):
        odd, *_ = env.step(1)
        even, *_ = env.step(1)
    env.close()
    figure = plt.figure(figsize=(12, 3.6))
    grid = figure.add_gridspec(1, 5, width_ratios=[1, 1, 1, 0.2, 3.2])
    combined = pixels.max_frames(odd, even)
    panels = [(even, "last frame of the step"), (combined, "max of its two frames"),
              (pixels.preprocess_frame(combined, config.downsample), "preprocessed")]
    for column, (image, title) in enumerate(panels):
        axis = figure.add_subplot(grid[0, column])
        axis.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=255)
        axis.set_title(title, fontsize=9)
        axis.axis("off")
    curves = figure.add_subplot(grid[0, 4])
    for flag, label in ((True, "reference pieces"), (False, "without the frame max (last frame only)")):
        mine = [evaluations for with_max, evaluations, _, _ in runs if with_max == flag]
        steps, table = band(mine, config.total_steps, config.eval_every)
        curves.plot(steps, np.nanmedian(table, axis=0), label=f"{label} ({len(mine)} seeds)")
        curves.fill_between(steps, np.nanmin(table, axis=0), np.nanmax(table, axis=0), alpha=0.2)
        solved = [evaluations[-1][0] for evaluations in mine if evaluations and evaluations[-1][1] >= config.solved_return]
        print(f"pixels, {label}: solved {len(solved)} of {len(mine)}, at steps {solved}")
    curves.axhline(config.solved_return, color="gray", linestyle=":", linewidth=1)
    curves.set_xlabel("agent steps (2 frames each)")
    curves.set_ylabel("mean greedy return")
    curves.set_title("DQN from pixels on FlickerCatch-v0", fontsize=10)
    curves.legend(fontsize=8, loc="lower right")
    save(figure, "pixels.png")


def save(figure, name: str, layout: bool = True) -> None:
    FIGURES.mkdir(exist_ok=True)
    if layout:
        figure.tight_layout()
    figure.savefig(FIGURES / name, dpi=110)
    plt.close(figure)
    print(f"wrote lecture_notes/figures/{name}")


FIGURE_NAMES = ["cartpole_dqn", "pendulum_agents", "online_to_dqn", "target_lag", "overestimation",
                "n_step_chain", "maximizers", "dueling", "pixels"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="training seeds per agent")
    parser.add_argument("--only", nargs="+", choices=FIGURE_NAMES, default=FIGURE_NAMES)
    args = parser.parse_args()
    learning_figures(args.seeds, args.only)
    if "target_lag" in args.only:
        target_lag_figure()
    if "overestimation" in args.only:
        overestimation_figure(args.seeds)
    if "n_step_chain" in args.only:
        n_step_figure()
    if "maximizers" in args.only:
        maximizers_figure()
    if "dueling" in args.only:
        dueling_figure(args.seeds)
    if "pixels" in args.only:
        pixels_figure(args.seeds)


if __name__ == "__main__":
    main()
