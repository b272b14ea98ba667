# %% [markdown]
# # Part 10: normalized advantage functions (NAF)
#
# NAF chooses a Q-function whose maximum is known in closed form:
# $Q(s, a) = V(s) - \tfrac12 (a - \mu(s))^\top L(s) L(s)^\top (a - \mu(s))$, so
# $\arg\max_a Q = \mu(s)$ and $\max_a Q = V(s)$. The target is $r + \gamma V_{\text{target}}(s')$ and
# the greedy policy is $\mu(s)$. The lecture notes:
# [note 7, continuous actions](../lecture_notes/07_continuous_actions.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/naf.py`, then run this
# notebook from the top. Training uses your `replay_buffer` and `target_network`, so
# make their checks pass first.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import torch

from autograder.selfcheck import check, use_modules
from dqkit.plotting import compare_to_reference, describe_run

torch.set_num_threads(1)  # networks this small train faster on one thread than on several
use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from naf import NAFConfig, train  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check naf`.

# %% tags: check
check("naf")

# %% [markdown]
# ## See it learn: Pendulum-v1
#
# Swing the pendulum up and keep it upright, with a torque in $[-2, 2]$. The course's
# `NAFConfig` trains until a greedy evaluation (the same 10 start states in every run)
# averages $-200$ or better, or 20,000 steps have passed: about 10 seconds on a laptop core for
# a correct implementation. The first 1,000 steps act at random to fill the buffer.
#
# On the right, your run's greedy evaluations are drawn over the reference solution's band:
# the median and the range of five of its seeds, with the same config. Five runs do not
# cover every run a correct implementation can give, so a curve may leave the band now and
# then, mostly early; a curve that stays far below it to the end points to a bug that the
# checks above did not catch.

# %% tags: demo
result = train(NAFConfig(seed=0))
compare_to_reference(result, "pendulum_naf", title="NAF on Pendulum-v1")
plt.show()
print(describe_run(result))

# %% [markdown]
# ## Watch it: TensorBoard and a GIF
#
# Given a log location, a run also writes TensorBoard event files (the CSV's metric names,
# such as `losses/q_loss`) and a checkpoint of its trained networks, into a folder named like
# the CSV, beside it:
# `train(NAFConfig(seed=0, log_path="../runs/naf.csv"))` writes them to the repository's
# `runs` folder (this notebook runs in `notebooks`). Without one, as above and in grading,
# nothing is written. From the repository root, TensorBoard shows every run in `runs` side
# by side:
#
# ```bash
# .venv/bin/tensorboard --logdir runs
# ```
#
# and `python -m autograder watch naf` saves your agent's greedy episode as an animated
# GIF (it plays the newest checkpoint of naf in `runs`, or trains one first).

# %% [markdown]
# ## Question
#
# For each state, NAF's Q is a single symmetric bump in action space. Describe a state of
# some task where the best actions form two separate regions, and what NAF's $\mu(s)$ would
# then do.

# %% [markdown] tags: answer
# Model answer: for example a car in front of an obstacle: steering hard left and hard right
# both avoid it, driving straight does not. The best actions form two regions, but a
# single bump has one peak; fitting Q to both regions puts mu(s) somewhere between them
# (straight into the obstacle) or commits to one side arbitrarily, and the bump's width
# cannot represent the bad middle.
