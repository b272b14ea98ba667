# %% [markdown]
# # Part 6: N-step returns
#
# A one-step target $r + \gamma \max_{a'} Q(s', a')$ is mostly the network's own guess when
# rewards are sparse, so the news of a reward travels back one state per round of updates.
# An N-step target sums N real rewards before it bootstraps, so the news travels N states
# per round. The window stops at the end of an episode: a termination drops the bootstrap,
# a truncation keeps it. The lecture notes:
# [note 6, N-step returns](../lecture_notes/06_n_step_returns.md).
#
# **Your task:** fill in the `TODO(student)` block of `assignments/n_step.py`, then run this
# notebook from the top.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import matplotlib.pyplot as plt
import numpy as np

from autograder.selfcheck import check, use_modules
from dqkit.demos import chain_windows

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from n_step import n_step_targets  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check n_step`.

# %% tags: check
check("n_step")

# %% [markdown]
# ## See it work: how fast the reward reaches the start of a chain
#
# Ten states in a row and one action, "right"; leaving the last state ends the episode
# with reward 1, and a new episode starts at state 0. With $\gamma = 0.9$ the true values
# are $V(s) = \gamma^{9 - s}$. Each round sets every $V(s)$ to the N-step target of the
# window that starts at $s$ (your `n_step_targets`, bootstrapping from the current table,
# which starts at 0). With 1-step targets the start state first sees the reward after 10
# rounds; with 3-step targets after 4; with 10-step targets after 1.

# %% tags: demo
states, gamma, rounds = 10, 0.9, 12
true_start_value = gamma ** (states - 1)

figure, axes = plt.subplots(figsize=(7, 3.5))
for n in (1, 3, 10):
    values, start_values = np.zeros(states), []
    for _ in range(rounds):
        # chain_windows lays out the window starting at each state (see dqkit/demos.py).
        values = n_step_targets(*chain_windows(values, n), gamma).numpy().astype(np.float64)
        start_values.append(values[0])
    axes.plot(range(1, rounds + 1), start_values, "o-", label=f"{n}-step targets")
    print(f"{n:>2}-step: V(start) reaches its true value {true_start_value:.3f} after "
          f"{1 + int(np.argmax(np.isclose(start_values, true_start_value, atol=1e-6)))} rounds")
axes.axhline(true_start_value, color="black", linestyle="--", label="true V(start)")
axes.set_xlabel("round of updates")
axes.set_ylabel("V(start state)")
axes.legend()
plt.show()

# %% [markdown]
# ## Question
#
# These windows were collected by the policy being evaluated, so the N-step sum is exact.
# In DQN the buffer holds transitions from older, more exploratory policies. What does the
# N-step target then estimate, and name one way to deal with it.

# %% [markdown] tags: answer
# Model answer: the rewards in the window come from the behaviour policy that collected them,
# not from the current greedy policy, so the N-step target estimates (roughly) the value of
# acting like the old policy for N steps and greedily afterwards. In practice one ignores
# the mismatch (it is small with small N and a slowly changing policy), cuts the trace when
# an action differs from the greedy one, or reweights with importance sampling.
