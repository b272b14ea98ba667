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

# %% tags: setup
import sys

import cma
import matplotlib.pyplot as plt
import numpy as np
import torch

from autograder.selfcheck import check, modules_dir

sys.path.insert(0, str(modules_dir()))  # your modules: assignments/, or the folder in $DQKIT_MODULES
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
dimension, batch = 4, 16
rng = np.random.default_rng(0)
rotation, _ = np.linalg.qr(rng.normal(size=(dimension, dimension)))
curvature = rotation @ np.diag([30.0, 10.0, 3.0, 1.0]) @ rotation.T
optima = rng.uniform(-0.6, 0.6, (batch, dimension))
low, high = -np.ones(dimension, dtype=np.float32), np.ones(dimension, dtype=np.float32)
curvature_t = torch.as_tensor(curvature, dtype=torch.float32)
optima_t = torch.as_tensor(optima, dtype=torch.float32)


def q_function(observations: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    offsets = actions - optima_t[observations[:, 0].long()]
    return -0.5 * ((offsets @ curvature_t) * offsets).sum(dim=1)


def cma_gap(index: int, budget: int) -> float:
    search = cma.CMAEvolutionStrategy(np.zeros(dimension), 0.5, {
        "bounds": [list(low), list(high)], "popsize": 10, "maxfevals": budget, "verbose": -9, "seed": index + 1})
    while not search.stop():
        candidates = search.ask()
        offsets = np.asarray(candidates) - optima[index]
        search.tell(candidates, list(0.5 * np.einsum("ni,ij,nj->n", offsets, curvature, offsets)))
    return float(search.result.fbest)


observations = torch.arange(batch, dtype=torch.float32).unsqueeze(1)
budgets = [40, 80, 160, 320, 640]
gaps = {"random shooting": [], "CEM (4 rounds)": [], "CMA-ES": []}
for budget in budgets:
    _, values = random_shooting(q_function, observations, low, high, budget, rng)
    gaps["random shooting"].append(float(-values.mean()))
    samples = budget // 4
    _, values = cem_argmax(q_function, observations, low, high, rng, num_samples=samples,
                           num_elites=max(2, samples // 10), iterations=4)
    gaps["CEM (4 rounds)"].append(float(-values.mean()))
    gaps["CMA-ES"].append(float(np.mean([cma_gap(index, budget) for index in range(batch)])))

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
