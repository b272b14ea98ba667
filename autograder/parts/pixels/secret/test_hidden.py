"""Hidden tests for part "pixels"."""
from __future__ import annotations

from autograder.graders.learning import check_solves, needs_working
from autograder.graders.support import load_fixture, points
from autograder.parts.pixels import checks

CASES = load_fixture("hidden", "pixels")


@points(1)
def test_max_frames_larger_frames(student):
    """max_frames on larger frames with bright pixels, where a uint8 sum wraps"""
    checks.check_max_frames(student, CASES["max_frames_large"])


@points(1)
def test_preprocess_other_factors(student):
    """preprocess_frame with factor 4, and with factor 1 (grayscale only) on an odd-sized frame"""
    checks.check_preprocess(student, CASES["preprocess_factor_4"])
    checks.check_preprocess(student, CASES["preprocess_factor_1"])


@points(1)
def test_clip_small_and_large_rewards(student):
    """clip_reward of rewards close to 0 and far beyond 1"""
    checks.check_clip(student, CASES["clip_small"])


@points(1)
def test_frame_stacker_short_episodes(student):
    """FrameStacker with a stack of 2 and episodes of a single frame"""
    checks.check_stacker(student, CASES["stacker_two"])


@points(2)
def test_frame_replay_buffer_wraps(student):
    """FrameReplayBuffer after its capacity wrapped: no overwritten frame, no stack across episodes"""
    checks.check_buffer(student, CASES["buffer_wraps"])
    checks.check_buffer(student, CASES["buffer_long_stack"])


@points(1)
def test_pixel_q_network_one_state(student):
    """PixelQNetwork on a batch of one (as when acting), with a stack of 2"""
    checks.check_network(student, CASES["network_one_state"])


@points(4)
def test_learns_flicker_catch(student):
    """learning: your pieces, trained by the kit's DQN loop with the course's PixelDQNConfig, catch the ball in FlickerCatch-v0 (greedy return >= 0.8)"""
    needs_working(student, [(checks.check_max_frames, CASES["max_frames_large"]),
                            (checks.check_preprocess, CASES["preprocess_factor_4"]),
                            (checks.check_clip, CASES["clip_small"]),
                            (checks.check_stacker, CASES["stacker_two"]),
                            (checks.check_buffer, CASES["buffer_wraps"]),
                            (checks.check_network, CASES["network_one_state"])], "your pixel pieces")
    check_solves(student, CASES["catch"], "PixelDQNConfig", "pixel DQN", checks.LEARNING_ADVICE)
