"""The kit's side of part "pixels": the environment's frame skipping, the course's config,
and a compact DQN loop that trains with the pieces students write in ``pixels.py``.

The pieces (``PixelPieces``) are the lesson: ``max_frames``, ``preprocess_frame``,
``clip_reward``, ``FrameStacker``, ``FrameReplayBuffer`` and ``PixelQNetwork``. Everything
else is here, provided: frame skipping (a gymnasium wrapper that repeats the action and
hands the last two frames to ``max_frames``), gymnasium's own ``TransformObservation`` for
the per-frame preprocessing, and a DQN update written out in a few lines (the DQN loop of
part dqn_loop is yours to write there; this one only exists so that the pieces can be
trained together).
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.nn import functional

from dqkit.catch import FLICKER_CATCH

EVALUATION_SEED = 20_000
"""Evaluation episode k of a run with seed s starts from reset(seed=EVALUATION_SEED + 1000 s + k)."""


@dataclass
class PixelDQNConfig:
    """Every setting of one DQN run on pixels. The defaults are the course's: they solve
    FlickerCatch-v0 within a few thousand steps on a CPU."""

    env_id: str = FLICKER_CATCH
    """A gymnasium environment whose observations are RGB frames uint8 [H, W, 3]."""
    seed: int = 0
    """Seeds torch, the numpy Generator used for exploration and sampling, and the env."""
    total_steps: int = 8_000
    """Budget of agent steps (each is ``skip`` frames of the environment)."""
    skip: int = 2
    """Frames per agent step: the action is repeated, the rewards are summed, and the
    observation is the max of the last two frames."""
    downsample: int = 2
    """Each side of a frame is divided by this (mean over blocks of downsample x downsample pixels)."""
    frame_stack: int = 4
    """Preprocessed frames per observation (the network's input channels)."""
    hidden_size: int = 64
    """Width of the Q-network's hidden linear layer."""
    buffer_capacity: int = 20_000
    """Frames the replay buffer holds."""
    batch_size: int = 32
    """Transitions per gradient step."""
    learning_starts: int = 500
    """Agent steps of pure collection before the first gradient step."""
    train_every: int = 2
    """Agent steps between gradient steps."""
    gamma: float = 0.95
    """Discount."""
    learning_rate: float = 1e-3
    """Adam's learning rate."""
    tau: float = 0.02
    """Polyak weight on the online network after each gradient step."""
    epsilon_start: float = 1.0
    """Exploration probability at step 0."""
    epsilon_end: float = 0.05
    """Exploration probability from ``epsilon_decay_steps`` on."""
    epsilon_decay_steps: int = 2_000
    """Steps over which epsilon decays linearly."""
    max_grad_norm: float = 10.0
    """Gradient-norm clipping threshold."""
    eval_every: int = 500
    """Agent steps between greedy evaluations (after ``learning_starts``)."""
    eval_episodes: int = 30
    """Episodes per greedy evaluation."""
    solved_return: float = 0.8
    """Stop once the mean greedy return reaches this (a catch is +1, a miss -1: 0.8 is 90 % caught)."""


class PixelPieces(NamedTuple):
    """The student's pieces that the loop trains with (``pixels.pieces()`` gathers them)."""

    max_frames: Callable[[np.ndarray, np.ndarray], np.ndarray]
    preprocess_frame: Callable[[np.ndarray, int], np.ndarray]
    clip_reward: Callable[[float], float]
    FrameStacker: type
    FrameReplayBuffer: type
    PixelQNetwork: type


@dataclass
class PixelTrainResult:
    """What ``train`` returns."""

    q_network: nn.Module
    """The trained online network."""
    evaluations: list[tuple[int, float]] = field(default_factory=list)
    """(agent steps so far, mean greedy return) for every evaluation."""
    solved_at: int | None = None
    """Agent steps at the first evaluation reaching ``solved_return``; None if never."""
    env_steps: int = 0
    """Agent steps taken."""


class SkipFrames(gym.Wrapper):
    """Repeat each action for ``skip`` frames (fewer if the episode ends), sum their rewards,
    and observe ``max_frames(second_last, last)``: the two last frames seen. At a reset the
    observation is the first frame as it is (there is only one)."""

    def __init__(self, env: gym.Env, skip: int, max_frames: Callable[[np.ndarray, np.ndarray], np.ndarray]):
        super().__init__(env)
        if skip < 1:
            raise ValueError(f"skip must be a positive integer, got {skip!r}")
        self.skip, self.max_frames = skip, max_frames

    def step(self, action):
        total, last, previous = 0.0, None, None
        for _ in range(self.skip):
            frame, reward, terminated, truncated, info = self.env.step(action)
            previous, last = last, frame
            total += float(reward)
            if terminated or truncated:
                break
        observation = last if previous is None else self.max_frames(previous, last)
        return observation, total, terminated, truncated, info


def make_pixel_env(config: PixelDQNConfig, max_frames: Callable, preprocess_frame: Callable) -> gym.Env:
    """The environment of ``config`` as the agent sees it: frames skipped and maxed, then each
    observation preprocessed to uint8 [H / downsample, W / downsample]."""
    env = SkipFrames(gym.make(config.env_id), config.skip, max_frames)
    height, width, _ = env.observation_space.shape
    space = gym.spaces.Box(0, 255, (height // config.downsample, width // config.downsample), np.uint8)
    return gym.wrappers.TransformObservation(env, lambda frame: preprocess_frame(frame, config.downsample), space)


def greedy_return(q_network: nn.Module, config: PixelDQNConfig, pieces: PixelPieces) -> float:
    """Mean return of the greedy policy over ``config.eval_episodes`` episodes, seen through
    the pieces (raw rewards: clipping is for learning only)."""
    env = make_pixel_env(config, pieces.max_frames, pieces.preprocess_frame)
    stacker = pieces.FrameStacker(config.frame_stack)
    returns = []
    for k in range(config.eval_episodes):
        frame, _ = env.reset(seed=EVALUATION_SEED + 1000 * config.seed + k)
        observation, done, episode_return = stacker.reset(frame), False, 0.0
        while not done:
            with torch.no_grad():
                action = int(q_network(torch.as_tensor(observation).unsqueeze(0)).argmax(dim=1)[0])
            frame, reward, terminated, truncated, _ = env.step(action)
            observation, done, episode_return = stacker.step(frame), terminated or truncated, episode_return + reward
        returns.append(episode_return)
    env.close()
    return float(np.mean(returns))


def train(config: PixelDQNConfig, pieces: PixelPieces) -> PixelTrainResult:
    """DQN on frames with the student's pieces: epsilon-greedy collection into the frame
    buffer, one gradient step of the Huber TD loss per ``train_every`` steps towards
    r + gamma (1 - terminated) max_a' Q_target(s', a'), and a Polyak target network."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    env = make_pixel_env(config, pieces.max_frames, pieces.preprocess_frame)
    env.action_space.seed(config.seed)
    height, width = env.observation_space.shape
    num_actions = int(env.action_space.n)
    q_network = pieces.PixelQNetwork(config.frame_stack, height, width, num_actions, config.hidden_size)
    target_network = copy.deepcopy(q_network).requires_grad_(False)
    optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate)
    buffer = pieces.FrameReplayBuffer(config.buffer_capacity, (height, width), config.frame_stack)
    stacker = pieces.FrameStacker(config.frame_stack)
    result = PixelTrainResult(q_network=q_network)

    frame, _ = env.reset(seed=config.seed)
    observation = stacker.reset(frame)
    buffer.start_episode(frame)
    for step in range(config.total_steps):
        fraction = min(step / config.epsilon_decay_steps, 1.0)
        epsilon = config.epsilon_start + fraction * (config.epsilon_end - config.epsilon_start)
        if rng.random() < epsilon:
            action = int(rng.integers(num_actions))
        else:
            with torch.no_grad():
                action = int(q_network(torch.as_tensor(observation).unsqueeze(0)).argmax(dim=1)[0])
        frame, reward, terminated, truncated, _ = env.step(action)
        # Only what is learnt from is clipped; returns are measured on the game's own rewards.
        buffer.add(action, pieces.clip_reward(reward), frame, terminated, truncated)
        observation = stacker.step(frame)
        if terminated or truncated:
            frame, _ = env.reset()
            observation = stacker.reset(frame)
            buffer.start_episode(frame)

        if step + 1 >= config.learning_starts and (step + 1) % config.train_every == 0:
            batch = buffer.sample(config.batch_size, rng)
            with torch.no_grad():
                best_next = target_network(batch.next_observations).max(dim=1).values
                targets = batch.rewards + config.gamma * (1.0 - batch.terminated) * best_next
            chosen = q_network(batch.observations).gather(1, batch.actions.unsqueeze(1)).squeeze(1)
            optimizer.zero_grad()
            functional.smooth_l1_loss(chosen, targets).backward()
            nn.utils.clip_grad_norm_(q_network.parameters(), config.max_grad_norm)
            optimizer.step()
            with torch.no_grad():
                for target, online in zip(target_network.parameters(), q_network.parameters()):
                    target.lerp_(online, config.tau)

        result.env_steps = step + 1
        if step + 1 >= config.learning_starts and (step + 1) % config.eval_every == 0:
            mean_return = greedy_return(q_network, config, pieces)
            result.evaluations.append((step + 1, mean_return))
            if mean_return >= config.solved_return:
                result.solved_at = step + 1
                break
    env.close()
    return result


def config_fields(config: PixelDQNConfig) -> dict[str, Any]:
    """The config as plain data (for the grader's fixtures)."""
    return {name: getattr(config, name) for name in PixelDQNConfig.__dataclass_fields__}
