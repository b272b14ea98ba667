# %% [markdown]
# # Part 11: DDPG
#
# DDPG learns the maximizer: an actor $\mu_\theta(s)$ trained by gradient ascent on
# $Q_\phi(s, \mu_\theta(s))$, used in the target $r + \gamma Q_{\phi'}(s', \mu_{\theta'}(s'))$ with
# target copies of both networks. The lecture notes:
# [note 7, continuous actions](../lecture_notes/07_continuous_actions.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/ddpg.py`, then run this
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
from ddpg import DDPGConfig, train  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check ddpg`.

# %% tags: check
check("ddpg")

# %% [markdown]
# ## See it learn: Pendulum-v1
#
# Swing the pendulum up and keep it upright, with a torque in $[-2, 2]$. The course's
# `DDPGConfig` trains until a greedy evaluation (the same 10 start states in every run)
# averages $-200$ or better, or 20,000 steps have passed: about 5 seconds on a laptop core for
# a correct implementation. The first 1,000 steps act at random to fill the buffer.
#
# On the right, your run's greedy evaluations are drawn over the reference solution's band:
# the median and the range of five of its seeds, with the same config. Five runs do not
# cover every run a correct implementation can give, so a curve may leave the band now and
# then, mostly early; a curve that stays far below it to the end points to a bug that the
# checks above did not catch.

# %% tags: demo
result = train(DDPGConfig(seed=0))
compare_to_reference(result, "pendulum_ddpg", title="DDPG on Pendulum-v1")
plt.show()
print(describe_run(result))

# %% [markdown]
# ## Watch it: TensorBoard and a GIF
#
# Given a log location, a run also writes TensorBoard event files (the CSV's metric names,
# such as `losses/actor_loss`) and a checkpoint of its trained networks, into a folder named like
# the CSV, beside it:
# `train(DDPGConfig(seed=0, log_path="../runs/ddpg.csv"))` writes them to the repository's
# `runs` folder (this notebook runs in `notebooks`). Without one, as above and in grading,
# nothing is written. From the repository root, TensorBoard shows every run in `runs` side
# by side:
#
# ```bash
# .venv/bin/tensorboard --logdir runs
# ```
#
# and `python -m autograder watch ddpg` saves your agent's greedy episode as an animated
# GIF (it plays the newest checkpoint of ddpg in `runs`, or trains one first).

# %% [markdown]
# ## Question
#
# In `ddpg_update` the critic takes its step before the actor. What changes if the actor's
# loss is computed first, with the critic from before its step? Is either order wrong?

# %% [markdown] tags: answer
# Model answer: if the actor's loss uses the critic from before its step, the actor follows
# slightly older action-values; the critic's step then does not influence this actor
# update. Neither order is wrong: both are approximate gradient steps on moving targets,
# and implementations differ (the kit's fixed order makes the grading exact).
