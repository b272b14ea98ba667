# %% [markdown]
# # Part 8: the cross-entropy method
#
# The cross-entropy method (CEM) spends random shooting's budget in rounds: sample from a
# Gaussian, keep the best few (the elites), refit the Gaussian to them, repeat. Each round
# zooms in on where the critic is high. CMA-ES refines the same idea with a full covariance
# matrix and step-size control; the kit does not grade it, but it makes a good yardstick.
# The lecture notes: [note 7, continuous actions](../lecture_notes/07_continuous_actions.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/cem.py`, then run this
# notebook from the top.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np

from autograder.selfcheck import check, use_modules
from dqkit.demos import RotatedQuadratics, maximizer_gaps

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from cem import cem_argmax  # noqa: E402
from random_shooting import random_shooting  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check cem`.

# %% tags: check
check("cem")

# %% [markdown]
# ## See it work: equal budgets, three maximizers
#
# A 4-dimensional concave quadratic with rotated, uneven curvature (a long diagonal ridge,
# the shape that a diagonal Gaussian fits worst), a different optimum for each of 16
# observations, true maximum 0. Each method gets the same number of critic evaluations per
# observation: random shooting all at once, CEM in 4 rounds (elites: a tenth of the
# samples), CMA-ES from the `cma` library in generations of 10 until the budget is spent.
# The plot shows the mean gap to the true maximum.

# %% tags: demo
budgets = [40, 80, 160, 320, 640]
problem = RotatedQuadratics(batch=16, dimension=4)  # see dqkit/demos.py
gaps = maximizer_gaps(problem, budgets, random_shooting, cem_argmax, np.random.default_rng(0))

figure, axes = plt.subplots(figsize=(7, 3.5))
for name, values in gaps.items():
    axes.loglog(budgets, values, "o-", label=name)
axes.set_xlabel("critic evaluations per observation")
axes.set_ylabel("mean gap to the true max")
axes.legend()
plt.show()
for name, values in gaps.items():
    print(f"{name:>16}: " + ", ".join(f"{value:.2g}" for value in values))

# %% [markdown]
# ## Question
#
# In a Q-learning target, the maximizer runs for every next state of every minibatch, with
# only a few rounds. Why might CEM still be preferred to CMA-ES there, even where CMA-ES
# is more accurate per evaluation?

# %% [markdown] tags: answer
# Model answer: CEM is a few lines of batched tensor code: every round evaluates all states'
# samples in one call to the critic, on the same device, with no per-state Python loop and
# no per-state state to keep. CMA-ES as packaged runs one search per state, in Python, with
# more bookkeeping per round; its accuracy advantage appears only after many generations,
# which a per-minibatch target does not have time for.
