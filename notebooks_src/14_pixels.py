# %% [markdown]
# # Part 13: Q-learning from pixels
#
# An agent that sees the screen gets a large, flickering observation that shows where things
# are but not where they go. DQN's answer is a pipeline of small pieces: the max of the last
# two frames of a skipped step, grayscale and downsampling, rewards clipped to their sign,
# a stack of the last frames as the observation, a replay buffer that stores each frame
# once, and a convolutional Q-network that scales the bytes itself. The lecture notes:
# [note 10, Q-learning from pixels](../lecture_notes/10_pixels.md).
#
# **Your task:** fill in the `TODO(student)` blocks of `assignments/pixels.py`, then run this
# notebook from the top. The training demo runs the kit's own DQN loop on your pieces, so
# it does not need your other parts.
# (If your course has you write your code in the notebooks, fill in this notebook's solution
# cell instead: running it writes that file.)

# %% tags: setup
import gymnasium as gym
import matplotlib.pyplot as plt
import numpy as np
import torch

from autograder.selfcheck import check, use_modules
from dqkit.catch import CELL, COLUMNS, FLICKER_CATCH, ROWS

torch.set_num_threads(1)  # networks this small train faster on one thread than on several

use_modules()  # makes your modules importable (../assignments/, or $DQKIT_MODULES) and prints their folder
from pixels import (FrameReplayBuffer, FrameStacker, PixelDQNConfig, max_frames,  # noqa: E402
                    preprocess_frame, train)

# %% [markdown]
# ## Check your work
#
# The same public tests as `python -m autograder check pixels`.

# %% tags: check
check("pixels")

# %% [markdown]
# ## See it work: flicker, and what preprocessing keeps
#
# FlickerCatch draws the ball on odd frames only. The agent acts every second frame, so the
# last frame of each of its steps (left) never shows the ball; the max of the step's two
# frames (middle) always does. On the right, what the network sees of it: gray, and a
# quarter of the pixels.

# %% tags: demo
env = gym.make(FLICKER_CATCH)
first, _ = env.reset(seed=1)
odd, *_ = env.step(1)
even, *_ = env.step(1)
env.close()
figure, axes = plt.subplots(1, 3, figsize=(10, 3.5))
axes[0].imshow(even)
axes[0].set_title("last frame of the step")
axes[1].imshow(max_frames(odd, even))
axes[1].set_title("max of its two frames")
axes[2].imshow(preprocess_frame(max_frames(odd, even), 2), cmap="gray", vmin=0, vmax=255)
axes[2].set_title("preprocessed (gray, 1/2 per side)")
for panel in axes:
    panel.axis("off")
plt.show()

# %% [markdown]
# ## See it work: one frame stored once
#
# The frame buffer keeps each frame once and rebuilds stacks when it samples. Below, the
# bytes it holds for 20,000 frames, against a buffer that stores every observation and next
# observation as whole stacks of 4.

# %% tags: demo
config = PixelDQNConfig()
shape = (ROWS * CELL // config.downsample, COLUMNS * CELL // config.downsample)
buffer = FrameReplayBuffer(config.buffer_capacity, shape, config.frame_stack)
held = sum(value.nbytes for value in vars(buffer).values() if isinstance(value, np.ndarray))
whole_stacks = 2 * config.buffer_capacity * config.frame_stack * shape[0] * shape[1]
print(f"frame buffer: {held / 1e6:.1f} MB; whole stacks: {whole_stacks / 1e6:.1f} MB "
      f"({whole_stacks / held:.1f} times as much)")
stacker = FrameStacker(config.frame_stack)
print("a stack after a reset:", stacker.reset(np.zeros(shape, dtype=np.uint8)).shape)

# %% [markdown]
# ## See it learn: FlickerCatch-v0
#
# `train` runs the kit's DQN loop (`dqkit/pixels.py`) with your pieces and the course's
# `PixelDQNConfig`, until a greedy evaluation averages 0.8 (a catch is +1, a miss -1) or
# 8,000 steps have passed: about twenty seconds on one core.

# %% tags: demo
result = train(PixelDQNConfig(seed=0))
steps, returns = zip(*result.evaluations)
plt.plot(steps, returns, marker="o")
plt.axhline(config.solved_return, color="gray", linestyle=":")
plt.xlabel("agent steps")
plt.ylabel("mean greedy return")
plt.title("DQN from pixels on FlickerCatch-v0")
plt.show()
print("solved at", result.solved_at, "steps" if result.solved_at else "(not solved)")

# %% [markdown]
# ## Question
#
# Your frame buffer repeats an episode's first frame in the stacks of its first steps,
# exactly as your `FrameStacker.reset` does. Suppose the stacker did it that way but the
# buffer instead let a stack reach back into the previous episode's last frames. What would
# the network be trained on that it never sees when it acts, and why might that matter
# most in a game whose episodes start in very different scenes?

# %% [markdown] tags: answer
# Model answer: the first stack - 1 transitions of every episode would be learnt from stacks
# that mix the end of one episode with the start of the next, while the agent acts on stacks
# that repeat the first frame. The Q-values it learns for those mixed stacks are never used,
# and the stacks it acts on at an episode's start are never trained on, so its first actions
# are extrapolated. The mixed frames also show motion that never happened (a jump between two
# scenes), which a network reading velocities from frame differences takes for real. The more
# the start scenes differ from the end scenes, the further these stacks are from anything
# the agent really sees.
