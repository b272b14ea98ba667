"""Correct preprocessing in integer arithmetic, as image libraries do it: the luma in
thousandths in int32 (rounded once, at the end), block sums with np.add.reduceat; the frame
max with np.fmax; the reward's sign with math.copysign; the stack kept as one array that
each step replaces (np.concatenate makes a new one)."""
# Only these pieces are written here: tests/test_graders.py puts them after the provided
# code of solutions/pixels.py; these definitions win.
import math


def max_frames(previous: np.ndarray, last: np.ndarray) -> np.ndarray:
    return np.fmax(check_rgb_frame(previous, "previous"), check_rgb_frame(last, "last"))


def preprocess_frame(frame: np.ndarray, factor: int) -> np.ndarray:
    frame = check_rgb_frame(frame).astype(np.int32)
    factor = check_downsample_factor(frame.shape, factor)
    luma = 299 * frame[:, :, 0] + 587 * frame[:, :, 1] + 114 * frame[:, :, 2]
    rows = np.add.reduceat(luma, np.arange(0, luma.shape[0], factor), axis=0)
    blocks = np.add.reduceat(rows, np.arange(0, luma.shape[1], factor), axis=1)
    scale = 1000 * factor * factor
    return ((blocks + scale // 2) // scale).astype(np.uint8)


def clip_reward(reward: float) -> float:
    reward = float(reward)
    return 0.0 if reward == 0 else math.copysign(1.0, reward)


class FrameStacker:
    def __init__(self, stack: int):
        self.stack = check_count(stack, "stack")
        self.array = None

    def reset(self, frame: np.ndarray) -> np.ndarray:
        self.array = np.repeat(check_gray_frame(frame)[None], self.stack, axis=0)
        return self.array.copy()

    def step(self, frame: np.ndarray) -> np.ndarray:
        if self.array is None:
            raise RuntimeError("call reset first")
        self.array = np.concatenate([self.array[1:], check_gray_frame(frame)[None]])
        return self.array.copy()
