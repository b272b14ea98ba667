# %% [markdown]
# # Part 2: target networks
#
# The Q-learning target $y = r + \gamma \max_{a'} Q_{\phi'}(s', a')$ moves whenever the
# network it comes from moves. A target network $\phi'$ is a lagged copy of the online
# network $\phi$ that keeps the targets still for a while. There are two ways to lag:
# copy $\phi$ into $\phi'$ every $N$ steps (a hard update), or move $\phi'$ a little towards
# $\phi$ after every step (Polyak averaging). The lecture notes explain both, and the kit's
# `tau` convention: [note 3, target networks](../lecture_notes/03_target_networks.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/target_network.py`
# (`hard_update` and `polyak_update`), then run this notebook from the top.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from autograder.selfcheck import check, use_modules

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from target_network import hard_update, polyak_update  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check target_network`.

# %% tags: check
check("target_network")

# %% [markdown]
# ## See it work: how far behind is the target?
#
# A one-weight "network" stands in for $\phi$: its weight climbs steadily, as parameters do
# while training, and a target follows it by each rule. With a hard copy every 50 steps the
# lag is uneven: zero right after a copy, 49 steps' worth of change just before the next
# one, 24.5 on average. Polyak averaging with `tau = 0.02` (the slides' 0.98 on the old
# target) settles at an even lag of $(1 - \tau) / \tau = 49$ steps' worth: as large as the
# hard copy's largest, all the time. For the same *average* lag as a copy every $N$ steps,
# take $\tau \approx 2 / N$.

# %% tags: demo
def weight(network: nn.Module) -> float:
    return float(network.weight.detach())


online = nn.Linear(1, 1, bias=False)
hard_target, polyak_target = nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)
with torch.no_grad():
    for network in (online, hard_target, polyak_target):
        network.weight.fill_(0.0)

steps, copy_every, tau = 300, 50, 0.02
history = {"online": [], "hard copy every 50 steps": [], "Polyak, tau = 0.02": []}
for step in range(1, steps + 1):
    with torch.no_grad():
        online.weight.add_(0.01)  # one "gradient step"
    if step % copy_every == 0:
        hard_update(hard_target, online)
    polyak_update(polyak_target, online, tau)
    for name, network in zip(history, (online, hard_target, polyak_target)):
        history[name].append(weight(network))

figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
for name, values in history.items():
    left.plot(values, label=name)
left.set_xlabel("step")
left.set_ylabel("weight")
left.legend()
for name in list(history)[1:]:
    lag = np.array(history["online"]) - np.array(history[name])
    right.plot(lag, label=name)
right.set_xlabel("step")
right.set_ylabel("online - target")
right.set_title("lag of the target behind the online network")
right.legend()
plt.show()
for name in list(history)[1:]:
    lag = np.array(history["online"][100:]) - np.array(history[name][100:])
    print(f"{name:>26}: mean lag {lag.mean():.3f}, from {lag.min():.3f} to {lag.max():.3f}")

# %% [markdown]
# ## Question
#
# With `tau = 0.02`, how many steps does the target need to close half of a sudden jump in
# the online weights? Give the number and the one-line calculation.

# %% [markdown] tags: answer
# Model answer: each step closes a fraction tau of the remaining gap, so after k steps a
# fraction (1 - tau)^k is left. Half is closed when (1 - 0.02)^k = 1/2, that is
# k = ln 2 / -ln 0.98, about 34 steps.
