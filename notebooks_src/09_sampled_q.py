# %% [markdown]
# # Part 9: sampling-based Q-learning
#
# QT-Opt's recipe at toy scale: keep a critic $Q(s, a)$ and no actor, and compute every max over
# actions with a sampling maximizer, your CEM from part 8: in the targets, on the target
# critic at the next states, and when acting, on the online critic plus a little noise.
# The lecture notes: [note 7, continuous actions](../lecture_notes/07_continuous_actions.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/sampled_q.py`, then run this
# notebook from the top. Training uses your `replay_buffer` and `target_network`, and your `cem` for every max over actions, so
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
from sampled_q import SampledQConfig, train  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check sampled_q`.

# %% tags: check
check("sampled_q")

# %% [markdown]
# ## See it learn: Pendulum-v1
#
# Swing the pendulum up and keep it upright, with a torque in $[-2, 2]$. The course's
# `SampledQConfig` trains until a greedy evaluation (the same 10 start states in every run)
# averages $-200$ or better, or 20,000 steps have passed: about 10 seconds on a laptop core for
# a correct implementation. The first 1,000 steps act at random to fill the buffer.
#
# On the right, your run's greedy evaluations are drawn over the reference solution's band:
# the median and the range of five of its seeds, with the same config. Five runs do not
# cover every run a correct implementation can give, so a curve may leave the band now and
# then, mostly early; a curve that stays far below it to the end points to a bug that the
# checks above did not catch.

# %% tags: demo
result = train(SampledQConfig(seed=0))
compare_to_reference(result, "pendulum_sampled_q", title="Sampled Q-learning on Pendulum-v1")
plt.show()
print(describe_run(result))

# %% [markdown]
# ## Watch it: TensorBoard and a GIF
#
# Given a log location, a run also writes TensorBoard event files (the CSV's metric names,
# such as `losses/critic_loss`) and a checkpoint of its trained networks, into a folder named like
# the CSV, beside it:
# `train(SampledQConfig(seed=0, log_path="../runs/sampled_q.csv"))` writes them to the repository's
# `runs` folder (this notebook runs in `notebooks`). Without one, as above and in grading,
# nothing is written. From the repository root, TensorBoard shows every run in `runs` side
# by side:
#
# ```bash
# .venv/bin/tensorboard --logdir runs
# ```
#
# and `python -m autograder watch sampled_q` saves your agent's greedy episode as an animated
# GIF (it plays the newest checkpoint of sampled_q in `runs`, or trains one first).

# %% [markdown]
# ## Question
#
# A target here costs batch size x samples x rounds critic evaluations. With the course's
# settings (batch 64, 16 samples, 2 rounds) how many is that per gradient step, and what
# would it be for a 7-dimensional action that needs 64 samples and 3 rounds?

# %% [markdown] tags: answer
# Model answer: 64 x 16 x 2 = 2,048 critic evaluations per gradient step for the targets.
# With 64 samples and 3 rounds it would be 64 x 64 x 3 = 12,288, six times as many, and
# still few samples for 7 dimensions.
