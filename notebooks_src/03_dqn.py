# %% [markdown]
# # Part 3: the pieces of the DQN update
#
# One DQN update is a regression step: compute targets $y = r + \gamma (1 - \text{terminated})
# \max_{a'} Q_{\phi'}(s', a')$ with the target network and no gradient, then take a gradient
# step on the loss between $Q_\phi(s, a)$ at the taken actions and $y$. With a fixed dataset
# and a target copied after each round of steps, repeating this is fitted Q-iteration, and on
# a small problem it must converge to the optimal $Q^*$. The lecture notes:
# [note 4, DQN and the general view](../lecture_notes/04_dqn.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/dqn.py`
# (`epsilon_greedy`, `linear_schedule`, `dqn_targets`, `td_loss`, `update_q_network`),
# then run this notebook from the top.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np
import torch

from autograder.selfcheck import check, use_modules

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from dqn import dqn_targets, update_q_network  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check dqn`.

# %% tags: check
check("dqn")

# %% [markdown]
# ## See it work: fitted Q-iteration finds $Q^*$ on a chain
#
# Five states in a row with one-hot observations; action 1 moves right, action 0 moves left;
# moving right from the last state ends the episode with reward 1. With $\gamma = 0.9$ the
# optimal values are known in closed form: $Q^*(s, \text{right}) = \gamma^{4 - s}$ and
# $Q^*(s, \text{left}) = \gamma \, Q^*(\max(s - 1, 0), \text{right})$. The Q-network is a
# linear layer without bias on the one-hot input, so it is a table. Every iteration computes
# targets with a frozen copy (your `dqn_targets`), takes 10 gradient steps on all ten
# transitions (your `update_q_network`, with the squared error), then copies. The Bellman
# backup is a $\gamma$-contraction, so once each round fits its targets well the error to
# $Q^*$ must fall at least as fast as $\gamma^k$ (dashed). On this small deterministic chain
# it falls much faster, down to float32 precision (about $10^{-6}$). A buggy target (no
# terminal mask, a max over the wrong axis) levels off far above it, or diverges.

# %% tags: demo
states, gamma, iterations = 5, 0.9, 60
eye = torch.eye(states)
rows = []
for state in range(states):
    for action in (0, 1):
        last = state == states - 1 and action == 1
        next_state = state if last else (max(state - 1, 0) if action == 0 else state + 1)
        rows.append((state, action, 1.0 if last else 0.0, next_state, 1.0 if last else 0.0))
observations = eye[[row[0] for row in rows]]
actions = torch.tensor([row[1] for row in rows])
rewards = torch.tensor([row[2] for row in rows])
next_observations = eye[[row[3] for row in rows]]
terminated = torch.tensor([row[4] for row in rows])

q_right = gamma ** (states - 1 - np.arange(states))
q_star = np.stack([gamma * q_right[np.maximum(np.arange(states) - 1, 0)], q_right], axis=1)

torch.manual_seed(0)
network = torch.nn.Linear(states, 2, bias=False)
target = torch.nn.Linear(states, 2, bias=False)
target.load_state_dict(network.state_dict())
optimizer = torch.optim.SGD(network.parameters(), lr=0.5)
errors = []
for _ in range(iterations):
    with torch.no_grad():
        targets = dqn_targets(rewards, terminated, target(next_observations), gamma)
    for _ in range(10):
        update_q_network(network, optimizer, observations, actions, targets, "mse", 1.0, 1e6)
    target.load_state_dict(network.state_dict())
    errors.append(np.abs(network(eye).detach().numpy() - q_star).max())

figure, axes = plt.subplots(figsize=(7, 3))
axes.semilogy(range(1, iterations + 1), errors, label="max |Q - Q*|")
axes.semilogy(range(1, iterations + 1), [gamma ** k for k in range(1, iterations + 1)], "--", label="gamma^k")
axes.set_xlabel("iteration (targets recomputed, 10 gradient steps, copy)")
axes.legend()
plt.show()
print(f"after {iterations} iterations the largest error is {errors[-1]:.2e}")

# %% [markdown]
# ## Question
#
# `dqn_targets` must not let a gradient flow into the target. On this chain, what would a
# gradient through $\max_{a'} Q(s', a')$ do to the values of the states near the goal, and
# why does that make this "residual gradient" method learn more slowly than the semi-gradient
# update? Two or three sentences.

# %% [markdown] tags: answer
# Model answer: the residual gradient also pushes max_a' Q(s', a') towards Q(s, a), so the
# values near the goal, which hold the only real information (the reward), are pulled
# down towards their still-wrong predecessors while those are pulled up. Information then
# flows both ways instead of only backwards from the reward; the updates partly cancel,
# and on most problems the method converges much more slowly than the semi-gradient
# update, which treats the target as a constant.
