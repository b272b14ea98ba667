"""The reference pixel pieces on tiny inputs with hand-computed answers, their input checks,
the game, and the grader's own frame pipeline and network against the reference's.

Hand-computed examples: the luma of pure red is 0.299 * 255 = 76.2, of pure green 149.7,
of pure blue 29.1, of white 255; a 2 x 2 block of red, green, blue and white averages
(76.245 + 149.685 + 29.07 + 255) / 4 = 127.5, rounded to 128.
"""
from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
import torch

from autograder.shared import pixels as grader_pixels
from dqkit.catch import FLICKER_CATCH, ROWS
from tests.reference import load

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "solutions"))
try:
    pixels = load("pixels")
finally:
    sys.path.remove(str(REPO / "solutions"))


def rgb(*colours: tuple[int, int, int]) -> np.ndarray:
    return np.array(colours, dtype=np.uint8).reshape(1, len(colours), 3)


@pytest.mark.parametrize("frame, factor, expected", [
    (rgb((255, 0, 0), (0, 255, 0), (0, 0, 255)), 1, [[76, 150, 29]]),
    (np.array([[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]], dtype=np.uint8), 2, [[128]]),
    (np.full((4, 4, 3), 200, dtype=np.uint8), 2, [[200, 200], [200, 200]]),  # no uint8 wrap-around
], ids=["luma", "block_mean", "bright"])
def test_preprocess_frame_worked_examples(frame, factor, expected):
    result = pixels.preprocess_frame(frame, factor)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, np.array(expected, dtype=np.uint8))


def test_max_frames_shows_what_either_frame_shows():
    previous, last = rgb((200, 0, 0), (10, 10, 10)), rgb((0, 0, 0), (250, 250, 250))
    np.testing.assert_array_equal(pixels.max_frames(previous, last), rgb((200, 0, 0), (250, 250, 250)))


@pytest.mark.parametrize("reward, expected", [(0.0, 0.0), (0.3, 1.0), (-7.0, -1.0), (1.0, 1.0)])
def test_clip_reward_is_the_sign(reward, expected):
    assert pixels.clip_reward(reward) == expected


def test_frame_stacker_repeats_the_first_frame_after_a_reset():
    frames = [np.full((2, 2), value, dtype=np.uint8) for value in range(5)]
    stacker = pixels.FrameStacker(3)
    stacker.reset(frames[0])
    kept = stacker.step(frames[1])
    assert [int(frame[0, 0]) for frame in stacker.step(frames[2])] == [0, 1, 2]
    assert [int(frame[0, 0]) for frame in stacker.reset(frames[3])] == [3, 3, 3]
    assert [int(frame[0, 0]) for frame in kept] == [0, 0, 1]  # returned stacks stay as they were


def test_frame_buffer_never_stacks_across_episodes_and_keeps_truncation_apart():
    frame = [np.full((2, 2), value, dtype=np.uint8) for value in range(6)]
    buffer = pixels.FrameReplayBuffer(10, (2, 2), 2)
    buffer.start_episode(frame[0])
    buffer.add(1, 1.0, frame[1], False, True)  # a time limit: the episode ends, the target bootstraps
    buffer.start_episode(frame[2])
    buffer.add(2, -1.0, frame[3], False, False)
    buffer.add(0, 0.0, frame[4], True, False)
    np.testing.assert_array_equal(buffer.sampleable(), [0, 2, 3])  # frame 1 ended an episode
    np.testing.assert_array_equal(buffer.stack_numbers(2), [2, 2])
    np.testing.assert_array_equal(buffer.stack_numbers(np.array([3, 1])), [[2, 3], [0, 1]])
    batch = buffer.sample(200, np.random.default_rng(0))
    first = batch.observations[:, -1, 0, 0]
    assert set(first.tolist()) == {0, 2, 3}
    assert batch.observations.dtype == torch.uint8 and list(batch.observations.shape) == [200, 2, 2, 2]
    assert float(batch.terminated[first == 0].max()) == 0.0 and float(batch.truncated[first == 0].min()) == 1.0
    assert float(batch.terminated[first == 3].min()) == 1.0


def test_frame_buffer_leaves_out_overwritten_stacks():
    buffer = pixels.FrameReplayBuffer(4, (1, 1), 3)
    buffer.start_episode(np.zeros((1, 1), dtype=np.uint8))
    for value in range(1, 7):
        buffer.add(0, 0.0, np.full((1, 1), value, dtype=np.uint8), False, False)
    # Frames 3 to 6 are stored; frame 5's stack (3, 4, 5) is, frame 4's (2, 3, 4) is not.
    np.testing.assert_array_equal(buffer.sampleable(), [5])
    assert len(buffer) == 1


@pytest.mark.parametrize("call, error, match", [
    (lambda: pixels.preprocess_frame(np.zeros((4, 4, 3), dtype=np.float32), 2), TypeError, "must be uint8"),
    (lambda: pixels.preprocess_frame(np.zeros((3, 4, 4), dtype=np.uint8), 2), ValueError, r"\[H, W, 3\]"),
    (lambda: pixels.preprocess_frame(np.zeros((5, 4, 3), dtype=np.uint8), 2), ValueError, "must divide"),
    (lambda: pixels.FrameStacker(2).step(np.zeros((2, 2), dtype=np.uint8)), RuntimeError, "before reset"),
    (lambda: pixels.FrameReplayBuffer(4, (2, 2), 2).add(0, 0.0, np.zeros((2, 2), dtype=np.uint8), False, False),
     RuntimeError, "before start_episode"),
    (lambda: pixels.PixelQNetwork(2, 8, 8, 3)(torch.zeros(1, 2, 8, 8)), TypeError, "uint8"),
], ids=["float_frame", "channels_first", "factor", "step_before_reset", "add_before_start", "float_stacks"])
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_flicker_catch_draws_the_ball_on_odd_frames_only():
    env = gym.make(FLICKER_CATCH)
    frame, _ = env.reset(seed=0)
    background = frame.copy()
    shown = []
    for _ in range(ROWS - 1):
        frame, reward, terminated, truncated, _ = env.step(1)
        shown.append(bool(np.any(np.all(frame == (230, 60, 40), axis=2))))
    env.close()
    assert shown == [t % 2 == 1 for t in range(1, ROWS)] and terminated and reward in (1.0, -1.0)
    assert not np.any(np.all(background == (230, 60, 40), axis=2))


def test_the_graders_pipeline_and_network_agree_with_the_reference():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (8, 6, 3)).astype(np.uint8)
    assert np.max(np.abs(grader_pixels.preprocessed(frame, 2).astype(int)
                         - pixels.preprocess_frame(frame, 2).astype(int))) <= 1
    torch.manual_seed(0)
    network = pixels.PixelQNetwork(4, 12, 10, 3, 16)
    grader = grader_pixels.GraderPixelQ(4, 12, 10, 3, 16)
    grader.load_state_dict(network.state_dict())
    stacks = torch.as_tensor(rng.integers(0, 256, (5, 4, 12, 10)).astype(np.uint8))
    torch.testing.assert_close(grader(stacks), network(stacks))
