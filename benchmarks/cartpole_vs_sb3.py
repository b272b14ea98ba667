"""The reference DQN against Stable-Baselines3's DQN on CartPole-v1, side by side.

    .venv/bin/python -m pip install -r benchmarks/requirements.txt   # once
    .venv/bin/python benchmarks/cartpole_vs_sb3.py --seeds 5

Both agents are evaluated the same way, greedily, on 5 episodes every 1,000 environment
steps (after their first 1,000), and stop at the first evaluation whose mean return is at
least 475. Ours uses the course's default ``DQNConfig`` (30,000-step budget);
Stable-Baselines3 uses RL-Zoo's tuned CartPole-v1 hyperparameters (50,000-step budget).
Runs are spread over two processes (one per core, one torch thread each), so both
agents see the same machine load. Printed per seed and as medians: environment steps and
wall seconds to the first evaluation >= 475 (evaluation time included), the last
evaluation's return, and the ratio ours / theirs.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
THRESHOLD, EVAL_EVERY, EVAL_EPISODES = 475.0, 1_000, 5
ZOO_CARTPOLE = dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1_000,
                    gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
                    exploration_fraction=0.16, exploration_final_eps=0.04,
                    policy_kwargs=dict(net_arch=[256, 256]))
ZOO_BUDGET = 50_000


def run_ours(seed: int) -> dict:
    sys.path.insert(0, str(REPO / "solutions"))
    sys.path.insert(0, str(REPO))
    import torch

    from dqn_loop import DQNConfig, train

    torch.set_num_threads(1)
    config = DQNConfig(seed=seed, progress=False, eval_every=EVAL_EVERY, eval_episodes=EVAL_EPISODES,
                       solved_return=THRESHOLD)
    start = time.monotonic()
    result = train(config)
    return {"agent": "ours", "seed": seed, "steps": result.solved_at, "seconds": time.monotonic() - start,
            "last": result.evaluations[-1][1] if result.evaluations else float("nan"), "budget": config.total_steps}


def run_sb3(seed: int) -> dict:
    sys.path.insert(0, str(REPO))
    import gymnasium as gym
    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    from dqkit.envs import evaluate

    torch.set_num_threads(1)

    class GreedyEval(BaseCallback):
        def __init__(self):
            super().__init__()
            self.solved_at, self.last = None, float("nan")

        def _on_step(self) -> bool:
            if self.num_timesteps < 1_000 or self.num_timesteps % EVAL_EVERY:
                return True
            policy = lambda observations: self.model.predict(observations, deterministic=True)[0]  # noqa: E731
            self.last = float(np.mean(evaluate(policy, "CartPole-v1", EVAL_EPISODES, seed=10_000 + seed)))
            if self.last >= THRESHOLD:
                self.solved_at = self.num_timesteps
                return False
            return True

    start = time.monotonic()
    model = DQN("MlpPolicy", gym.make("CartPole-v1"), seed=seed, device="cpu", verbose=0, **ZOO_CARTPOLE)
    callback = GreedyEval()
    model.learn(ZOO_BUDGET, callback=callback)
    return {"agent": "sb3", "seed": seed, "steps": callback.solved_at, "seconds": time.monotonic() - start,
            "last": callback.last, "budget": ZOO_BUDGET}


def run(job: tuple[str, int]) -> dict:
    agent, seed = job
    return run_ours(seed) if agent == "ours" else run_sb3(seed)


def summary(rows: list[dict]) -> tuple[float | None, float, int]:
    solved = [row for row in rows if row["steps"] is not None]
    steps = statistics.median(row["steps"] for row in solved) if solved else None
    return steps, statistics.median(row["seconds"] for row in rows), len(solved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    try:
        import stable_baselines3  # noqa: F401
    except ImportError:
        raise SystemExit("Stable-Baselines3 is not installed: .venv/bin/python -m pip install -r benchmarks/requirements.txt")
    jobs = [(agent, seed) for seed in range(args.seeds) for agent in ("ours", "sb3")]
    with Pool(2) as pool:
        rows = pool.map(run, jobs)
    print(f"CartPole-v1, greedy eval ({EVAL_EPISODES} episodes) every {EVAL_EVERY} steps, threshold {THRESHOLD:g}")
    print(f"{'seed':>4} | {'ours steps':>10} {'ours s':>7} {'last':>6} | {'SB3 steps':>10} {'SB3 s':>7} {'last':>6}")
    by_seed = {(row["agent"], row["seed"]): row for row in rows}
    for seed in range(args.seeds):
        ours, theirs = by_seed[("ours", seed)], by_seed[("sb3", seed)]
        fmt = lambda row: f"{row['steps'] if row['steps'] else 'never':>10} {row['seconds']:7.1f} {row['last']:6.0f}"  # noqa: E731
        print(f"{seed:>4} | {fmt(ours)} | {fmt(theirs)}")
    ours_steps, ours_seconds, ours_solved = summary([r for r in rows if r["agent"] == "ours"])
    sb3_steps, sb3_seconds, sb3_solved = summary([r for r in rows if r["agent"] == "sb3"])
    print(f"solved: ours {ours_solved}/{args.seeds} (budget {rows[0]['budget'] if rows[0]['agent'] == 'ours' else ''}), "
          f"SB3 {sb3_solved}/{args.seeds} (budget {ZOO_BUDGET})")
    print(f"median steps to threshold (solved seeds): ours {ours_steps}, SB3 {sb3_steps}"
          + (f", ratio ours/SB3 {ours_steps / sb3_steps:.2f}" if ours_steps and sb3_steps else ""))
    print(f"median wall seconds (all seeds): ours {ours_seconds:.1f}, SB3 {sb3_seconds:.1f}, "
          f"ratio ours/SB3 {ours_seconds / sb3_seconds:.2f}")


if __name__ == "__main__":
    main()
