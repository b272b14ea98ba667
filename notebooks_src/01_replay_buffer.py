# %% [markdown]
# # Part 1: the replay buffer
#
# Online Q-learning takes one gradient step on each transition as it arrives. Consecutive
# transitions come from consecutive states, so consecutive steps pull the network the same
# way, and whatever the agent saw last dominates. A replay buffer keeps the most recent
# transitions, from whatever policy collected them (Q-learning is off-policy), and each
# update trains on a minibatch drawn uniformly from it. The lecture notes explain why:
# [note 2, replay buffers](../lecture_notes/02_replay_buffers.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/replay_buffer.py`, then
# run this notebook from the top. The first cell makes your modules importable and prints
# the folder it found them in (`assignments` beside this notebook's folder: if it names
# another copy of the homework, open this notebook from your own copy); the second runs the
# part's public tests on them, in a separate process, and says what is wrong.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np

from autograder.selfcheck import check, use_modules

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from replay_buffer import ReplayBuffer  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check replay_buffer`. Until you fill in a
# block, its tests say "not implemented yet".

# %% tags: check
check("replay_buffer")

# %% [markdown]
# ## See it work: what a full buffer keeps and samples
#
# A stream of 2,000 transitions goes into a buffer of capacity 500; transition $k$ has
# reward $k$, so a sampled reward tells which transition came out. A first-in-first-out
# buffer keeps exactly the newest 500 (rewards 1,500 to 1,999), and uniform sampling draws
# each of them equally often: the histogram should be flat between the two dashed lines
# and empty elsewhere.

# %% tags: demo
capacity, stream = 500, 2_000
buffer = ReplayBuffer(capacity, obs_shape=(1,))
for k in range(stream):
    buffer.add([float(k)], action=0, reward=float(k), next_obs=[k + 1.0], terminated=False, truncated=False)

rng = np.random.default_rng(0)
rewards = np.concatenate([buffer.sample(200, rng).rewards.numpy() for _ in range(100)])

figure, axes = plt.subplots(figsize=(7, 3))
axes.hist(rewards, bins=40, range=(stream - 2 * capacity, stream), color="tab:blue")
for edge in (stream - capacity, stream):
    axes.axvline(edge, color="black", linestyle="--")
axes.set_xlabel("reward of the sampled transition (= its index in the stream)")
axes.set_ylabel("times sampled")
axes.set_title(f"{len(rewards):,} samples from a buffer of capacity {capacity}")
plt.show()
print(f"oldest transition sampled: {rewards.min():.0f}, newest: {rewards.max():.0f}, "
      f"distinct: {len(np.unique(rewards))} of {capacity}")

# %% [markdown]
# ## Question
#
# The buffer stores `terminated` and `truncated` separately, and the targets use only
# `terminated` as the bootstrap mask. In two or three sentences: what would go wrong in
# CartPole-v1 (episodes cut at 500 steps) if the mask were `terminated or truncated`?

# %% [markdown] tags: answer
# Model answer: a CartPole episode that reaches 500 steps is cut by the time limit, not
# ended by a failure; the pole is still up and the future is worth about 1/(1 - gamma).
# Masking that transition would teach the network that states near the limit are worth
# only their last reward, so well-balanced states get low values, the targets of their
# neighbours drop too, and the agent is trained towards a value that the MDP does not have.
