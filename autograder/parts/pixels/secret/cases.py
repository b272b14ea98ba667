"""Fixture cases for part pixels.

Every test of this part judges a property the grader computes itself (the max, the luma
block means, the signs, the stacks, the stored transitions, the network's forward pass from
its own weights), so no case stores a reference result. The inputs are chosen so that each
common mistake changes the answer: frames with a flickering object and bright pixels whose
uint8 sums wrap; colours whose red and blue differ a lot, and objects narrower than a block;
rewards between -1 and 1 as well as beyond; episodes shorter than the stack, so that a reset
that keeps old frames shows them; buffer scripts whose episodes end by termination and by
truncation, and that wrap around the capacity; frames that differ from each other in every
case, so that the grader can tell each sampled frame's number.
"""
from __future__ import annotations

import numpy as np

from autograder.parts._secret_common import case, f32
from dqkit.pixels import PixelDQNConfig, config_fields

# Seeds tried in turn by the FlickerCatch check until one solves; see benchmarks/calibration.md
# (section catch_pixels) for the reference's solve rate per seed: no failure in 50 seeds, so
# the per-seed failure rate is below 1 - 0.05^(1/50) = 0.058 at 95% confidence, and with three
# seeds a correct implementation fails with probability below 0.058^3 = 2.0e-4 (two seeds
# would leave 3.4e-3).
CATCH_SEEDS = [101, 202, 303]
CATCH_REFERENCE_RATE = "50 of 50 seeds in the kit's calibration"
CATCH_TIMEOUT = 120
COURSE_CONFIG = config_fields(PixelDQNConfig())


def flicker_pair(rng: np.random.Generator, height: int, width: int) -> dict[str, np.ndarray]:
    """Two RGB frames: a shared background with bright pixels (above 128, so uint8 sums wrap),
    and a 'ball' drawn on the previous frame only."""
    background = rng.integers(0, 256, (height, width, 3)).astype(np.uint8)
    previous, last = background.copy(), background.copy()
    previous[1:3, 2:4] = (250, 200, 180)
    last[height - 2:, :3] = rng.integers(100, 256, (2, 3, 3)).astype(np.uint8)
    return {"previous": previous, "last": last}


def screens(rng: np.random.Generator, count: int, height: int, width: int) -> list[np.ndarray]:
    """RGB frames with saturated colours (red and blue far apart) and 1-pixel objects."""
    frames = []
    for _ in range(count):
        frame = rng.integers(0, 256, (height, width, 3)).astype(np.uint8)
        frame[0, 0] = (255, 0, 0)
        frame[-1, -1] = (0, 0, 255)
        frame[1, 1] = (255, 255, 255)
        frames.append(frame)
    return frames


def distinct_frames(rng: np.random.Generator, count: int, height: int, width: int) -> np.ndarray:
    """uint8 [count, H, W] gray frames that differ from each other (frame i's pixel (0, 0) is i)."""
    frames = rng.integers(0, 256, (count, height, width)).astype(np.uint8)
    frames[:, 0, 0] = np.arange(count) % 256
    frames[:, 0, 1] = np.arange(count) // 256
    return frames


def episodes(rng: np.random.Generator, lengths: list[int], height: int, width: int) -> list[np.ndarray]:
    frames = distinct_frames(rng, sum(lengths), height, width)
    bounds = np.cumsum([0, *lengths])
    return [frames[start:end] for start, end in zip(bounds[:-1], bounds[1:])]


def script(rng: np.random.Generator, lengths: list[tuple[int, str]]) -> list[dict]:
    """start_episode/add calls for episodes of ``length`` transitions each, ending as said:
    "terminated", "truncated" or "running" (the last episode may still be going)."""
    ops, frame = [], 0
    for length, ending in lengths:
        ops.append({"op": "start", "frame": frame})
        frame += 1
        for t in range(length):
            last = t == length - 1
            ops.append({"op": "add", "action": int(rng.integers(0, 3)), "reward": float(rng.choice([-1.0, 0.0, 1.0])),
                        "frame": frame, "terminated": last and ending == "terminated",
                        "truncated": last and ending == "truncated"})
            frame += 1
    return ops


def buffer_case(seed: int, capacity: int, stack: int, lengths: list[tuple[int, str]], height: int = 6,
                width: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    ops = script(rng, lengths)
    count = len(ops)
    return case("pixels.buffer", golden=False, capacity=capacity, frame_shape=[height, width], stack=stack,
                frames=distinct_frames(rng, count, height, width), script=ops, batch_size=60 * count, seed=seed)


def network(seed: int, stack: int, height: int, width: int, batch: int) -> dict:
    rng = np.random.default_rng(seed)
    return case("pixels.network", golden=False, stack=stack, height=height, width=width, num_actions=3, seed=seed,
                observations=rng.integers(0, 256, (batch, stack, height, width)).astype(np.uint8),
                weights=f32(rng.normal(0.0, 1.0, (batch, 3))))


def cases(visibility: str) -> dict[str, dict]:
    rng = np.random.default_rng(31 if visibility == "public" else 32)
    if visibility == "public":
        return {
            "max_frames": case("pixels.max_frames", golden=False, **flicker_pair(rng, 6, 8)),
            "preprocess": case("pixels.preprocess", golden=False, frames=screens(rng, 2, 8, 6), factor=2),
            "clip": case("pixels.clip", golden=False, rewards=[0.0, 1.0, -1.0, 0.5, -0.25, 4.0, -10.0, 2.5]),
            "stacker": case("pixels.stacker", golden=False, stack=4, episodes=episodes(rng, [6, 2, 3], 5, 4)),
            "buffer": buffer_case(41, 40, 4, [(5, "terminated"), (2, "truncated"), (6, "terminated"), (3, "running")]),
            "network": network(0, 4, 12, 10, 3),
        }
    return {
        "max_frames_large": case("pixels.max_frames", golden=False, **flicker_pair(rng, 16, 12)),
        "preprocess_factor_4": case("pixels.preprocess", golden=False, frames=screens(rng, 3, 16, 12), factor=4),
        "preprocess_factor_1": case("pixels.preprocess", golden=False, frames=screens(rng, 1, 5, 3), factor=1),
        "clip_small": case("pixels.clip", golden=False, rewards=[0.01, -0.01, 0.999, -3.0, 100.0, 0.0]),
        "stacker_two": case("pixels.stacker", golden=False, stack=2, episodes=episodes(rng, [1, 4, 1, 3], 3, 3)),
        "buffer_wraps": buffer_case(42, 13, 3, [(4, "terminated"), (1, "terminated"), (7, "truncated"),
                                                (5, "terminated"), (2, "running")]),
        "buffer_long_stack": buffer_case(43, 30, 6, [(3, "truncated"), (9, "terminated"), (2, "running")]),
        "network_one_state": network(1, 2, 8, 9, 1),
        "catch": case("pixels.learn", golden=False, config=COURSE_CONFIG, seeds=CATCH_SEEDS, timeout=CATCH_TIMEOUT,
                      reference_rate=CATCH_REFERENCE_RATE),
    }
