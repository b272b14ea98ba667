"""FlickerCatch: a small game seen only through RGB frames, for part "pixels".

A ball falls from the top row of a ``ROWS`` x ``COLUMNS`` grid, one row per frame, moving
one column sideways per frame and bouncing off the side walls. A paddle three cells wide
sits on the bottom row and moves one cell left, not at all, or one cell right per frame
(actions 0, 1, 2). When the ball reaches the paddle's row the episode terminates: reward +1
if the paddle is under it, -1 if not. Every other step gives 0.

The observation is the screen, an RGB image uint8 [ROWS * CELL, COLUMNS * CELL, 3]. Like
many Atari games, the screen flickers: the ball is drawn on odd frames only. An agent that
looks at every second frame, the last one of each pair, would never see it; the maximum of
the pair's two frames always shows it (``pixels.max_frames``). The ball's direction is in no
single frame: it takes two frames to tell which way it goes (``pixels.FrameStacker``).
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

ROWS, COLUMNS, CELL = 12, 10, 4
"""The grid, and the side of a cell in pixels: frames are [48, 40, 3]."""
PADDLE_HALF_WIDTH = 1
"""The paddle covers its column and one on each side."""
BACKGROUND = (16, 24, 64)
BALL = (230, 60, 40)
PADDLE = (60, 200, 120)
"""Colours (R, G, B), chosen so that each channel's weight in the grayscale matters."""

FLICKER_CATCH = "dqkit/FlickerCatch-v0"


class FlickerCatch(gym.Env):
    """The game; see the module docstring. ``reset`` starts the ball in a random column of
    the top row with a random sideways direction, and the paddle in a random column."""

    metadata = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(0, 255, (ROWS * CELL, COLUMNS * CELL, 3), np.uint8)
        self.action_space = gym.spaces.Discrete(3)
        self.frame = 0
        self.ball_row = self.ball_column = self.direction = self.paddle = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.frame = 0
        self.ball_row = 0
        self.ball_column = int(self.np_random.integers(COLUMNS))
        self.direction = int(self.np_random.choice((-1, 1)))
        self.paddle = int(self.np_random.integers(PADDLE_HALF_WIDTH, COLUMNS - PADDLE_HALF_WIDTH))
        return self.screen(), {}

    def step(self, action: int):
        if not self.action_space.contains(action):
            raise ValueError(f"FlickerCatch's actions are 0 (left), 1 (stay) and 2 (right); got {action!r}")
        self.frame += 1
        self.paddle = int(np.clip(self.paddle + int(action) - 1, PADDLE_HALF_WIDTH, COLUMNS - 1 - PADDLE_HALF_WIDTH))
        column = self.ball_column + self.direction
        if not 0 <= column < COLUMNS:  # bounce off the wall
            self.direction = -self.direction
            column = self.ball_column + self.direction
        self.ball_column, self.ball_row = column, self.ball_row + 1
        terminated = self.ball_row == ROWS - 1
        reward = 0.0
        if terminated:
            reward = 1.0 if abs(self.ball_column - self.paddle) <= PADDLE_HALF_WIDTH else -1.0
        return self.screen(), reward, terminated, False, {}

    def screen(self) -> np.ndarray:
        """The current frame, uint8 [ROWS * CELL, COLUMNS * CELL, 3]; the ball only on odd frames."""
        image = np.empty((ROWS * CELL, COLUMNS * CELL, 3), dtype=np.uint8)
        image[:] = BACKGROUND
        left = (self.paddle - PADDLE_HALF_WIDTH) * CELL
        image[(ROWS - 1) * CELL:, left:left + (2 * PADDLE_HALF_WIDTH + 1) * CELL] = PADDLE
        if self.frame % 2 == 1:
            top, side = self.ball_row * CELL, self.ball_column * CELL
            image[top:top + CELL, side:side + CELL] = BALL
        return image


if FLICKER_CATCH not in gym.registry:
    gym.register(FLICKER_CATCH, entry_point="dqkit.catch:FlickerCatch", max_episode_steps=100)
