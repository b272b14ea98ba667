# %% [markdown]
# # Part 5: double Q-learning
#
# The DQN target takes a max over noisy estimates, and the max of noisy estimates is biased
# upward: even when every action is worth exactly 0, the largest of ten noisy guesses is
# positive. Double Q-learning lets one network choose the action and the other evaluate it,
# so the noise that made an action look best is not the noise it is scored with. The
# lecture notes: [note 5, double Q-learning](../lecture_notes/05_double_q_learning.md).
#
# **Your task:** fill in the `TODO(student)` block of `assignments/double_dqn.py`, then run
# this notebook from the top.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np
import torch

from autograder.selfcheck import check, use_modules
from dqkit.demos import discounted_return, start_value
from dqkit.envs import NOISY_CORRIDOR

torch.set_num_threads(1)  # networks this small train faster on one thread than on several

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from double_dqn import double_dqn_targets  # noqa: E402
from dqn import dqn_targets  # noqa: E402
from dqn_loop import DQNConfig, train  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check double_dqn`.

# %% tags: check
check("double_dqn")

# %% [markdown]
# ## See it work: the bias of the two targets
#
# Every action of the next state is truly worth 0, so with $r = 0$ the correct target is 0.
# The online and target networks each estimate the values with their own independent
# noise, $\mathcal{N}(0, 1)$. Over 20,000 transitions, the average DQN target (your
# `dqn_targets`, max over the target network's estimates) is the expected maximum of
# $A$ standard normals, which grows with the number of actions $A$; the double-Q target (your
# `double_dqn_targets`) should stay at 0 for every $A$.

# %% tags: demo
generator = torch.Generator().manual_seed(0)
transitions, gamma = 20_000, 1.0
action_counts = [1, 2, 4, 8, 16, 32]
biases = {"DQN target": [], "double-Q target": []}
for actions in action_counts:
    online = torch.randn(transitions, actions, generator=generator)
    target = torch.randn(transitions, actions, generator=generator)
    rewards, terminated = torch.zeros(transitions), torch.zeros(transitions)
    biases["DQN target"].append(float(dqn_targets(rewards, terminated, target, gamma).mean()))
    biases["double-Q target"].append(float(double_dqn_targets(rewards, terminated, online, target, gamma).mean()))

figure, axes = plt.subplots(figsize=(7, 3.5))
for name, values in biases.items():
    axes.plot(action_counts, values, "o-", label=name)
axes.axhline(0.0, color="black", linestyle="--", label="true value")
axes.set_xscale("log", base=2)
axes.set_xlabel("number of actions A")
axes.set_ylabel("average target (truth: 0)")
axes.legend()
plt.show()
for actions, dqn_bias, double_bias in zip(action_counts, *biases.values()):
    print(f"A = {actions:>2}: DQN {dqn_bias:+.3f}, double-Q {double_bias:+.3f}")

# %% [markdown]
# ## In a real run: a corridor where every action is worth 0
#
# Your training loop of part 4, on `dqkit/NoisyCorridor-v0`: 10 cells walked in 10 steps
# whatever the agent does, 16 actions, each paying a reward drawn from $\mathcal{N}(0, 2^2)$.
# Every value is exactly 0, so whatever the network predicts for the start state is pure
# estimation error. The two runs use the classic settings (hard target updates, a constant
# learning rate) and differ only in `double_q`; each takes about 5 seconds. After training,
# the greedy policy is run for 200 episodes to measure the return it actually collects.
# [Note 5](../lecture_notes/05_double_q_learning.md#seen-in-a-real-run) has the same
# experiment over five seeds, as a figure.

# %% tags: demo
for double_q in (False, True):
    config = DQNConfig(env_id=NOISY_CORRIDOR, seed=0, double_q=double_q, target_update="hard",
                       learning_rate_end=1e-3, total_steps=6_000, solved_return=None)
    result = train(config)
    predicted = start_value(result.q_network, NOISY_CORRIDOR)
    actual = discounted_return(result.q_network, NOISY_CORRIDOR, config.gamma, episodes=200)
    name = "double-DQN targets" if double_q else "DQN targets       "
    print(f"{name}: predicted value of the start {predicted:+.2f}, actual discounted return {actual:+.2f}")

# %% [markdown]
# ## Question
#
# Double Q-learning here uses the online network to choose and the target network to
# evaluate. The two are not independent (the target is a lagged copy of the online
# network). What does that mean for the bias that remains, and when is it largest?

# %% [markdown] tags: answer
# Model answer: because the target network is a lagged copy of the online network, their
# errors are correlated: the action whose value the online network overestimates is often
# overestimated by the target network as well, so some upward bias remains. It is largest
# right after a hard update (or with a large tau), when the two networks are nearly the same.
