"""The reference DDPG (and the kit's other continuous-action agents) against
Stable-Baselines3's DDPG and TD3 on Pendulum-v1, side by side.

    .venv/bin/python -m pip install -r benchmarks/requirements.txt   # once
    .venv/bin/python benchmarks/pendulum_vs_sb3.py --seeds 5 [--agents ours_ddpg sb3_ddpg sb3_td3 ...]

Every agent is evaluated the same way (``benchmarks/side_by_side.py``): greedily, on 10
episodes every 1,000 environment steps, stopping at the first evaluation whose mean
return is at least -200. Ours use the course's default configs (``DDPGConfig``,
``NAFConfig``, ``SampledQConfig``). Stable-Baselines3 uses RL-Zoo's tuned Pendulum-v1
hyperparameters (the same for DDPG and TD3: 400x300 networks, gamma 0.98, learning rate
1e-3, Gaussian action noise 0.1, 10,000 random steps first, then as many gradient steps
as environment steps after each episode; 20,000-step budget). Printed per seed and as
medians: environment steps and wall seconds to the threshold (evaluation time included),
the last evaluation's return, and the ratios of ours to each other agent.
"""
from __future__ import annotations

import argparse
import time

from side_by_side import Evaluation, learn_sb3, report, require_sb3, row_from_result, run_all, use_reference

EVALUATION = Evaluation("Pendulum-v1", threshold=-200.0, every=1_000, episodes=10, same_starts=True)
ZOO_BUDGET = 20_000
OURS = {"ours_ddpg": ("ddpg", "DDPGConfig"), "ours_naf": ("naf", "NAFConfig"),
        "ours_sampled_q": ("sampled_q", "SampledQConfig")}
AGENTS = ["ours_ddpg", "sb3_ddpg", "sb3_td3"]


def zoo_model(algorithm: str, seed: int):
    import gymnasium as gym
    import numpy as np
    from stable_baselines3 import DDPG, TD3
    from stable_baselines3.common.noise import NormalActionNoise

    env = gym.make(EVALUATION.env_id)
    action_dim = env.action_space.shape[0]
    noise = NormalActionNoise(mean=np.zeros(action_dim), sigma=0.1 * np.ones(action_dim))
    settings = dict(buffer_size=200_000, gamma=0.98, learning_rate=1e-3, learning_starts=10_000,
                    train_freq=(1, "episode"), gradient_steps=-1, action_noise=noise,
                    policy_kwargs=dict(net_arch=[400, 300]))
    model_class = {"sb3_ddpg": DDPG, "sb3_td3": TD3}[algorithm]
    return model_class("MlpPolicy", env, seed=seed, device="cpu", verbose=0, **settings)


def run(job: tuple[str, int]) -> dict:
    agent, seed = job
    use_reference()
    if agent in OURS:
        import importlib

        module_name, config_name = OURS[agent]
        module = importlib.import_module(module_name)
        config = getattr(module, config_name)(seed=seed, progress=False, eval_every=EVALUATION.every,
                                              eval_episodes=EVALUATION.episodes,
                                              solved_return=EVALUATION.threshold)
        start = time.monotonic()
        result = module.train(config)
        return row_from_result(agent, seed, result, time.monotonic() - start, config.total_steps)
    return learn_sb3(zoo_model(agent, seed), EVALUATION, seed, ZOO_BUDGET, agent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--agents", nargs="+", default=AGENTS, choices=[*OURS, "sb3_ddpg", "sb3_td3"])
    args = parser.parse_args()
    if any(agent.startswith("sb3") for agent in args.agents):
        require_sb3()
    rows = run_all(run, args.agents, args.seeds)
    ours = next((agent for agent in args.agents if agent in OURS), args.agents[0])
    report(rows, args.agents, args.seeds, EVALUATION, ours=ours)


if __name__ == "__main__":
    main()
