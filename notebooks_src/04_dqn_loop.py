# %% [markdown]
# # Part 4: the DQN training loop
#
# The loop runs the three processes of the lecture's general view, each at its own rate:
# collecting transitions with an epsilon-greedy policy, updating the target network, and
# regressing the Q-network towards the targets. Online Q-learning, DQN and fitted
# Q-iteration are settings of this one loop. The lecture notes:
# [note 4, DQN and the general view](../lecture_notes/04_dqn.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `train` in `assignments/dqn_loop.py`,
# then run this notebook from the top. The loop uses your modules of parts 1 to 3 and 5
# (`double_dqn`), so make their checks pass first.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import torch

from autograder.selfcheck import check, use_modules
from dqkit.plotting import compare_to_reference, describe_run

torch.set_num_threads(1)  # networks this small train faster on one thread than on several

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from dqn_loop import DQNConfig, train  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check dqn_loop`: they run your loop on a
# tiny counting environment with recording stand-ins for your other parts, and check what
# was stored, when the gradient steps and target updates happened, and the resets.

# %% tags: check
check("dqn_loop")

# %% [markdown]
# ## See it learn: CartPole-v1
#
# The course's `DQNConfig` (two hidden layers of 128, double-Q targets, Polyak averaging
# with `tau = 0.01`, epsilon from 1 to 0.05 over 5,000 steps) trains until a greedy
# evaluation of 5 episodes averages 475 or more, or 30,000 steps have passed: about 20
# seconds on a laptop core for a correct loop. Every metric is also kept in
# `result.logger.rows`, under namespaced names (`charts/episodic_return`,
# `losses/td_loss`, ...); set `log_path` to write them to a CSV file (and to TensorBoard,
# see below).
#
# On the right, your run's greedy evaluations are drawn over the reference solution's band:
# the median and the range of five of its seeds, with the same config. Five runs do not
# cover every run a correct implementation can give, so a curve may leave the band now and
# then, mostly early; a curve that stays far below it to the end points to a bug that the
# checks above did not catch.

# %% tags: demo
result = train(DQNConfig(seed=0))
compare_to_reference(result, "cartpole_dqn", title="DQN on CartPole-v1")
plt.show()
print(describe_run(result))

# %% [markdown]
# ## Watch it: TensorBoard and a GIF
#
# Given a log location, a run also writes TensorBoard event files (the CSV's metric names,
# such as `losses/td_loss`) and a checkpoint of its trained networks, into a folder named like
# the CSV, beside it:
# `train(DQNConfig(seed=0, log_path="../runs/dqn_loop.csv"))` writes them to the repository's
# `runs` folder (this notebook runs in `notebooks`). Without one, as above and in grading,
# nothing is written. From the repository root, TensorBoard shows every run in `runs` side
# by side:
#
# ```bash
# .venv/bin/tensorboard --logdir runs
# ```
#
# and `python -m autograder watch dqn_loop` saves your agent's greedy episode as an animated
# GIF (it plays the newest checkpoint of dqn_loop in `runs`, or trains one first).

# %% [markdown]
# ## Question
#
# The training episodes (dots) score far below the greedy evaluations late in training.
# Name two reasons, one of which is in the config.

# %% [markdown] tags: answer
# Model answer: the training episodes explore: with probability epsilon (0.05 at the end)
# a random action is taken, and one bad push is often enough to drop the pole (the config's
# epsilon_end). Also, a training episode is scored with the network as it was while the
# episode ran, often many updates earlier, and the evaluation uses the newest network.
