"""Public tests for part "pixels" (run them with: python -m autograder check pixels)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.pixels import checks

CASES = load_fixture("public", "pixels")


@points(1)
def test_max_frames(student):
    """max_frames is the pixel-wise max of the last two frames (uint8, arguments unchanged): a flickering object shows"""
    checks.check_max_frames(student, CASES["max_frames"])


@points(2)
def test_preprocess_frame(student):
    """preprocess_frame: luma 0.299 R + 0.587 G + 0.114 B, block means, uint8 [H / f, W / f]"""
    checks.check_preprocess(student, CASES["preprocess"])


@points(1)
def test_clip_reward(student):
    """clip_reward is the reward's sign"""
    checks.check_clip(student, CASES["clip"])


@points(2)
def test_frame_stacker(student):
    """FrameStacker: oldest first, nothing of the previous episode after a reset, a new array each time"""
    checks.check_stacker(student, CASES["stacker"])


@points(3)
def test_frame_replay_buffer(student):
    """FrameReplayBuffer: stacks rebuilt from frames stored once, never across episodes; terminated and truncated apart; every sampleable transition and no other"""
    checks.check_buffer(student, CASES["buffer"])


@points(2)
def test_pixel_q_network(student):
    """PixelQNetwork: uint8 stacks scaled by 1/255, Q-values [B, A] and gradients as computed from its weights"""
    checks.check_network(student, CASES["network"])
