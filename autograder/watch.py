"""``python -m autograder watch PART``: watch your trained agent act, as an animated GIF.

The network comes from the newest checkpoint of PART in ``runs/`` (a run given
``log_path="runs/NAME.csv"`` saves one in ``runs/NAME/``, see ``dqkit/metrics.py``). If
there is none, this trains one from your modules with the course's config, the way
``python -m autograder curve`` does (your code runs in this process, on your machine), with
the log location ``runs/PART_seedN.csv``. The greedy policy is then the grader's own
(``autograder/graders/policies.py``: your weights in the kit's network class), played from
the start states of the grader's evaluation episodes, so the return drawn on the frames is
the one the learning check measures for that episode.
"""
from __future__ import annotations

import functools
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from autograder.curve import LEARNING_RUNS, CurveError, student_module, train_student
from dqkit.metrics import CHECKPOINT_NAME, CheckpointError, load_checkpoint, network_state, networks_in, run_folder

MAX_FRAMES_PER_SECOND = 50
"""GIF players round a frame's time to 10 ms and slow down anything shorter than 20 ms."""
END_PAUSE_SECONDS = 1.0
"""How long the last frame of an episode stays, so its return can be read."""


@dataclass(frozen=True)
class Watched:
    networks: frozenset[str]
    """The networks a checkpoint of the part holds: its train's log lines save them by these names."""
    policy_network: str
    """The one the greedy policy needs."""


WATCHED = {
    "dqn_loop": Watched(frozenset({"q_network"}), "q_network"),
    "dueling": Watched(frozenset({"q_network"}), "q_network"),
    "sampled_q": Watched(frozenset({"critic", "target_critic"}), "critic"),
    "naf": Watched(frozenset({"network", "target_network"}), "network"),
    "ddpg": Watched(frozenset({"actor", "critic", "target_actor", "target_critic"}), "actor"),
}


class WatchError(Exception):
    """Why there is nothing to watch, in the student's terms."""


@dataclass
class Watching:
    """What ``watch`` did, for the command's summary."""

    checkpoint: Path
    trained_now: str | None
    """How the run went (``describe_run``), if this command trained it; None if it was found."""
    returns: list[float]
    steps: list[int]
    frames: int


def find_checkpoint(part: str, runs: Path) -> Path | None:
    """The newest ``checkpoint.pt`` under ``runs`` that holds ``part``'s networks; None if
    there is none. A damaged checkpoint is an error that names it (never skipped quietly)."""
    candidates = sorted(runs.rglob(CHECKPOINT_NAME), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in candidates:
        try:
            state = load_checkpoint(path)
        except CheckpointError as error:
            raise WatchError(str(error)) from None
        if networks_in(state) == WATCHED[part].networks and same_kind(part, state):
            return path
    return None


def same_kind(part: str, state) -> bool:
    """Whether the policy network of a checkpoint whose networks are ``part``'s is also of the
    part's kind. Only the DQN-loop parts need telling apart (both save a ``q_network``): by
    its layers' names (a QNetwork's ``net``; a DuelingQNetwork's ``trunk`` and its two heads),
    which do not depend on the hidden sizes."""
    from autograder.shared.policies import DQN_LOOP_PARTS, q_network_class

    if part not in DQN_LOOP_PARTS:
        return True
    layers = {name for name, _ in q_network_class(part)(1, 2, (1,)).named_children()}
    return networks_in(network_state(state, WATCHED[part].policy_network)) == layers


def _student_module(part: str, modules: Path):
    try:
        return student_module(part, modules)
    except CurveError as error:
        raise WatchError(str(error)) from None


def train_checkpoint(module, part: str, seed: int, runs: Path) -> tuple[Path, str]:
    """Train ``part`` with the course's config and a log location in ``runs``, as ``curve``
    trains it; returns the checkpoint it saved and one line on how the run went."""
    from dqkit.plotting import describe_run

    log_path = runs / f"{part}_seed{seed}.csv"
    try:
        result = train_student(module, part, seed, log_path=str(log_path))
    except CurveError as error:
        raise WatchError(str(error)) from None
    checkpoint = run_folder(log_path) / CHECKPOINT_NAME
    if not checkpoint.is_file():
        raise WatchError(f"your {part} trained but saved no checkpoint at {checkpoint}: the provided line "
                         "`logger.save_checkpoint(...)` at the end of the training loop saves it; put it back.")
    return checkpoint, describe_run(result)


def greedy_policy(part: str, config: dict, checkpoint: Path):
    """The grader's greedy policy for the weights in ``checkpoint``."""
    from autograder.graders.policies import NETWORK_KEYS
    from autograder.graders.policies import greedy_policy as graders_policy
    from autograder.graders.support import Failure

    watched = WATCHED[part]
    try:
        state = load_checkpoint(checkpoint)
    except CheckpointError as error:
        raise WatchError(str(error)) from None
    if networks_in(state) != watched.networks:
        raise WatchError(f"{checkpoint} holds the networks {sorted(networks_in(state))}, and a checkpoint of "
                         f"{part} holds {sorted(watched.networks)}: it was saved by another part's training.")
    if not same_kind(part, state):
        layers = sorted(networks_in(network_state(state, watched.policy_network)))
        raise WatchError(f"{checkpoint}'s {watched.policy_network} has the layers {layers}, which are not those of "
                         f"{part}'s network: it was saved by another part's training.")
    arrays = {name: tensor.numpy() for name, tensor in network_state(state, watched.policy_network).items()}
    try:
        return graders_policy(part, config, arrays)
    except Failure as failure:
        raise WatchError(f"{checkpoint} does not fit {NETWORK_KEYS[part][1]} of the course's config: "
                         f"{failure}") from None


def play(policy, env_id: str, start_seed: int, episodes: int, title: str):
    """Frames (palette images, the return so far drawn on each), returns and lengths of
    ``episodes`` greedy episodes, and the env's frame rate; episode k starts from
    ``reset(seed=start_seed + k)``, as in ``dqkit.envs.evaluate``."""
    # Rendering to an array needs no display; keep pygame from looking for one (or for sound).
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import gymnasium as gym
    import torch

    frames, returns, lengths = PaletteFrames(), [], []
    env = gym.make(env_id, render_mode="rgb_array")
    try:
        for episode in range(episodes):
            obs, _ = env.reset(seed=start_seed + episode)
            episode_return, step, done = 0.0, 0, False
            label = f"{title}   episode {episode + 1}/{episodes}"
            frames.add(_annotated(env.render(), label, step, episode_return))
            while not done:
                with torch.no_grad():
                    action = policy(np.asarray(obs, dtype=np.float32)[None])[0]
                action = action.item() if np.ndim(action) == 0 else np.asarray(action)
                obs, reward, terminated, truncated, _ = env.step(action)
                episode_return += float(reward)
                step += 1
                done = terminated or truncated
                ending = "   (terminated)" if terminated else "   (time limit)" if truncated else ""
                frames.add(_annotated(env.render(), label, step, episode_return, ending))
            returns.append(episode_return)
            lengths.append(step)
        frames_per_second = float(env.metadata.get("render_fps", 30))
    finally:
        env.close()
    return frames, returns, lengths, frames_per_second


@functools.cache
def _font():
    from PIL import ImageFont

    return ImageFont.load_default(size=16)


def _annotated(pixels: np.ndarray, label: str, step: int, episode_return: float, ending: str = ""):
    """The rendered frame with two lines of text at its top left: ``label``, then the step
    and the undiscounted return so far."""
    from PIL import Image, ImageDraw

    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    font = _font()
    draw.text((10, 8), label, fill=(0, 0, 0), font=font)
    draw.text((10, 28), f"step {step}   return {episode_return:.1f}{ending}", fill=(0, 0, 0), font=font)
    return image


class PaletteFrames(list):
    """Frames as 8-bit palette images, all on the palette of the first (the scenes keep their
    colours): what a GIF stores, in a third of the memory of RGB frames."""

    def add(self, image) -> None:
        from PIL import Image

        if not self:
            self.palette = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        self.append(image.quantize(palette=self.palette, dither=Image.Dither.NONE))


def save_gif(images: PaletteFrames, out: Path, frames_per_second: float, lengths: list[int]) -> None:
    """An animated GIF of ``images``, each episode's last frame held ``END_PAUSE_SECONDS``."""
    frame_ms = 10 * round(100 / min(frames_per_second, MAX_FRAMES_PER_SECOND))
    durations = [frame_ms] * len(images)
    last = -1
    for length in lengths:
        last += length + 1
        durations[last] = int(END_PAUSE_SECONDS * 1000)
    out.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(out, save_all=True, append_images=images[1:], duration=durations, loop=0)


def watch(part: str, modules: Path, seed: int, out: Path, episodes: int = 1, runs: Path = Path("runs")) -> Watching:
    """Find or train ``part``'s checkpoint, play ``episodes`` greedy episodes from the
    grader's evaluation start states for ``seed``, and save them to ``out``. Raises WatchError."""
    if part not in WATCHED:
        raise WatchError(f"{part!r} has no learning run to watch; choose one of: {', '.join(WATCHED)}")
    if episodes < 1:
        raise WatchError(f"--episodes must be at least 1, not {episodes}")
    if out.suffix.lower() != ".gif":
        raise WatchError(f"{out}: only animated GIFs are written; give --out a name ending in .gif")
    from autograder.graders.policies import evaluation_seed

    module = _student_module(part, modules)
    config = asdict(getattr(module, LEARNING_RUNS[part].config)(seed=seed))
    checkpoint, trained_now = find_checkpoint(part, runs), None
    if checkpoint is None:
        checkpoint, trained_now = train_checkpoint(module, part, seed, runs)
    policy = greedy_policy(part, config, checkpoint)
    frames, returns, lengths, frames_per_second = play(policy, config["env_id"], evaluation_seed(part, seed),
                                                       episodes, LEARNING_RUNS[part].title)
    save_gif(frames, out, frames_per_second, lengths)
    return Watching(checkpoint, trained_now, returns, lengths, len(frames))
