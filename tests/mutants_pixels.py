"""Realistic bugs in part "pixels" (the format is explained in tests/mutants.py)."""
from __future__ import annotations

from tests.mutants import Mutant

MAX = "return np.maximum(previous, last)"
GRAY = "gray = frame.astype(np.float32) @ GRAY_WEIGHTS"
BLOCKS = "return np.round(blocks.mean(axis=(1, 3))).astype(np.uint8)"
CLIP = "return float(np.sign(reward))"
RESET = "self.frames = [frame] * self.stack"
STEP = "self.frames = self.frames[1:] + [frame]\n        return np.stack(self.frames)"
TERMINATED = "self.terminated[slot] = float(terminated)"
FIRST = "return np.maximum(numbers[..., None] + offsets, first[..., None])"
CONTINUES = "return numbers[continues & stored]"
SCALE = "scaled = observations.float() / 255.0"

MUTANTS = [
    Mutant("no_frame_max", "pixels",
           "keeps the last frame of a skipped step instead of the max of the last two, so flicker hides the ball",
           ((MAX, "return last"),),
           r"returned the last frame as it is.*flicker|draws some objects on every other frame"),
    Mutant("frame_average_in_uint8", "pixels",
           "averages the two frames in uint8, (previous + last) // 2, which wraps around 256",
           ((MAX, "return (previous + last) // 2"),),
           r"averaged the two frames in uint8.*wraps around 256"),
    Mutant("channels_bgr", "pixels",
           "weighs the channels in OpenCV's BGR order, 0.299 on blue and 0.114 on red",
           ((GRAY, "gray = frame.astype(np.float32) @ GRAY_WEIGHTS[::-1]"),),
           r"channels were weighted in the wrong order.*BGR"),
    Mutant("gray_summed_in_uint8", "pixels",
           "rounds the gray image to uint8 first and sums each block's pixels in uint8, which wraps around 256",
           ((BLOCKS, "gray = np.round(gray).astype(np.uint8)\n"
                     "    sums = np.zeros((height // factor, width // factor), dtype=np.uint8)\n"
                     "    for i in range(factor):\n"
                     "        for j in range(factor):\n"
                     "            sums += gray[i::factor, j::factor]\n"
                     "    return (sums / factor ** 2).round().astype(np.uint8)"),),
           r"summed in uint8, which wraps around 256"),
    Mutant("subsampled_not_averaged", "pixels",
           "keeps one pixel per block (gray[::factor, ::factor]) instead of the block's mean",
           ((BLOCKS, "return np.round(gray[::factor, ::factor]).astype(np.uint8)"),),
           r"one pixel of its block.*not the block's mean"),
    Mutant("reward_not_clipped", "pixels",
           "returns the reward as it is, so rewards keep their game's scale",
           ((CLIP, "return reward"),),
           r"rewards were not clipped"),
    Mutant("reward_clamped", "pixels",
           "clamps the reward to [-1, 1] instead of taking its sign",
           ((CLIP, "return float(np.clip(reward, -1.0, 1.0))"),),
           r"clamped to \[-1, 1\].*sign"),
    Mutant("stacker_reset_keeps_old_frames", "pixels",
           "fills the stack with the first frame only at the very first reset; later resets append, keeping the previous episode's frames",
           ((RESET, "if not self.frames:  # the first episode\n"
                    "            self.frames = [frame] * self.stack\n"
                    "        else:\n"
                    "            self.frames = self.frames[1:] + [frame]"),),
           r"frames of an earlier episode"),
    Mutant("stack_newest_first", "pixels",
           "puts the newest frame first in the stack",
           ((STEP, "self.frames = [frame] + self.frames[:-1]\n        return np.stack(self.frames)"),),
           r"newest first.*oldest first"),
    Mutant("stacker_returns_its_own_array", "pixels",
           "shifts one array in place and returns it, so every stack returned earlier changes too",
           ((RESET, "self.frames = [frame] * self.stack\n        self.array = np.stack(self.frames)\n"
                    "        return self.array"),
            (STEP, "self.frames = self.frames[1:] + [frame]\n        self.array[:-1] = self.array[1:].copy()\n"
                   "        self.array[-1] = frame\n        return self.array"),
            ("        return np.stack(self.frames)\n        ### END SOLUTION\n\n    def step",
             "        ### END SOLUTION\n\n    def step")),
           r"changed after it was returned"),
    Mutant("buffer_stacks_across_episodes", "pixels",
           "builds a stack from the stack - 1 frames before, even those of the previous episode",
           ((FIRST, "return numbers[..., None] + offsets"),),
           r"of an earlier episode.*never reaches back past its episode's first frame"),
    Mutant("terminated_or_truncated", "pixels",
           "stores terminated or truncated as the terminal flag, so a time limit stops bootstrapping",
           ((TERMINATED, "self.terminated[slot] = float(terminated or truncated)"),),
           r"truncated \(a time limit\) but not terminated.*keep terminated and truncated apart"),
    Mutant("transition_across_episodes", "pixels",
           "samples from every stored frame but the newest, including an episode's last frame",
           ((CONTINUES, "return numbers[stored]"),),
           r"the last frame of an episode.*a transition that never happened"),
    Mutant("pixels_not_scaled", "pixels",
           "feeds the network the pixels as floats from 0 to 255, unscaled",
           ((SCALE, "scaled = observations.float()"),),
           r"pixels were not scaled"),
    Mutant("channels_last_permute", "pixels",
           "permutes the stacks to channels last before the convolutions, as for an image [H, W, C]",
           ((SCALE, "scaled = observations.permute(0, 2, 3, 1).float() / 255.0"),),
           r"channels first.*without permuting"),
]
