"""Checks of part "pixels": the frame max, preprocessing, reward clipping, the frame stacker,
the frame replay buffer, the convolutional Q-network, and learning.

Every expected value is computed here from the case's inputs, by the course's definitions
(``autograder/shared/pixels.py`` for the frame pipeline): the pixel-wise max, the luma
weights and block means, the sign of a reward, the stacks a sequence of frames makes with
the episode's first frame repeated, the transitions a script of ``start_episode``/``add``
calls stores, and for the network a forward (and backward) pass in float64 from the weights
the probe sends back. When a value is wrong, the message names the first plausible mistake
that reproduces it exactly (a guess computed here from the same inputs).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import torch

from autograder.graders.support import call_with_hint, expect, fail, show
from autograder.shared.pixels import LUMA, gray_blocks

GRAY_TOLERANCE = 1.0
"""Grey levels a preprocessed pixel may differ by: rounding to nearest, down or half to even."""
ATOL = 1e-4  # float32 network outputs of size about 1

CHANNELS = re.compile(r"expected input\[.*\] to have (\d+) channels, but got (\d+) channels")
MATMUL = re.compile(r"mat1 and mat2 shapes cannot be multiplied")
RESHAPE = re.compile(r"cannot reshape array of size \d+ into shape")

LEARNING_ADVICE = ("This check trains your pieces with the kit's DQN loop (dqkit/pixels.py) and plays the trained "
                   "network through the grader's own frame pipeline, so fix the tests of the pieces above first: "
                   "a network trained on frames that are not maxed, preprocessed or stacked as the course defines "
                   "sees other frames here. FlickerCatch draws the ball on odd frames only, so without the max "
                   "of the last two frames the agent never sees it.")


def error_hint(message: str) -> str:
    """A likely cause, in the student's terms, for a known exception from their code."""
    match = CHANNELS.search(message)
    if match:
        return (f"The first convolution expects the stack's {match.group(1)} frames as its channels, but got "
                f"{match.group(2)}: the observations are channels first, [B, stack, H, W], as the frame buffer "
                "and the stacker give them; pass them to self.convs without permuting their axes.")
    if MATMUL.search(message):
        return ("The hidden layer got features of the wrong width: flatten each state's convolutional features "
                "into one row and keep the batch axis, .flatten(start_dim=1) (a bare .flatten() or .view(-1) "
                "also merges the batch).")
    if RESHAPE.search(message):
        return ("A block reshape needs the gray image [H, W]: reshape it to [H / factor, factor, W / factor, "
                "factor] and average over axes 1 and 3.")
    return ""


def run(student, case: dict[str, Any], timeout: float = 30) -> Any:
    return call_with_hint(student, case, error_hint, timeout=timeout)


def _match(values: np.ndarray, guesses: dict[str, Any], atol: float = 1e-4) -> str:
    """The message of the first guess (a plausible wrong answer) that ``values`` equals within ``atol``."""
    for message, guess in guesses.items():
        if guess is not None and np.shape(guess) == np.shape(values) and np.allclose(values, guess, atol=atol, rtol=1e-4):
            return message
    return ""


def _expect_array(plain: dict[str, Any], shape: tuple[int, ...], dtype: str, what: str, hint: str = "") -> None:
    if plain["shape"] != list(shape):
        fail(f"{what} has shape {plain['shape']}; expected {list(shape)}. {hint}".strip())
    if plain["dtype"] != dtype:
        fail(f"{what} has dtype {plain['dtype']}; expected {dtype}: frames are stored and passed on as bytes, "
             "four times smaller than float32 (return .astype(np.uint8) of rounded values).")


# -- the max over the last two frames ---------------------------------------------------------
NO_MAX = ("Your max_frames returned the last frame as it is. FlickerCatch, like many Atari games, draws some "
          "objects on every other frame only: the last frame of a skipped step can miss the ball entirely. "
          "Return the pixel-wise maximum of the two frames, np.maximum(previous, last).")


def check_max_frames(student, case: dict[str, Any]) -> None:
    """max_frames is the pixel-wise max of the two frames: uint8, same shape, arguments unchanged."""
    result = run(student, case)
    previous, last = case["args"]["previous"], case["args"]["last"]
    expected = np.maximum(previous, last)
    what = f"max_frames(previous, last) on frames {list(previous.shape)}"
    _expect_array(result, expected.shape, "uint8", what)
    got = result["values"].astype(np.int64)
    wide = previous.astype(np.int64) + last.astype(np.int64)
    if not np.array_equal(got, expected):
        hint = _match(got, {
            NO_MAX: last.astype(np.int64),
            "Your max_frames returned the previous frame: the max of the two is the brighter value of each pixel.":
                previous.astype(np.int64),
            "Your max_frames averaged the two frames in uint8: previous + last wraps around 256 wherever the sum "
            "exceeds 255, so bright pixels come out dark. It is a max, not an average (an average would also dim "
            "a flickering object to half its brightness): np.maximum(previous, last).": (wide % 256) // 2,
            "Your max_frames averaged the two frames: an object drawn on one of them only comes out at half its "
            "brightness. Take the pixel-wise maximum, np.maximum(previous, last).": wide // 2,
            "Your max_frames added the two frames in uint8, which wraps around 256: take the pixel-wise maximum, "
            "np.maximum(previous, last).": wide % 256,
        }, atol=0.5)
        flat = int(np.flatnonzero((got != expected).reshape(-1))[0])
        fail(f"{what}: expected the pixel-wise max {show(expected.reshape(-1)[flat:flat + 6])} (from flat index "
             f"{flat}), got {show(got.reshape(-1)[flat:flat + 6])}. {hint}".strip())
    expect(not result["changed"], f"max_frames changed its argument(s) {', '.join(result['changed'])} in place: "
           "the frames belong to the caller; compute a new array.")


# -- preprocessing ------------------------------------------------------------------------------
BGR = ("The channels were weighted in the wrong order: 0.299 went to blue and 0.114 to red, as for a BGR image "
       "(OpenCV's order). The environment's frames are RGB, channels last: channel 0 is red, so gray = "
       "frame @ GRAY_WEIGHTS with GRAY_WEIGHTS = (0.299, 0.587, 0.114).")
EQUAL_WEIGHTS = ("The three channels were averaged with equal weights: the course's gray is the luma, 0.299 R + "
                 "0.587 G + 0.114 B (GRAY_WEIGHTS), which weighs each colour as bright as the eye sees it.")
SUBSAMPLED = ("Each output pixel is one pixel of its block (gray[::factor, ::factor]), not the block's mean: "
              "subsampling can drop a small object (a ball narrower than a block) entirely. Average each block: "
              "reshape to [H / factor, factor, W / factor, factor] and take the mean over axes 1 and 3.")
OVERFLOW = ("Pixels were summed in uint8, which wraps around 256: bright blocks come out dark. Compute in float "
            "(frame.astype(np.float32)) and convert to uint8 only at the end, after rounding.")


def _uint8_sums(gray: np.ndarray, factor: int) -> np.ndarray:
    """What summing a uint8 gray image's blocks in uint8, then dividing, gives."""
    pixels = np.rint(gray).astype(np.int64)
    rows, columns = gray.shape[0] // factor, gray.shape[1] // factor
    sums = pixels.reshape(rows, factor, columns, factor).sum(axis=(1, 3)) % 256
    return sums / factor ** 2


def preprocess_guesses(frame: np.ndarray, factor: int) -> dict[str, np.ndarray]:
    gray = np.einsum("hwc,c->hw", frame.astype(np.float64), LUMA)
    return {BGR: gray_blocks(frame, factor, LUMA[::-1]), EQUAL_WEIGHTS: gray_blocks(frame, factor, np.full(3, 1 / 3)),
            SUBSAMPLED: gray[::factor, ::factor], OVERFLOW: _uint8_sums(gray, factor)}


def check_preprocess(student, case: dict[str, Any]) -> None:
    """preprocess_frame: uint8 [H / f, W / f], each pixel the block mean of the luma
    0.299 R + 0.587 G + 0.114 B, rounded (within one grey level)."""
    results = run(student, case)
    factor = case["args"]["factor"]
    for index, (frame, plain) in enumerate(zip(case["args"]["frames"], results)):
        height, width, _ = frame.shape
        what = f"preprocess_frame(frame {list(frame.shape)}, factor={factor}) (frame {index})"
        shape = (height // factor, width // factor)
        hint = ""
        if plain["shape"] == [height, width]:
            hint = "The frame was not downsampled: average each factor x factor block."
        elif plain["shape"] == [*shape, 3] or plain["shape"] == [height, width, 3]:
            hint = "The frame is still RGB: weigh its channels with GRAY_WEIGHTS into one gray value per pixel."
        _expect_array(plain, shape, "uint8", what, hint)
        expected = gray_blocks(frame, factor)
        got = plain["values"].astype(np.float64)
        if np.max(np.abs(got - expected)) > GRAY_TOLERANCE:
            hint = _match(got, preprocess_guesses(frame, factor), atol=GRAY_TOLERANCE + 1e-9)
            if not hint and np.any(expected - got > 64):
                hint = ("Some pixels came out far darker than their block's mean: look for uint8 arithmetic that "
                        "wraps around 256.")
            flat = int(np.argmax(np.abs(got - expected).reshape(-1)))
            fail(f"{what}: expected block means of 0.299 R + 0.587 G + 0.114 B, {show(np.rint(expected))}, got "
                 f"{show(got)} (largest difference at flat index {flat}: {expected.reshape(-1)[flat]:.2f} vs "
                 f"{got.reshape(-1)[flat]:g}). {hint}".strip())


# -- reward clipping ------------------------------------------------------------------------------
def check_clip(student, case: dict[str, Any]) -> None:
    """clip_reward is the sign of the reward: +1.0, -1.0 or 0.0."""
    got = np.asarray(run(student, case), dtype=np.float64)
    rewards = np.asarray(case["args"]["rewards"], dtype=np.float64)
    expected = np.sign(rewards)
    if not np.allclose(got, expected, atol=1e-9):
        hint = _match(got, {
            "The rewards were not clipped. DQN learns from the sign of each reward, so that every game's rewards "
            "have the same scale and one learning rate and Huber threshold suit them all.": rewards,
            "The rewards were clamped to [-1, 1], which leaves a reward between -1 and 1 as it is. The course "
            "clips to the sign (np.sign): every positive reward counts +1, every negative one -1.":
                np.clip(rewards, -1.0, 1.0),
            "Negative rewards came out as 0: the sign of a negative reward is -1 (a loss must still be felt).":
                (rewards > 0).astype(np.float64),
        }, atol=1e-9)
        fail(f"clip_reward on {show(rewards, 12)}: expected their signs {show(expected, 12)}, got {show(got, 12)}. "
             f"{hint}".strip())


# -- the frame stacker -------------------------------------------------------------------------
def expected_stacks(episodes: list[np.ndarray], stack: int) -> list[np.ndarray]:
    """The stacks FrameStacker returns over ``episodes``: oldest first, the episode's first
    frame repeated until enough frames have come."""
    stacks = []
    for frames in episodes:
        for t in range(len(frames)):
            stacks.append(np.stack([frames[max(0, t - stack + 1 + i)] for i in range(stack)]))
    return stacks


def check_stacker(student, case: dict[str, Any]) -> None:
    """FrameStacker: [stack, H, W] uint8, oldest first; after a reset only the new episode's
    first frame, repeated; every returned stack a new array that later steps leave alone."""
    result = run(student, case)
    episodes, stack = case["args"]["episodes"], case["args"]["stack"]
    height, width = episodes[0].shape[1:]
    owner = {frame.tobytes(): (e, t) for e, frames in enumerate(episodes) for t, frame in enumerate(frames)}
    position = 0
    for e, frames in enumerate(episodes):
        for t in range(len(frames)):
            plain = result["at_return"][position]
            call = "reset" if t == 0 else "step"
            what = f"the stack FrameStacker.{call} returned at step {t} of episode {e}"
            _expect_array(plain, (stack, height, width), "uint8", what,
                          "The stack is [stack, H, W]: the frames are its first axis (np.stack of the frames).")
            expected = expected_stacks([frames], stack)[t]
            got = plain["values"]
            if not np.array_equal(got, expected):
                sources = [owner.get(frame.tobytes(), (None, None)) for frame in got]
                older = [f"frame {s} of episode {o}" for o, s in sources if o is not None and o < e]
                if older:
                    fail(f"{what} holds {', '.join(older[:3])}: frames of an earlier episode. After a reset the "
                         "stack must hold the new episode's first frame only, repeated; otherwise the first "
                         "observations of every episode show a scene the agent is no longer in (and the frame "
                         "buffer, which never stacks across episodes, trains on other stacks than those it acts on).")
                if np.array_equal(got, expected[::-1]):
                    fail(f"{what} is newest first. The course's order is oldest first, newest last (the frame "
                         "buffer builds its stacks the same way, and the network must see the same order when it "
                         "acts as when it learns).")
                if t == 0 and np.array_equal(got[-1], frames[0]) and not np.any(got[:-1]):
                    fail(f"{what} pads the stack with blank frames. The course fills it with copies of the "
                         "episode's first frame, as the frame buffer does (no stack then shows a blank screen "
                         "the game never displayed).")
                found = [f"episode {o} step {s}" if o is not None else "a frame never given" for o, s in sources]
                expected_from = [f"step {max(0, t - stack + 1 + i)}" for i in range(stack)]
                fail(f"{what} holds, oldest first, {', '.join(found)}; expected the frames of this episode's "
                     f"{', '.join(expected_from)}.")
            if not np.array_equal(result["at_end"][position]["values"], got):
                fail(f"{what} changed after it was returned: later calls wrote into the array the caller kept "
                     "(a view of, or the same array as, the stacker's own). A replay buffer or a list of "
                     "observations would then hold stacks that were never seen. Return a new array each time "
                     "(np.stack makes one).")
            position += 1


# -- the frame replay buffer ---------------------------------------------------------------------
def stored_transitions(case_args: dict[str, Any]) -> dict[str, Any]:
    """What the script stored, by frame number (the order frames reached the buffer): each
    frame's index in ``frames``, its episode's first frame number, and the transition from
    it (action, reward, terminated, truncated), if any."""
    frame_of, episode_start, transition = [], [], {}
    start = 0
    for op in case_args["script"]:
        if op["op"] == "start":
            start = len(frame_of)
        else:
            transition[len(frame_of) - 1] = (op["action"], op["reward"], op["terminated"], op["truncated"])
        frame_of.append(op["frame"])
        episode_start.append(start)
    return {"frame_of": frame_of, "episode_start": episode_start, "transition": transition}


def sampleable_numbers(stored: dict[str, Any], capacity: int, stack: int) -> list[int]:
    """Frame numbers n with a transition to n + 1 whose observation's frames are all still stored."""
    count = len(stored["frame_of"])
    oldest = max(0, count - capacity)
    return [n for n in range(oldest, count - 1)
            if n in stored["transition"] and max(stored["episode_start"][n], n - stack + 1) >= oldest]


def _stack(stored: dict[str, Any], frames: np.ndarray, number: int, stack: int) -> np.ndarray:
    first = stored["episode_start"][number]
    return np.stack([frames[stored["frame_of"][max(first, number - stack + 1 + i)]] for i in range(stack)])


def check_buffer(student, case: dict[str, Any]) -> None:
    """FrameReplayBuffer: each sampled transition is one the script stored, with its stack
    (oldest first, never across an episode's start), next stack, action, reward and flags
    (terminated and truncated apart); only sampleable transitions come out, all of them do
    in a large sample, len() counts them, and the buffer holds each frame once."""
    result = run(student, case)
    args = case["args"]
    capacity, stack, frames = args["capacity"], args["stack"], args["frames"]
    height, width = args["frame_shape"]
    stored = stored_transitions(args)
    count = len(stored["frame_of"])
    number_of = {}
    for number, index in enumerate(stored["frame_of"]):
        number_of[frames[index].tobytes()] = number
    sampleable = sampleable_numbers(stored, capacity, stack)
    batch = result["batch"]
    size = args["batch_size"]
    what = f"a FrameReplayBuffer(capacity={capacity}, stack={stack}) fed {count} frames"
    for name, shape, dtype in (("observations", [size, stack, height, width], "uint8"), ("actions", [size], "int64"),
                               ("rewards", [size], "float32"),
                               ("next_observations", [size, stack, height, width], "uint8"),
                               ("terminated", [size], "float32"), ("truncated", [size], "float32")):
        plain = batch[name]
        expect(plain["shape"] == shape, f"sample({size}) of {what}: batch.{name} has shape {plain['shape']}; expected "
               f"{shape}.")
        expect(plain["dtype"] == dtype, f"sample({size}) of {what}: batch.{name} has dtype {plain['dtype']}; expected "
               f"{dtype}.")
    observations, next_observations = batch["observations"]["values"], batch["next_observations"]["values"]
    seen = set()
    for row in range(size):
        newest = observations[row, -1].astype(np.uint8).tobytes()
        number = number_of.get(newest)
        where = f"sample({size}) of {what}, row {row}"
        expect(number is not None, f"{where}: the observation's last (newest) frame is not one of the frames stored "
               "(a slot never written, or stacks stored newest first).")
        expect(number >= count - capacity, f"{where}: its observation ends with frame {number}, which frame "
               f"{number + capacity} overwrote: only the last {capacity} frames are stored.")
        expect(number != count - 1, f"{where}: it is the transition from the newest frame ({number}), whose next "
               "frame has not arrived: sampleable() must leave the newest frame out.")
        if number not in stored["transition"]:
            fail(f"{where}: it starts from frame {number}, the last frame of an episode, and its next observation "
                 "is the next episode's first: a transition that never happened. Leave out every frame n whose "
                 "frame n + 1 starts an episode.")
        first = stored["episode_start"][number]
        if number not in sampleable:
            fail(f"{where}: the observation ending with frame {number} needs frame {max(first, number - stack + 1)}, "
                 f"which was overwritten (the oldest stored is {count - capacity}). Leave out transitions whose "
                 "stack's oldest frame is gone.")
        expected = _stack(stored, frames, number, stack)
        if not np.array_equal(observations[row], expected):
            sources = [number_of.get(frame.astype(np.uint8).tobytes()) for frame in observations[row]]
            if any(source is not None and source < first for source in sources):
                fail(f"{where}: the observation ending with frame {number} holds frame(s) "
                     f"{[s for s in sources if s is not None and s < first]} of an earlier episode (this one starts "
                     f"at frame {first}). A stack never reaches back past its episode's first frame: repeat that "
                     "frame instead, as FrameStacker.reset does (stack_numbers: raise each number below the "
                     "episode's first frame to it).")
            fail(f"{where}: the observation ending with frame {number} holds frames {sources}; expected frames "
                 f"{[max(first, number - stack + 1 + i) for i in range(stack)]}, oldest first.")
        expect(np.array_equal(next_observations[row], _stack(stored, frames, number + 1, stack)),
               f"{where}: the next observation of the transition from frame {number} should be the stack ending "
               f"with frame {number + 1}; it holds frames "
               f"{[number_of.get(f.astype(np.uint8).tobytes()) for f in next_observations[row]]}.")
        action, reward, terminated, truncated = stored["transition"][number]
        got = {name: batch[name]["values"][row] for name in ("actions", "rewards", "terminated", "truncated")}
        expect(got["actions"] == action and abs(got["rewards"] - reward) < 1e-6,
               f"{where}: the transition from frame {number} was stored with action {action} and reward {reward:g}; "
               f"the batch has {got['actions']} and {got['rewards']:g} (the transition from a frame belongs in that "
               "frame's slot).")
        if got["terminated"] != float(terminated) and truncated and not terminated:
            fail(f"{where}: the transition from frame {number} was truncated (a time limit) but not terminated, and "
                 "the batch says terminated = 1. Then its target would not bootstrap, as if the game had ended: keep "
                 "terminated and truncated apart, storing each as given.")
        expect(got["terminated"] == float(terminated) and got["truncated"] == float(truncated),
               f"{where}: the transition from frame {number} has terminated={terminated}, truncated={truncated}; the "
               f"batch has {got['terminated']:g} and {got['truncated']:g}.")
        seen.add(number)
    missing = sorted(set(sampleable) - seen)
    expect(not missing, f"sample({size}) of {what}: the transitions from frame(s) {missing[:8]} never came out, yet "
           f"they can be sampled (their stacks and next frames are stored; {len(sampleable)} can). Draw uniformly "
           "among all sampleable transitions.")
    expect(result["length"] == len(sampleable), f"len() of {what} is {result['length']}; {len(sampleable)} "
           "transitions can be sampled.")
    frame_bytes, limit = capacity * height * width, capacity * (height * width + 64)
    expect(result["nbytes"] <= limit,
           f"{what} holds {result['nbytes']} bytes of arrays, more than its {capacity} frames ({frame_bytes} bytes) "
           f"and a few numbers per slot (the limit is {limit}): store each frame once, in a uint8 array "
           f"[capacity, H, W], not whole stacks (which take 2 x stack = {2 * stack} times as much).")


# -- the Q-network ---------------------------------------------------------------------------------
def kit_q_values(parameters: dict[str, np.ndarray], observations: torch.Tensor) -> torch.Tensor:
    """Q [B, A] in float64 from the network's parameters, for float observations [B, k, H, W]
    already scaled (or not) as the caller chooses."""
    p = {name: torch.as_tensor(value, dtype=torch.float64) for name, value in parameters.items()}
    hidden = torch.relu(torch.nn.functional.conv2d(observations, p["convs.0.weight"], p["convs.0.bias"], stride=2))
    hidden = torch.relu(torch.nn.functional.conv2d(hidden, p["convs.2.weight"], p["convs.2.bias"], stride=2))
    hidden = torch.relu(hidden.reshape(len(hidden), -1) @ p["hidden.weight"].T + p["hidden.bias"])
    return hidden @ p["head.weight"].T + p["head.bias"]


def check_network(student, case: dict[str, Any]) -> None:
    """PixelQNetwork: float32 [B, A] Q-values for uint8 stacks [B, k, H, W], the pixels scaled
    by 1/255, as computed here from its own parameters; every parameter gets the gradient
    computed here."""
    result = run(student, case)
    args = case["args"]
    observations = args["observations"]
    parameters = {name: np.asarray(value) for name, value in result["parameters"].items()}
    names = ("convs.0.weight", "convs.0.bias", "convs.2.weight", "convs.2.bias", "hidden.weight", "hidden.bias",
             "head.weight", "head.bias")
    expect(all(name in parameters for name in names), f"PixelQNetwork's parameters are {sorted(parameters)}; the "
           f"provided constructor makes {list(names)}. Keep it as it is.")
    pixels = torch.as_tensor(observations.astype(np.float64))
    scaled = (pixels / 255.0).requires_grad_(False)
    expected = kit_q_values(parameters, scaled).numpy()
    what = f"PixelQNetwork(...)(observations uint8 {list(observations.shape)})"
    plain = result["q"]
    expect(plain["shape"] == list(expected.shape), f"{what} has shape {plain['shape']}; expected "
           f"{list(expected.shape)}, one Q-value per state and action.")
    expect(plain["dtype"] == "float32", f"{what} has dtype {plain['dtype']}; expected float32 (convert the pixels "
           "with .float() before scaling).")
    got = plain["values"]
    if not np.allclose(got, expected, atol=ATOL, rtol=1e-4):
        hint = _match(got, {
            "The pixels were not scaled: the network got values from 0 to 255, so its first layer's pre-activations "
            "are 255 times too large and training takes huge, unstable steps. Divide the float pixels by 255 first "
            "(observations.float() / 255.0).": kit_q_values(parameters, pixels).numpy(),
            "The pixels were scaled by 1/256 (or with a shift): the course maps 0..255 onto [0, 1], "
            "observations.float() / 255.0.": kit_q_values(parameters, pixels / 256.0).numpy(),
        }, atol=1e-3)
        fail(f"{what}: expected Q-values {show(expected)}, got {show(got)}. {hint}".strip())
    gradients = result["gradients"]
    expect(gradients is not None, f"{what} carries no autograd graph, so training could not change the network: "
           "compute it with the modules' forward passes, without .detach(), torch.no_grad() or numpy.")
    leaves = {name: torch.as_tensor(value, dtype=torch.float64).requires_grad_(True) for name, value in parameters.items()
              if name in names}
    weights = torch.as_tensor(args["weights"], dtype=torch.float64)
    (kit_q_values(leaves, scaled) * weights).sum().backward()
    for name in names:
        got = gradients.get(name)
        expect(got is not None and np.any(got), f"No gradient reached {name}: it was left out of the Q-values' graph "
               "(detached features, or a layer applied under torch.no_grad()).")
        expect(np.allclose(got, leaves[name].grad.numpy(), atol=1e-4, rtol=1e-3),
               f"The gradient of sum_b,a w_b,a Q(s_b, a) with respect to {name}: expected "
               f"{show(leaves[name].grad.numpy())}, got {show(got)}.")
