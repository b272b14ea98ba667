# %% [markdown]
# # Part 7: random shooting
#
# With continuous actions, $\max_a Q(s, a)$ is an optimization problem of its own, solved for
# every state of every minibatch. The simplest answer: sample $M$ actions uniformly in the
# box, evaluate them all in one batched call of the critic, keep the best. It works well in
# one or two dimensions and fades fast beyond. The lecture notes:
# [note 7, continuous actions](../lecture_notes/07_continuous_actions.md).
#
# **Your task:** fill in the `TODO(student)` block of `assignments/random_shooting.py`, then
# run this notebook from the top.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np
import torch

from autograder.selfcheck import check, use_modules

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from random_shooting import random_shooting  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check random_shooting`.

# %% tags: check
check("random_shooting")

# %% [markdown]
# ## See it work: the gap to the true maximum, by dimension
#
# The critic here is a concave quadratic $Q(s, a) = -\lVert a - a^*(s) \rVert^2$ on the box
# $[-1, 1]^A$, with a different optimum $a^*(s)$ for each of 64 observations, so the true
# maximum is 0 and the gap is $-Q$ at the returned action. With $M$ samples the typical gap
# shrinks like $M^{-2/A}$: fast in one dimension, slowly in six.

# %% tags: demo
def quadratic_critic(optima: torch.Tensor):
    """Q(s, a) = -|a - a*(s)|^2, where the observation row is the index of its optimum."""
    def q_function(observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        return -((actions - optima[observations[:, 0].long()]) ** 2).sum(dim=1)
    return q_function


batch, sample_counts = 64, [4, 16, 64, 256, 1024, 4096]
observations = torch.arange(batch, dtype=torch.float32).unsqueeze(1)
figure, axes = plt.subplots(figsize=(7, 3.5))
for dimension in (1, 2, 4, 6):
    rng = np.random.default_rng(dimension)
    optima = torch.as_tensor(rng.uniform(-0.7, 0.7, (batch, dimension)), dtype=torch.float32)
    low, high = -np.ones(dimension, dtype=np.float32), np.ones(dimension, dtype=np.float32)
    gaps = []
    for samples in sample_counts:
        _, values = random_shooting(quadratic_critic(optima), observations, low, high, samples, rng)
        gaps.append(float(-values.mean()))
    axes.loglog(sample_counts, gaps, "o-", label=f"A = {dimension}")
axes.set_xlabel("samples per observation (M)")
axes.set_ylabel("mean gap to the true max")
axes.legend()
plt.show()

# %% [markdown]
# ## Question
#
# By the plot, about how many samples does random shooting need in 6 dimensions to get the
# gap that 16 samples give in 1 dimension? What does that say about using it in the
# targets of a robot arm with 7 joints?

# %% [markdown] tags: answer
# Model answer: the gap falls like M^(-2/A). Matching 16 samples in 1 dimension (gap about
# 6e-3) would take, by the 6-dimensional line, millions of samples (its gap is still above
# 0.1 at 4,096). With 7 joints every target would need an enormous number of critic
# evaluations per state: random shooting is not an option there; a smarter maximizer
# (CEM) or a learned one (DDPG) is.
