"""Probes for the student's ``pixels.py`` (runs in the worker).

Each probe calls the student's code on the inputs of one case and returns plain data: arrays
as ``_array`` dicts (dtype, shape, values), tensors as ``tensor_to_plain`` dicts. The grader
computes what they should be from those inputs (and, for the network, from the weights the
probe sends back) itself.

``learn`` trains the student's pieces with the kit's loop (``dqkit/pixels.py``), taking each
piece from the student's module by name, and sends back the trained network's parameters,
which the grader loads into its own network (``autograder/shared/pixels.py``) and measures.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.probes._convert import gradients, tensor_to_plain
from autograder.probes._training import parameters_of
from autograder.worker import ProbeInputError

BATCH_FIELDS = ("observations", "actions", "rewards", "next_observations", "terminated", "truncated")


def _array(value: Any, what: str) -> dict[str, Any]:
    """A numpy array the student returned: its dtype, shape and values (a copy)."""
    if type(value) is not np.ndarray:
        raise ProbeInputError(f"{what} should be a numpy ndarray but is a {type(value).__module__}."
                              f"{type(value).__qualname__}")
    if value.dtype.name not in ("uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "bool"):
        raise ProbeInputError(f"{what} has dtype {value.dtype}, which is not a number type")
    return {"dtype": value.dtype.name, "shape": list(value.shape), "values": value.copy()}


def max_frames(previous: np.ndarray, last: np.ndarray) -> dict[str, Any]:
    """max_frames on copies of the two frames; also whether it changed them."""
    import pixels

    arguments = {"previous": previous.copy(), "last": last.copy()}
    plain = _array(pixels.max_frames(arguments["previous"], arguments["last"]), "max_frames(previous, last)")
    plain["changed"] = sorted(name for name, frame in arguments.items()
                              if not np.array_equal(frame, {"previous": previous, "last": last}[name]))
    return plain


def preprocess(frames: list, factor: int) -> list[dict[str, Any]]:
    """preprocess_frame on each frame (uint8 [H, W, 3]) with ``factor``."""
    import pixels

    return [_array(pixels.preprocess_frame(frame.copy(), factor), "preprocess_frame(frame, factor)")
            for frame in frames]


def clip(rewards: list[float]) -> list[Any]:
    """clip_reward of each reward (a Python float, as env.step gives); what it returned, as a
    float, or its type's name if it is not a number."""
    import pixels

    results = []
    for reward in rewards:
        value = pixels.clip_reward(float(reward))
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ProbeInputError(f"clip_reward({reward!r}) returned a {type(value).__name__}; it should return a float")
        results.append(float(value))
    return results


def stacker(stack: int, episodes: list) -> dict[str, Any]:
    """One FrameStacker through ``episodes`` (each frames uint8 [T, H, W]): reset on each
    episode's first frame, step on the others. Sends back every returned stack twice: as it
    was when returned, and as it is once all episodes are done (the same, unless the
    student's stacker changed an array it had returned)."""
    import pixels

    frame_stacker = pixels.FrameStacker(stack)
    returned, at_return = [], []
    for frames in episodes:
        for t, frame in enumerate(frames):
            observation = frame_stacker.reset(frame.copy()) if t == 0 else frame_stacker.step(frame.copy())
            returned.append(observation)
            at_return.append(_array(observation, "FrameStacker's stack"))
    return {"at_return": at_return, "at_end": [_array(observation, "FrameStacker's stack") for observation in returned]}


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, torch.Tensor):
        return int(value.numel() * value.element_size())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(item) for item in value)
    if isinstance(value, dict):
        return sum(_nbytes(item) for item in value.values())
    return 0


def buffer(capacity: int, frame_shape: list[int], stack: int, frames: np.ndarray, script: list[dict[str, Any]],
           batch_size: int, seed: int) -> dict[str, Any]:
    """A FrameReplayBuffer fed ``script`` ({"op": "start", "frame": i} or {"op": "add",
    "action", "reward", "frame": i, "terminated", "truncated"}, frame i being frames[i]), then
    ``sample(batch_size, np.random.default_rng(seed))``. Sends back the batch, len(buffer),
    and the bytes of the arrays and tensors the buffer holds as attributes."""
    import pixels

    replay = pixels.FrameReplayBuffer(capacity, tuple(frame_shape), stack)
    for op in script:
        frame = frames[op["frame"]].copy()
        if op["op"] == "start":
            replay.start_episode(frame)
        else:
            replay.add(int(op["action"]), float(op["reward"]), frame, bool(op["terminated"]), bool(op["truncated"]))
    batch = replay.sample(batch_size, np.random.default_rng(seed))
    missing = [name for name in BATCH_FIELDS if not hasattr(batch, name)]
    if missing:
        raise ProbeInputError(f"FrameReplayBuffer.sample returned a {type(batch).__name__} without the field(s) "
                              f"{missing}: it should return a dqkit.batch.Batch")
    return {"batch": {name: tensor_to_plain(getattr(batch, name), f"batch.{name}") for name in BATCH_FIELDS},
            "length": int(len(replay)), "nbytes": sum(_nbytes(value) for value in vars(replay).values())}


def network(stack: int, height: int, width: int, num_actions: int, seed: int, observations: np.ndarray,
            weights: np.ndarray) -> dict[str, Any]:
    """A PixelQNetwork built after torch.manual_seed(seed) (its provided constructor): its
    parameters, its Q-values for the uint8 ``observations``, and every parameter's gradient
    of sum_b,a weights[b, a] Q(s_b, a) (None if the Q-values carry no autograd graph)."""
    import pixels

    torch.manual_seed(seed)
    net = pixels.PixelQNetwork(stack, height, width, num_actions)
    if not isinstance(net, torch.nn.Module):
        raise ProbeInputError("PixelQNetwork(...) is not a torch.nn.Module")
    parameters = {name: tensor.detach().to(torch.float64).numpy().copy() for name, tensor in net.state_dict().items()}
    q_values = net(torch.from_numpy(observations.copy()))
    report = {"parameters": parameters, "q": tensor_to_plain(q_values, "PixelQNetwork(...)(observations)"),
              "gradients": None}
    if q_values.requires_grad and list(q_values.shape) == list(weights.shape):
        (q_values * torch.as_tensor(weights, dtype=torch.float32)).sum().backward()
        report["gradients"] = gradients(net)
    return report


def learn(config: dict[str, Any], milestones: list = ()) -> dict[str, Any]:
    """Train the student's pieces with the kit's loop (``dqkit.pixels.train``), each piece
    taken from the student's module by name (``pixels.pieces`` and ``pixels.train`` are not
    trusted), and send back the trained network's parameters."""
    import pixels
    from dqkit.pixels import PixelDQNConfig, PixelPieces, train

    pieces = PixelPieces(pixels.max_frames, pixels.preprocess_frame, pixels.clip_reward, pixels.FrameStacker,
                         pixels.FrameReplayBuffer, pixels.PixelQNetwork)
    result = train(PixelDQNConfig(**config), pieces)
    return {"state": parameters_of(result.q_network, "PixelTrainResult.q_network")}


PROBES = {"max_frames": max_frames, "preprocess": preprocess, "clip": clip, "stacker": stacker, "buffer": buffer,
          "network": network, "learn": learn}
