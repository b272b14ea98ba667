"""Part "pixels": Q-learning from pixels.

Lecture: case studies, "Q-learning from pixels" and "DQN on Atari" (lecture_notes/10_pixels.md).
A screen is a poor state: it is large (an RGB frame is H x W x 3 bytes), it may flicker,
and one frame shows where things are but not where they go. DQN's answer is a short
pipeline, and each of its pieces is one function or class here:

  1. ``max_frames``: the agent acts every ``skip`` frames; its observation is the pixel-wise
     max of the last two frames seen, so that an object drawn on every other frame only
     (flicker) is never missed.
  2. ``preprocess_frame``: grayscale (the luma weights 0.299 R + 0.587 G + 0.114 B), then
     downsample by averaging blocks of ``factor`` x ``factor`` pixels; uint8 [H / f, W / f].
  3. ``clip_reward``: the rewards learnt from are clipped to their sign, so that one
     learning rate and one Huber threshold suit every game; returns are still measured
     on the game's own rewards.
  4. ``FrameStacker``: the observation is the last ``stack`` preprocessed frames, oldest
     first, [stack, H, W]; velocities can be read off it. At a reset the stack is filled
     with copies of the episode's first frame: never frames of the previous episode.
  5. ``FrameReplayBuffer``: each frame is stored once, and stacks are rebuilt from frame
     numbers when a batch is sampled; consecutive stacks share stack - 1 frames, so storing
     observations and next observations whole would store each frame 2 x stack times.
  6. ``PixelQNetwork``: convolutions on uint8 stacks [B, stack, H, W] (channels first, the
     frames as channels), scaled to [0, 1] by the network itself.

The kit's FlickerCatch-v0 (``dqkit/catch.py``) is a game seen only through such frames;
``train`` runs the kit's compact DQN loop (``dqkit/pixels.py``) with your pieces on it.

Your task: fill in the ``TODO(student)`` blocks. Check yourself with
    python -m autograder check pixels
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from dqkit.batch import Batch
from dqkit.checks import (check_count, check_downsample_factor, check_gray_frame, check_pixel_observations,
                          check_rgb_frame, check_sample_args)
from dqkit.networks import conv_trunk
from dqkit.pixels import PixelDQNConfig, PixelPieces, PixelTrainResult
from dqkit.pixels import train as train_with_pieces

GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
"""Weights of R, G and B in a grayscale pixel (the luma of ITU-R BT.601); they sum to 1."""


def max_frames(previous: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The pixel-wise max of the last two frames of a skipped step.

    Args:
        previous: uint8 [H, W, 3], the second-to-last frame.
        last: uint8 [H, W, 3], the last frame.

    Returns:
        uint8 [H, W, 3]: every pixel is the brighter of its two values, so an object drawn on
        one of the two frames only shows.
    """
    previous, last = check_rgb_frame(previous, "previous"), check_rgb_frame(last, "last")
    if previous.shape != last.shape:
        raise ValueError(f"previous and last must have the same shape, got {list(previous.shape)} and "
                         f"{list(last.shape)}")
    ### BEGIN SOLUTION: return the element-wise maximum of the two frames, still uint8 (no sum or average: uint8 arithmetic wraps around 256)
    return np.maximum(previous, last)
    ### END SOLUTION


def preprocess_frame(frame: np.ndarray, factor: int) -> np.ndarray:
    """Grayscale, then downsample by ``factor``.

    Args:
        frame: uint8 [H, W, 3], RGB (channels last, red first), as the environment gives it.
        factor: a whole number dividing H and W.

    Returns:
        uint8 [H / factor, W / factor]: pixel (i, j) is the mean, over the block of factor x
        factor pixels whose top-left corner is (factor i, factor j), of
        0.299 R + 0.587 G + 0.114 B, rounded to the nearest whole number.
    """
    frame = check_rgb_frame(frame)
    factor = check_downsample_factor(frame.shape, factor)
    ### BEGIN SOLUTION: compute the gray image in float32 with GRAY_WEIGHTS (channel 0 is red), average each factor x factor block (reshape to [H/f, f, W/f, f]), round, and return uint8
    # In float: uint8 arithmetic would wrap around 256 as soon as two pixels are summed.
    gray = frame.astype(np.float32) @ GRAY_WEIGHTS
    height, width = gray.shape
    blocks = gray.reshape(height // factor, factor, width // factor, factor)
    return np.round(blocks.mean(axis=(1, 3))).astype(np.uint8)
    ### END SOLUTION


def clip_reward(reward: float) -> float:
    """The reward learnt from: its sign, +1.0, -1.0 or 0.0 (the DQN paper's clipping; every
    game's rewards then have the same scale). Returns are measured on the raw rewards."""
    reward = float(reward)
    if not np.isfinite(reward):
        raise ValueError(f"reward must be finite, got {reward}")
    ### BEGIN SOLUTION: return the reward's sign as a float (a reward of 0 stays 0)
    return float(np.sign(reward))
    ### END SOLUTION


class FrameStacker:
    """The agent's observation: its last ``stack`` preprocessed frames, oldest first.

    ``reset(first_frame)`` starts an episode; ``step(frame)`` adds the frame each step
    brings. Both return uint8 [stack, H, W], a new array each time (the caller may keep it).
    """

    def __init__(self, stack: int):
        self.stack = check_count(stack, "stack")
        self.frames: list[np.ndarray] = []
        """The frames of the current stack, oldest first (empty before the first reset)."""

    def reset(self, frame: np.ndarray) -> np.ndarray:
        """Start an episode whose first frame is ``frame`` (uint8 [H, W]); the stack holds
        ``stack`` copies of it."""
        frame = check_gray_frame(frame).copy()
        ### BEGIN SOLUTION: set self.frames to `stack` copies of this first frame (nothing of the previous episode may stay), and return them stacked, oldest first
        # A new episode owes nothing to the previous one: its first frame fills the whole stack.
        self.frames = [frame] * self.stack
        return np.stack(self.frames)
        ### END SOLUTION

    def step(self, frame: np.ndarray) -> np.ndarray:
        """Add the newest frame (uint8 [H, W]) and drop the oldest; the stack after it."""
        if not self.frames:
            raise RuntimeError("FrameStacker.step was called before reset: call reset(first_frame) at each episode's start")
        frame = check_gray_frame(frame, self.frames[0].shape).copy()
        ### BEGIN SOLUTION: drop the oldest frame, append the new one last, and return a new array [stack, H, W] (not a view of anything you change later)
        self.frames = self.frames[1:] + [frame]
        return np.stack(self.frames)
        ### END SOLUTION


class FrameReplayBuffer:
    """A replay buffer for frame stacks that stores each frame once.

    Frames are numbered in the order they arrive (0, 1, 2, ...); frame ``n`` lives in slot
    ``n % capacity`` until frame ``n + capacity`` overwrites it. ``start_episode(frame)``
    stores an episode's first frame; ``add(action, reward, next_frame, terminated,
    truncated)`` stores the transition from the last stored frame and then ``next_frame``.
    The transition from frame ``n`` is kept in slot ``n % capacity``: its action, reward and
    flags. An observation is not stored: ``stack_numbers`` says which frames make it, and
    ``sample`` gathers them.

    Per slot: ``frames`` uint8 [capacity, H, W], ``actions`` int64, ``rewards`` float32,
    ``terminated`` and ``truncated`` float32 (1.0 or 0.0), ``episode_start`` int64 (the number
    of the first frame of the frame's episode).
    """

    def __init__(self, capacity: int, frame_shape: tuple[int, int], stack: int):
        self.capacity, self.stack = check_count(capacity, "capacity"), check_count(stack, "stack")
        self.frame_shape = tuple(int(n) for n in frame_shape)
        if len(self.frame_shape) != 2:
            raise ValueError(f"frame_shape must be (H, W), a preprocessed frame's shape, got {frame_shape!r}")
        self.frames = np.zeros((self.capacity, *self.frame_shape), dtype=np.uint8)
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity, dtype=np.float32)
        self.terminated = np.zeros(self.capacity, dtype=np.float32)
        self.truncated = np.zeros(self.capacity, dtype=np.float32)
        self.episode_start = np.zeros(self.capacity, dtype=np.int64)
        self.frames_added = 0
        """Frames stored so far; the next one gets this number."""
        self.current_episode_start = 0
        """The number of the first frame of the episode being stored."""

    def _write(self, frame: np.ndarray) -> None:
        slot = self.frames_added % self.capacity
        self.frames[slot] = frame
        self.episode_start[slot] = self.current_episode_start
        self.frames_added += 1

    def start_episode(self, frame: np.ndarray) -> None:
        """Store the first frame (uint8 [H, W]) of a new episode."""
        frame = check_gray_frame(frame, self.frame_shape)
        self.current_episode_start = self.frames_added
        self._write(frame)

    def add(self, action: int, reward: float, next_frame: np.ndarray, terminated: bool, truncated: bool) -> None:
        """Store the transition from the last stored frame: ``action`` (int), ``reward``
        (float, already clipped if it is to be), ``next_frame`` (uint8 [H, W]) and the flags
        of ``env.step``. After ``terminated`` or ``truncated`` the next call is ``start_episode``."""
        if self.frames_added == 0:
            raise RuntimeError("FrameReplayBuffer.add was called before start_episode: store the episode's first "
                               "frame first")
        next_frame = check_gray_frame(next_frame, self.frame_shape, "next_frame")
        if isinstance(action, bool) or not isinstance(action, (int, np.integer)):
            raise TypeError(f"action must be an int, got {action!r}")
        if not isinstance(terminated, (bool, np.bool_)) or not isinstance(truncated, (bool, np.bool_)):
            raise TypeError(f"terminated and truncated must be bools, as env.step returns them; got "
                            f"{terminated!r} and {truncated!r}")
        ### BEGIN SOLUTION: in the slot of the last stored frame (number frames_added - 1), store action, reward, terminated and truncated as given; then store next_frame with self._write
        slot = (self.frames_added - 1) % self.capacity
        self.actions[slot] = action
        self.rewards[slot] = reward
        # Kept apart: a time limit (truncated) ends the episode, yet its target still bootstraps.
        self.terminated[slot] = float(terminated)
        self.truncated[slot] = float(truncated)
        self._write(next_frame)
        ### END SOLUTION

    def stack_numbers(self, number: int | np.ndarray) -> np.ndarray:
        """The numbers of the frames of the observation that ends with frame ``number``,
        oldest first: int64 [stack] (or [N, stack] for numbers int64 [N]). They are
        ``number - stack + 1, ..., number``, except that none is before its episode's first
        frame: those repeat the first frame, as ``FrameStacker.reset`` does."""
        numbers = np.asarray(number, dtype=np.int64)
        ### BEGIN SOLUTION: look up each frame's episode_start (slot number % capacity), and raise every number of number - stack + 1 .. number that is below it to it
        first = self.episode_start[numbers % self.capacity]
        offsets = np.arange(-self.stack + 1, 1)
        return np.maximum(numbers[..., None] + offsets, first[..., None])
        ### END SOLUTION

    def sampleable(self) -> np.ndarray:
        """The numbers of the frames from which a transition can be sampled, int64 [N]: a
        frame n whose next frame n + 1 is stored and belongs to its episode, and every frame
        of whose stack is still stored (not overwritten: numbers >= frames_added - capacity)."""
        ### BEGIN SOLUTION: take the numbers of the stored frames except the newest; keep those whose frame n + 1 does not start an episode and whose stack's oldest frame (stack_numbers) is still stored
        oldest = max(0, self.frames_added - self.capacity)
        numbers = np.arange(oldest, self.frames_added - 1, dtype=np.int64)
        # Frame n + 1 starting an episode means frame n ended the previous one: no transition.
        continues = self.episode_start[(numbers + 1) % self.capacity] != numbers + 1
        stored = self.stack_numbers(numbers)[:, 0] >= oldest
        return numbers[continues & stored]
        ### END SOLUTION

    def __len__(self) -> int:
        """Transitions that can be sampled."""
        return len(self.sampleable())

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """``batch_size`` transitions drawn uniformly (with replacement) among the sampleable
        ones. The Batch holds observations and next_observations as uint8 [B, stack, H, W]
        (the network scales them), actions int64 [B], and rewards, terminated and truncated
        float32 [B]."""
        candidates = self.sampleable()
        check_sample_args(len(candidates), batch_size, rng)
        numbers = candidates[rng.integers(0, len(candidates), size=batch_size)]
        slots = numbers % self.capacity
        observations = self.frames[self.stack_numbers(numbers) % self.capacity]
        next_observations = self.frames[self.stack_numbers(numbers + 1) % self.capacity]
        return Batch(torch.from_numpy(observations), torch.from_numpy(self.actions[slots]),
                     torch.from_numpy(self.rewards[slots]), torch.from_numpy(next_observations),
                     torch.from_numpy(self.terminated[slots]), torch.from_numpy(self.truncated[slots]))


class PixelQNetwork(nn.Module):
    """Q(s, .) from frame stacks: observations uint8 [B, stack, height, width] -> q_values
    float32 [B, num_actions]. The convolutional trunk (``dqkit.networks.conv_trunk``) takes
    the stack's frames as its input channels; a hidden linear layer with a ReLU and a linear
    head follow."""

    def __init__(self, stack: int, height: int, width: int, num_actions: int, hidden_size: int = 64):
        super().__init__()
        self.stack, self.height, self.width, self.num_actions = stack, height, width, num_actions
        self.convs, features = conv_trunk(stack, height, width)
        self.hidden = nn.Linear(features, hidden_size)
        self.head = nn.Linear(hidden_size, num_actions)

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        """q_values float32 [B, num_actions] for observations uint8 [B, stack, height, width]."""
        check_pixel_observations(observations, self.stack, self.height, self.width)
        ### BEGIN SOLUTION: scale the uint8 pixels to float32 in [0, 1] (divide by 255), apply self.convs, flatten each state's features (keep the batch axis), then self.hidden, a ReLU and self.head
        # Raw 0..255 inputs would make the first layer's pre-activations a hundred times too large.
        scaled = observations.float() / 255.0
        features = self.convs(scaled).flatten(start_dim=1)
        return self.head(torch.relu(self.hidden(features)))
        ### END SOLUTION


def pieces() -> PixelPieces:
    """This module's pieces, as the kit's loop takes them."""
    return PixelPieces(max_frames, preprocess_frame, clip_reward, FrameStacker, FrameReplayBuffer, PixelQNetwork)


def train(config: PixelDQNConfig) -> PixelTrainResult:
    """DQN on FlickerCatch-v0 with your pieces (the kit's loop, ``dqkit/pixels.py``). The
    grader's learning check trains them the same way, with the course's PixelDQNConfig."""
    return train_with_pieces(config, pieces())
