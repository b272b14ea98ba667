# %% [markdown]
# # Find the silent bug
#
# The DQN below is complete and self-contained: it collects CartPole-v1 transitions with an
# epsilon-greedy policy, keeps them in a replay buffer, and regresses a Q-network towards
# targets from a target network. It runs without an error or a warning, and its loss
# settles. But it does not learn: its greedy return stays where a random policy's is (10 to
# 20), while the same code without the bug reaches 200 to 500 within these 12,000 steps.
#
# Run it, look at the curve, then find the bug: one line that is wrong. Hints, if you want
# them: print the shape of every tensor in `update`; ask what `targets` should be for a
# transition whose pole fell. Notes 1, 2 and 4 say what each piece must compute:
# [note 4, DQN](../lecture_notes/04_dqn.md).

# %% tags: setup
import copy

import matplotlib.pyplot as plt
import numpy as np
import torch

from dqkit.envs import evaluate, make_env
from dqkit.networks import QNetwork

torch.set_num_threads(1)  # networks this small train faster on one thread than on several

# %% [markdown]
# ## The DQN with a bug

# %% tags: demo
def update(network, target_network, optimizer, batch, gamma):
    observations, actions, rewards, next_observations, terminated = batch
    q_taken = network(observations)[torch.arange(len(actions)), actions]
    with torch.no_grad():
        best_next = target_network(next_observations).max(dim=1, keepdim=True).values
    targets = rewards + gamma * (1.0 - terminated) * best_next
    loss = ((q_taken - targets) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(network.parameters(), 10.0)
    optimizer.step()
    return float(loss.detach())


def run(steps=12_000, seed=0, batch_size=64, gamma=0.99, tau=0.01, learning_starts=1_000):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    env = make_env("CartPole-v1", seed)
    network = QNetwork(4, 2, (128, 128))
    target_network = copy.deepcopy(network).requires_grad_(False)
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    storage = {name: [] for name in ("observations", "actions", "rewards", "next_observations", "terminated")}
    evaluations, losses = [], []
    obs, _ = env.reset(seed=seed)
    for step in range(steps):
        epsilon = max(0.05, 1.0 - step / 5_000)
        if rng.random() < epsilon:
            action = int(rng.integers(2))
        else:
            with torch.no_grad():
                action = int(network(torch.as_tensor(obs).unsqueeze(0)).argmax())
        next_obs, reward, terminated, truncated, _ = env.step(action)
        for name, value in zip(storage, (obs, action, reward, next_obs, float(terminated))):
            storage[name].append(value)
        obs = next_obs
        if terminated or truncated:
            obs, _ = env.reset()
        if step >= learning_starts:
            rows = rng.integers(0, len(storage["actions"]), size=batch_size)
            batch = (torch.as_tensor(np.asarray(storage["observations"])[rows]),
                     torch.as_tensor(np.asarray(storage["actions"])[rows]),
                     torch.as_tensor(np.asarray(storage["rewards"], dtype=np.float32)[rows]),
                     torch.as_tensor(np.asarray(storage["next_observations"])[rows]),
                     torch.as_tensor(np.asarray(storage["terminated"], dtype=np.float32)[rows]))
            losses.append(update(network, target_network, optimizer, batch, gamma))
            with torch.no_grad():
                for target, online in zip(target_network.parameters(), network.parameters()):
                    target.mul_(1 - tau).add_(tau * online)
        if (step + 1) % 1_000 == 0 and step >= learning_starts:
            greedy = lambda observations: network(torch.as_tensor(observations)).argmax(dim=1).numpy()  # noqa: E731
            evaluations.append((step + 1, float(np.mean(evaluate(greedy, "CartPole-v1", 5, seed=10_000)))))
    return evaluations, losses


evaluations, losses = run()
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
left.plot(*zip(*evaluations), "o-")
left.axhline(475, color="black", linestyle="--", label="solved")
left.set_xlabel("environment steps")
left.set_ylabel("greedy return (mean of 5)")
left.legend()
right.plot(np.convolve(losses, np.ones(200) / 200, mode="valid"))
right.set_xlabel("gradient step")
right.set_ylabel("loss (moving average)")
plt.show()
print(f"best greedy return: {max(value for _, value in evaluations):.0f}")

# %% [markdown]
# ## Your diagnosis
#
# Which line is wrong, and what does it compute instead of what it should? Why does that
# stop the agent from learning? Then fix it and run again.

# %% [markdown] tags: answer
# Model answer: `best_next` keeps the reduced axis (`keepdim=True`), so it is `[B, 1]`, and
# `rewards + gamma * (1 - terminated) * best_next` broadcasts `[B]` against `[B, 1]` into a
# `[B, B]` matrix: row i holds transition i's bootstrap value combined with the reward and
# terminal flag of every transition j. `q_taken - targets` broadcasts again, so each
# Q(s_i, a_i) is regressed towards the average over the batch of
# `r_j + gamma * (1 - terminated_j) * max Q(s'_i, .)`: the terminal mask and the reward of the
# transition itself are almost lost (a falling pole looks like every other step), which is
# why the values rise everywhere alike and the greedy policy learns nothing useful (its
# return stays at 10 to 20). The fix: `.max(dim=1).values` (shape `[B]`); with it, the same
# runs reach greedy returns of 200 to 500 within 12,000 steps (seeds 0 and 1). A check like
# `assert targets.shape == q_taken.shape` catches the whole class of bug.
# The kit's `dqn_targets` has to return `[B]`, and its grader names this bug.
