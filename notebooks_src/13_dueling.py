# %% [markdown]
# # Part 12: dueling networks
#
# A dueling Q-network splits its last layer in two: a value stream $V(s)$, one number per
# state, and an advantage stream $A(s, a)$, one number per action, both on the same trunk.
# They are combined as
# $Q(s, a) = V(s) + A(s, a) - \frac{1}{|\mathcal{A}|} \sum_{a'} A(s, a')$.
# Without the subtracted mean, $V$ and $A$ would only be known up to a constant; with it,
# $V(s)$ is the mean of $Q(s, \cdot)$ over the actions. The lecture notes:
# [note 9, dueling networks](../lecture_notes/09_dueling.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/dueling.py`
# (`dueling_q_values` and `DuelingQNetwork.streams`), then run this notebook from the top.
# Its training demo uses your DQN loop of part 4, so make the checks of parts 1 to 5 pass
# first.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np
import torch

from autograder.selfcheck import check, use_modules
from dqkit.plotting import compare_to_reference, describe_run

torch.set_num_threads(1)  # networks this small train faster on one thread than on several

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from dqn_loop import DQNConfig  # noqa: E402
from dueling import DuelingQNetwork, dueling_q_values, train  # noqa: E402

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check dueling`.

# %% tags: check
check("dueling")

# %% [markdown]
# ## See it work: what the subtracted mean buys
#
# Two states, three actions. Below, the same constant $c = 5$ is moved from every advantage of
# each state into its value: $(V + c, A - c)$. The plain sum $V + A$ cannot see the
# difference, so a loss on $Q$ could never tell the two pairs apart. Your `dueling_q_values`
# can: the mean of its $Q(s, \cdot)$ over the actions is $V(s)$, whatever the advantages are.

# %% tags: demo
values = torch.tensor([1.0, -2.0])
advantages = torch.tensor([[0.5, 2.0, -1.0], [3.0, 3.5, 2.0]])
c = 5.0
for name, (v, a) in {"(V, A)": (values, advantages), "(V + c, A - c)": (values + c, advantages - c)}.items():
    plain_sum = v.unsqueeze(1) + a
    q = dueling_q_values(v, a)
    print(f"{name:>15}: V + A = {plain_sum.tolist()}")
    print(f"{'':>15}  yours = {q.tolist()}, mean over actions = {q.mean(dim=1).tolist()}")

# %% [markdown]
# ## See it learn: CartPole-v1 with a dueling network
#
# `train` runs your DQN loop of part 4 with the course's `DQNConfig`, with a
# `DuelingQNetwork` in place of the `QNetwork` (same constructor, same output: Q-values
# `[B, A]`), until a greedy evaluation averages 475 or 30,000 steps have passed. The band
# is the reference solution's dueling DQN (five seeds; `python -m autograder curve dueling`
# draws the same). Note 9's figure puts it beside the plain `QNetwork`'s: the dueling
# network solves CartPole about as fast. On a task with two actions there is little for the
# advantage stream to share, so do not expect it to be faster; note 9 says where the
# architecture pays.

# %% tags: demo
result = train(DQNConfig(seed=0))
compare_to_reference(result, "cartpole_dueling", title="Dueling DQN on CartPole-v1")
plt.show()
print(describe_run(result))

# %% [markdown]
# ## Inside the trained network: the two streams
#
# The states of one episode of random actions: the pole falls within a few dozen steps.
# The trained network's value stream $V(s)$ says how good each state is, whatever is done
# in it. The centred advantages, $Q(s, a) - V(s)$, say how much better or worse each push
# is than the average of the two: they average to 0 in every state. The advantage head's
# own outputs also share an offset per state (dotted), which nothing in training pins down:
# it is the constant that the subtracted mean removes.

# %% tags: demo
env = gym.make("CartPole-v1")
rng = np.random.default_rng(3)
observation, _ = env.reset(seed=3)
observations, done = [observation], False
while not done:
    observation, _, terminated, truncated, _ = env.step(int(rng.integers(2)))
    done = terminated or truncated
    if not terminated:
        observations.append(observation)
env.close()
with torch.no_grad():
    states = torch.as_tensor(np.stack(observations))
    state_values, head_outputs = result.q_network.streams(states)
    centred = result.q_network(states) - state_values.unsqueeze(1)
figure, axes = plt.subplots(1, 2, figsize=(11, 3.5))
axes[0].plot(state_values, color="black")
axes[0].set_title("V(s)")
axes[1].plot(centred[:, 0], label="push left: Q(s, a) - V(s)")
axes[1].plot(centred[:, 1], label="push right: Q(s, a) - V(s)")
axes[1].plot(head_outputs.mean(dim=1), color="gray", linestyle=":", label="mean of the advantage head's outputs")
axes[1].axhline(0.0, color="gray", linewidth=0.5)
axes[1].set_title("centred advantages")
axes[1].legend()
for panel in axes:
    panel.set_xlabel("step of the episode")
plt.show()

# %% [markdown]
# ## Question
#
# With the mean subtracted, $V(s)$ is the mean of $Q(s, \cdot)$ over the actions, not the
# value of the best action, $\max_a Q(s, a)$. By how much do the two differ, in terms of the
# advantages? Why does the difference change neither the greedy action nor the DQN target?

# %% [markdown] tags: answer
# Model answer: max_a Q(s, a) = V(s) + max_a A(s, a) - mean_a A(s, a), so the best action's
# value exceeds V(s) by the gap between the largest advantage and the mean advantage of s.
# That gap is one number per state, the same for every action, so argmax_a Q(s, a) is
# argmax_a A(s, a) whatever it is. The DQN target never reads V alone: it takes
# max_a' Q_target(s', a'), which includes the gap, so the targets are those of any Q-network
# with the same Q-values.
