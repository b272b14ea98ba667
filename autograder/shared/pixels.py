"""The grader's own frame pipeline and Q-network for part "pixels", written here from the
course's definitions (never taken from a submission), and its measure of a trained network.

The learning check of part pixels loads the trained parameters into ``GraderPixelQ`` and
plays FlickerCatch through this pipeline: the frames of each step maxed, converted to gray,
block-averaged, and stacked oldest first with the episode's first frame repeated. A network
that only works with a student's mistaken pipeline (channels swapped, frames unscaled) is
measured as it is: on the frames as they should be.
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

import dqkit.catch  # noqa: F401  (registers FlickerCatch-v0)
from dqkit.networks import conv_trunk
from dqkit.pixels import EVALUATION_SEED

LUMA = np.array([0.299, 0.587, 0.114])
"""R, G and B weights of a gray pixel (ITU-R BT.601)."""


def gray_blocks(frame: np.ndarray, factor: int, weights: np.ndarray = LUMA) -> np.ndarray:
    """float64 [H / factor, W / factor]: the mean over each factor x factor block of the
    weighted sum of the channels of ``frame`` [H, W, 3], unrounded."""
    gray = np.einsum("hwc,c->hw", frame.astype(np.float64), weights)
    rows, columns = gray.shape[0] // factor, gray.shape[1] // factor
    return np.array([[gray[i * factor:(i + 1) * factor, j * factor:(j + 1) * factor].mean() for j in range(columns)]
                     for i in range(rows)])


def preprocessed(frame: np.ndarray, factor: int) -> np.ndarray:
    """uint8 [H / factor, W / factor]: ``gray_blocks`` rounded to the nearest whole number."""
    return np.rint(gray_blocks(frame, factor)).astype(np.uint8)


class GraderPixelQ(nn.Module):
    """The grader's own Q-network with the parameters of the pixels part's ``PixelQNetwork``
    (``convs.0``, ``convs.2``, ``hidden``, ``head``): uint8 stacks [B, stack, H, W], scaled to
    [0, 1] here, to float32 [B, num_actions]."""

    def __init__(self, stack: int, height: int, width: int, num_actions: int, hidden_size: int):
        super().__init__()
        self.convs, features = conv_trunk(stack, height, width)
        self.hidden = nn.Linear(features, hidden_size)
        self.head = nn.Linear(hidden_size, num_actions)

    def forward(self, stacks: torch.Tensor) -> torch.Tensor:
        features = torch.flatten(self.convs(stacks.to(torch.float32) * (1.0 / 255.0)), 1)
        return self.head(nn.functional.relu(self.hidden(features)))


def frame_shape(config: dict[str, Any]) -> tuple[int, int]:
    """The preprocessed frame's [H, W] for the config's environment."""
    env = gym.make(config["env_id"])
    height, width, _ = env.observation_space.shape
    env.close()
    return height // config["downsample"], width // config["downsample"]


def grader_network(config: dict[str, Any], hidden_size: int) -> GraderPixelQ:
    height, width = frame_shape(config)
    return GraderPixelQ(config["frame_stack"], height, width, 3, hidden_size)


def play(q_network: nn.Module, config: dict[str, Any], seed: int) -> list[float]:
    """The greedy policy's undiscounted return (the game's own rewards) in each of the
    config's ``eval_episodes`` episodes, episode k from reset(seed=EVALUATION_SEED + 1000 seed + k)."""
    stack, skip, factor = config["frame_stack"], config["skip"], config["downsample"]
    env = gym.make(config["env_id"])
    returns = []
    for k in range(int(config["eval_episodes"])):
        frame, _ = env.reset(seed=EVALUATION_SEED + 1000 * seed + k)
        history = [preprocessed(frame, factor)] * stack
        total, done = 0.0, False
        while not done:
            with torch.no_grad():
                action = int(torch.argmax(q_network(torch.as_tensor(np.array(history)[None]))[0]))
            seen = []
            for _ in range(skip):
                frame, reward, terminated, truncated, _ = env.step(action)
                seen.append(frame)
                total += float(reward)
                done = terminated or truncated
                if done:
                    break
            combined = seen[-1] if len(seen) == 1 else np.maximum(seen[-2], seen[-1])
            history = history[1:] + [preprocessed(combined, factor)]
        returns.append(total)
    env.close()
    return returns
