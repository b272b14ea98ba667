"""The reference DQN against Stable-Baselines3's DQN on CartPole-v1, side by side.

    .venv/bin/python -m pip install -r benchmarks/requirements.txt   # once
    .venv/bin/python benchmarks/cartpole_vs_sb3.py --seeds 5

Both agents are evaluated the same way (``benchmarks/side_by_side.py``): greedily, on 5
episodes every 1,000 environment steps (after their first 1,000), stopping at the first
evaluation whose mean return is at least 475. Ours uses the course's default
``DQNConfig`` (30,000-step budget); Stable-Baselines3 uses RL-Zoo's tuned CartPole-v1
hyperparameters (50,000-step budget). Printed per seed and as medians: environment steps
and wall seconds to the first evaluation >= 475 (evaluation time included), the last
evaluation's return, and the ratio ours / theirs.
"""
from __future__ import annotations

import argparse
import time

from side_by_side import Evaluation, learn_sb3, report, require_sb3, row_from_result, run_all, use_reference

EVALUATION = Evaluation("CartPole-v1", threshold=475.0, every=1_000, episodes=5)
ZOO_CARTPOLE = dict(learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1_000,
                    gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
                    exploration_fraction=0.16, exploration_final_eps=0.04,
                    policy_kwargs=dict(net_arch=[256, 256]))
ZOO_BUDGET = 50_000
AGENTS = ["ours", "sb3_dqn"]


def run(job: tuple[str, int]) -> dict:
    agent, seed = job
    use_reference()
    if agent == "ours":
        from dqn_loop import DQNConfig, train

        config = DQNConfig(seed=seed, progress=False, eval_every=EVALUATION.every,
                           eval_episodes=EVALUATION.episodes, solved_return=EVALUATION.threshold)
        start = time.monotonic()
        result = train(config)
        return row_from_result(agent, seed, result, time.monotonic() - start, config.total_steps)
    import gymnasium as gym
    from stable_baselines3 import DQN

    model = DQN("MlpPolicy", gym.make(EVALUATION.env_id), seed=seed, device="cpu", verbose=0, **ZOO_CARTPOLE)
    return learn_sb3(model, EVALUATION, seed, ZOO_BUDGET, agent, warmup=1_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    require_sb3()
    rows = run_all(run, AGENTS, args.seeds)
    report(rows, AGENTS, args.seeds, EVALUATION, ours="ours")


if __name__ == "__main__":
    main()
