"""Input checks used by the assignment modules, so that bad input fails loudly and early.

Each function either returns cleaned values or raises ``ValueError``/``TypeError`` with a
message that says what was expected and what was given. They are provided code: the
graded parts are the lines after these calls.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn


class Transition(NamedTuple):
    """One cleaned transition, as ``ReplayBuffer.add`` stores it.

    Attributes:
        obs: float32 ndarray [*obs_shape] (a fresh copy).
        action: int for a discrete action space; float32 ndarray [action_dim] otherwise.
        reward: float.
        next_obs: float32 ndarray [*obs_shape] (a fresh copy).
        terminated: bool.
        truncated: bool.
    """

    obs: np.ndarray
    action: int | np.ndarray
    reward: float
    next_obs: np.ndarray
    terminated: bool
    truncated: bool


def _as_array(value: Any, name: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.array(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    return array


def check_buffer_args(
    capacity: int, obs_shape: tuple[int, ...], action_dim: int | None
) -> tuple[int, tuple[int, ...], int | None]:
    """Validate ``ReplayBuffer(capacity, obs_shape, action_dim)``; return them cleaned."""
    if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or capacity < 1:
        raise ValueError(f"capacity must be a positive integer, got {capacity!r}")
    try:
        obs_shape = tuple(int(n) for n in obs_shape)
    except TypeError:
        raise TypeError(f"obs_shape must be a tuple of ints such as (4,), got {obs_shape!r}") from None
    if any(n < 1 for n in obs_shape):
        raise ValueError(f"obs_shape must have positive sizes, got {obs_shape}")
    if action_dim is not None and (
        isinstance(action_dim, bool) or not isinstance(action_dim, (int, np.integer)) or action_dim < 1
    ):
        raise ValueError(
            f"action_dim must be None (discrete actions) or a positive int, got {action_dim!r}"
        )
    return int(capacity), obs_shape, None if action_dim is None else int(action_dim)


def _as_flag(value: Any, name: str) -> bool:
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be a single flag, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
        return bool(value)
    raise TypeError(f"{name} must be a bool (as returned by env.step), got {value!r}")


def check_transition(
    obs_shape: tuple[int, ...],
    action_dim: int | None,
    obs: Any,
    action: Any,
    reward: Any,
    next_obs: Any,
    terminated: Any,
    truncated: Any,
) -> Transition:
    """Validate one transition for a buffer with ``obs_shape`` and ``action_dim``."""
    obs_array = _as_array(obs, "obs")
    next_obs_array = _as_array(next_obs, "next_obs")
    for name, array in (("obs", obs_array), ("next_obs", next_obs_array)):
        if array.shape != obs_shape:
            raise ValueError(
                f"{name} has shape {array.shape}, but this buffer was created with "
                f"obs_shape={obs_shape}"
            )
    if action_dim is None:
        if isinstance(action, torch.Tensor) and action.numel() == 1:
            action = action.item()
        if isinstance(action, np.ndarray) and action.shape == ():
            action = action.item()
        if isinstance(action, bool) or not isinstance(action, (int, np.integer)):
            raise TypeError(
                f"this buffer stores discrete actions (action_dim=None), so action must be an "
                f"int, got {action!r}"
            )
        clean_action: int | np.ndarray = int(action)
    else:
        clean_action = _as_array(action, "action")
        if clean_action.shape != (action_dim,):
            raise ValueError(
                f"action has shape {clean_action.shape}, but this buffer was created with "
                f"action_dim={action_dim}"
            )
    if isinstance(reward, torch.Tensor) and reward.numel() == 1:
        reward = reward.item()
    try:
        clean_reward = float(reward)
    except (TypeError, ValueError):
        raise TypeError(f"reward must be a number, got {reward!r}") from None
    if not math.isfinite(clean_reward):
        raise ValueError(f"reward must be finite, got {clean_reward}")
    return Transition(
        obs_array,
        clean_action,
        clean_reward,
        next_obs_array,
        _as_flag(terminated, "terminated"),
        _as_flag(truncated, "truncated"),
    )


def check_sample_args(stored: int, batch_size: int, rng: Any) -> None:
    """Validate ``ReplayBuffer.sample(batch_size, rng)`` on a buffer holding ``stored`` items."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy Generator, e.g. rng = np.random.default_rng(seed); "
            f"got {type(rng).__name__}"
        )
    if stored == 0:
        raise ValueError("cannot sample from an empty replay buffer: add transitions first")


def check_tau(tau: Any) -> float:
    """Validate a Polyak weight ``tau`` (weight on the online network) and return it."""
    if isinstance(tau, bool) or not isinstance(tau, (int, float, np.floating, np.integer)):
        raise TypeError(f"tau must be a number in [0, 1], got {tau!r}")
    tau = float(tau)
    if not 0.0 <= tau <= 1.0:
        raise ValueError(
            f"tau must be in [0, 1] (the weight on the online network; 1 is a hard copy), "
            f"got {tau}. The slides' 0.999 is 1 - tau here."
        )
    return tau


def check_same_architecture(target_network: nn.Module, online_network: nn.Module) -> None:
    """Raise if the two networks' parameters and buffers do not match name for name."""
    if target_network is online_network:
        raise ValueError("target_network and online_network are the same object; "
                         "the target network must be a separate copy (copy.deepcopy)")
    # named_parameters and named_buffers list what state_dict holds, at half its cost (this
    # runs before every target update).
    target_shapes, online_shapes = _shapes(target_network), _shapes(online_network)
    if list(target_shapes) != list(online_shapes):
        raise ValueError(
            "target_network and online_network have different parameters/buffers: "
            f"{sorted(set(target_shapes) ^ set(online_shapes))}"
        )
    for name, shape in target_shapes.items():
        if shape != online_shapes[name]:
            raise ValueError(
                f"{name} has shape {tuple(shape)} in the target network but "
                f"{tuple(online_shapes[name])} in the online network"
            )


def _shapes(network: nn.Module) -> dict[str, torch.Size]:
    return {name: tensor.shape for named in (network.named_parameters(), network.named_buffers())
            for name, tensor in named}


def check_epsilon(epsilon: Any) -> float:
    """Validate an exploration probability."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.floating)) or not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be a probability in [0, 1], got {epsilon!r}")
    return float(epsilon)


def check_gamma(gamma: Any) -> float:
    """Validate a discount factor."""
    if isinstance(gamma, bool) or not isinstance(gamma, (int, float, np.floating)) or not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be a discount in [0, 1], got {gamma!r}")
    return float(gamma)


# How many axes each named tensor has: [B] for per-transition values, [B, A] for Q-values,
# [B, N] for N-step windows.
_NDIM = {"rewards": 1, "terminated": 1, "truncated": 1, "targets": 1, "actions": 1,
         "q_values": 2, "next_q_values": 2, "next_q_values_online": 2, "next_q_values_target": 2,
         "window_rewards": 2, "window_terminated": 2, "window_truncated": 2, "bootstrap_values": 2}


def check_same_batch(**tensors: torch.Tensor) -> int:
    """Check that named tensors are torch tensors with the expected number of axes and one
    batch size B (the first axis); return B. Catches a [B, 1] passed where [B] is meant,
    which would otherwise broadcast silently into a [B, B] result."""
    batch_size = None
    for name, tensor in tensors.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
        expected = _NDIM.get(name)
        if expected is not None and tensor.dim() != expected:
            layout = {1: "[B]", 2: "[B, A]" if "q_values" in name else "[B, N]"}[expected]
            raise ValueError(f"{name} must have shape {layout}, got {list(tensor.shape)}")
        if batch_size is None:
            batch_size = tensor.shape[0]
        elif tensor.shape[0] != batch_size:
            raise ValueError(f"{name} has batch size {tensor.shape[0]}, expected {batch_size}")
    return int(batch_size or 0)


# -- continuous actions: the maximizers of random_shooting.py and cem.py ---------------------
def check_generator(rng: Any) -> None:
    """Raise unless ``rng`` is a numpy Generator (the only source of randomness allowed)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy Generator, e.g. rng = np.random.default_rng(seed); "
            f"got {type(rng).__name__}"
        )


def check_count(value: Any, name: str) -> int:
    """Validate a positive whole number such as ``num_samples``; return it as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _as_vector(value: Any, name: str) -> torch.Tensor:
    """A float32 tensor [A] from a tensor, an array or a list (``env.action_space.low``)."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu().to(torch.float32)
    else:
        tensor = torch.as_tensor(_as_array(value, name))
    if tensor.dim() != 1 or tensor.numel() == 0:
        raise ValueError(f"{name} must have shape [action_dim], got {list(tensor.shape)}")
    if not bool(torch.isfinite(tensor).all()):
        raise ValueError(f"{name} must be finite (a bounded action box), got {tensor.tolist()}")
    return tensor


def check_action_bounds(low: Any, high: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate the action box ``[low, high]``; return both as float32 tensors [A]."""
    low, high = _as_vector(low, "low"), _as_vector(high, "high")
    if low.shape != high.shape:
        raise ValueError(f"low and high must have the same shape [action_dim], got "
                         f"{list(low.shape)} and {list(high.shape)}")
    wrong = torch.nonzero(~(low < high)).flatten()
    if wrong.numel():
        j = int(wrong[0])
        raise ValueError(f"need low < high in every action dimension; dimension {j} has "
                         f"low={low[j].item():g} and high={high[j].item():g}")
    return low, high


def check_observations(observations: Any) -> int:
    """Validate a batch of observations, float32 [B, obs_dim]; return B."""
    if not isinstance(observations, torch.Tensor):
        raise TypeError(f"observations must be a torch.Tensor, got {type(observations).__name__}")
    if observations.dim() != 2 or observations.shape[0] == 0:
        raise ValueError(f"observations must have shape [B, obs_dim] with B >= 1, got "
                         f"{list(observations.shape)} (one observation: observations.unsqueeze(0))")
    if observations.dtype != torch.float32:
        raise TypeError(f"observations must be float32, got {observations.dtype}")
    return int(observations.shape[0])


def check_cem_args(num_samples: Any, num_elites: Any, iterations: Any, initial_std: Any,
                   min_std: Any, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """Validate the settings of ``cem_argmax``; return the initial std as float32 [A]
    (``(high - low) / 2`` when ``initial_std`` is None)."""
    num_samples = check_count(num_samples, "num_samples")
    num_elites = check_count(num_elites, "num_elites")
    check_count(iterations, "iterations")
    if num_elites > num_samples:
        raise ValueError(f"num_elites ({num_elites}) must be at most num_samples ({num_samples}): "
                         "the elites are the best of each iteration's samples")
    if isinstance(min_std, bool) or not isinstance(min_std, (int, float, np.floating, np.integer)) \
            or not math.isfinite(min_std) or min_std < 0:
        raise ValueError(f"min_std must be a number >= 0, got {min_std!r}")
    if initial_std is None:
        return (high - low) / 2
    std = _as_array(initial_std, "initial_std")
    try:
        std = np.broadcast_to(std, low.shape).copy()
    except ValueError:
        raise ValueError(f"initial_std must be a number or have shape [action_dim] = "
                         f"{list(low.shape)}, got shape {list(std.shape)}") from None
    if not np.all(np.isfinite(std) & (std > 0)):
        raise ValueError(f"initial_std must be positive and finite, got {std.tolist()}")
    return torch.as_tensor(std)


# -- naf.py: normalized advantage functions ------------------------------------------------
# How many axes each named NAF tensor has.
_NAF_NDIM = {"values": 1, "next_values": 1, "rewards": 1, "terminated": 1, "mu": 2, "actions": 2, "lower": 3}


def check_naf_inputs(**tensors: torch.Tensor) -> int:
    """Check named NAF tensors: torch tensors with their documented number of axes
    (values [B], mu and actions [B, A], lower [B, A, A]), one batch size B and one action
    size A; return B. Catches a [B, 1] value that would broadcast into [B, B]."""
    batch_size, action_dim = None, None
    for name, tensor in tensors.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
        expected = _NAF_NDIM[name]
        if tensor.dim() != expected:
            layout = {1: "[B]", 2: "[B, A]", 3: "[B, A, A]"}[expected]
            raise ValueError(f"{name} must have shape {layout}, got {list(tensor.shape)}")
        if batch_size is None:
            batch_size = tensor.shape[0]
        elif tensor.shape[0] != batch_size:
            raise ValueError(f"{name} has batch size {tensor.shape[0]}, expected {batch_size}")
        for size in tensor.shape[1:]:
            if action_dim is None:
                action_dim = size
            elif size != action_dim:
                raise ValueError(f"{name} has shape {list(tensor.shape)}, but the action size is {action_dim}")
    return int(batch_size or 0)


def check_triangle_entries(entries: Any, action_dim: Any) -> int:
    """Validate the raw entries of L, float tensor [B, A(A+1)/2]; return A."""
    action_dim = check_count(action_dim, "action_dim")
    if not isinstance(entries, torch.Tensor):
        raise TypeError(f"entries must be a torch.Tensor, got {type(entries).__name__}")
    count = action_dim * (action_dim + 1) // 2
    if entries.dim() != 2 or entries.shape[1] != count:
        raise ValueError(f"entries must have shape [B, A(A+1)/2] = [B, {count}] for action_dim={action_dim}, "
                         f"got {list(entries.shape)}")
    return action_dim


def check_noise_std(noise_std: Any) -> float:
    """Validate an exploration noise's standard deviation (> 0, finite); return it as a float."""
    if isinstance(noise_std, bool) or not isinstance(noise_std, (int, float, np.floating, np.integer)) \
            or not math.isfinite(noise_std) or noise_std <= 0:
        raise ValueError(f"noise_std must be a positive number (in action units), got {noise_std!r}")
    return float(noise_std)


# -- sampled_q ---------------------------------------------------------------------------------
def check_per_transition(batch_size: int, **tensors: torch.Tensor) -> None:
    """Raise unless every named tensor has shape [batch_size]. A critic output or target of
    shape [B, 1] next to a [B] one broadcasts into [B, B] inside a loss, which trains, badly."""
    for name, tensor in tensors.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
        if list(tensor.shape) != [batch_size]:
            raise ValueError(f"{name} must have shape [B] = [{batch_size}], got {list(tensor.shape)}: keep one "
                             "value per transition (a [B, 1] tensor broadcasts against a [B] one into [B, B])")


# -- dueling.py --------------------------------------------------------------------------------
def check_dueling_inputs(values: Any, advantages: Any) -> int:
    """Check the two streams of a dueling network: ``values`` float tensor [B] (one V(s) per
    state) and ``advantages`` float tensor [B, A] (one A(s, a) per state and action), with one
    batch size B; return B. Catches a [B, 1] value head output passed on as it is."""
    for name, tensor in (("values", values), ("advantages", advantages)):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}")
        if not tensor.is_floating_point():
            raise TypeError(f"{name} must be a float tensor, got {tensor.dtype}")
    if values.dim() != 1:
        hint = (" (the value head's output is [B, 1]: take .squeeze(1), never a bare .squeeze(), which also "
                "drops the batch axis of a batch of one)" if values.dim() in (0, 2) else "")
        raise ValueError(f"values must have shape [B], one V(s) per state, got {list(values.shape)}{hint}")
    if advantages.dim() != 2:
        raise ValueError(f"advantages must have shape [B, A], one A(s, a) per state and action, got "
                         f"{list(advantages.shape)}")
    if advantages.shape[0] != values.shape[0]:
        raise ValueError(f"advantages has batch size {advantages.shape[0]}, but values has {values.shape[0]}")
    return int(values.shape[0])


# -- ddpg.py ----------------------------------------------------------------------------------
def check_action_batch(actions: Any, batch_size: int) -> None:
    """Raise unless ``actions`` is a float32 tensor [B, A] of continuous actions with
    B = ``batch_size`` (a [B] tensor here would broadcast against the observations)."""
    if not isinstance(actions, torch.Tensor):
        raise TypeError(f"actions must be a torch.Tensor, got {type(actions).__name__}")
    if actions.dim() != 2 or actions.shape[0] != batch_size:
        raise ValueError(f"actions must have shape [B, action_dim] = [{batch_size}, A], got {list(actions.shape)}")
    if actions.dtype != torch.float32:
        raise TypeError(f"actions must be float32 (continuous actions), got {actions.dtype}")


# -- pixels.py ---------------------------------------------------------------------------------
def check_rgb_frame(frame: Any, name: str = "frame") -> np.ndarray:
    """Return ``frame`` as a uint8 ndarray [H, W, 3], an RGB screen as environments give it;
    raise for anything else (a float image, a grayscale one, channels first)."""
    if isinstance(frame, torch.Tensor):
        frame = frame.detach().cpu().numpy()
    if not isinstance(frame, np.ndarray):
        raise TypeError(f"{name} must be a numpy array (uint8 [H, W, 3]), got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise TypeError(f"{name} must be uint8, as a screen is, got {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"{name} must have shape [H, W, 3] (RGB, channels last), got {list(frame.shape)}")
    return frame


def check_gray_frame(frame: Any, shape: tuple[int, ...] | None = None, name: str = "frame") -> np.ndarray:
    """Return ``frame`` as a uint8 ndarray [H, W] (a preprocessed frame), of ``shape`` if given."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 2:
        got = (f"{frame.dtype} {list(frame.shape)}" if isinstance(frame, np.ndarray) else type(frame).__name__)
        raise TypeError(f"{name} must be a preprocessed frame, a uint8 ndarray [H, W]; got {got}")
    if shape is not None and tuple(frame.shape) != tuple(shape):
        raise ValueError(f"{name} has shape {list(frame.shape)}, but this buffer or stacker holds frames of "
                         f"shape {list(shape)}")
    return frame


def check_downsample_factor(frame_shape: tuple[int, ...], factor: Any) -> int:
    """Return ``factor`` as an int that divides both sides of a frame [H, W, ...]."""
    factor = check_count(factor, "factor")
    if frame_shape[0] % factor or frame_shape[1] % factor:
        raise ValueError(f"factor {factor} must divide the frame's height and width, {list(frame_shape[:2])}")
    return factor


def check_pixel_observations(observations: Any, stack: int, height: int, width: int) -> None:
    """Raise unless ``observations`` is a uint8 tensor [B, stack, height, width] (a batch of
    frame stacks as the frame buffer gives them, channels first)."""
    if not isinstance(observations, torch.Tensor):
        raise TypeError(f"observations must be a torch.Tensor, got {type(observations).__name__}")
    if observations.dtype != torch.uint8:
        raise TypeError(f"observations must be uint8 frame stacks (the network scales them itself), got "
                        f"{observations.dtype}")
    if observations.dim() != 4 or list(observations.shape[1:]) != [stack, height, width]:
        raise ValueError(f"observations must have shape [B, stack, height, width] = [B, {stack}, {height}, {width}], "
                         f"got {list(observations.shape)}")
