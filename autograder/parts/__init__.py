"""The parts of the homework, in the order they are taught and graded.

Every part is one folder here, ``autograder/parts/<name>/``, of the same shape:

- ``probes.py``: the worker side, code that runs next to the student's module;
- ``checks.py``: the grader side, what its tests assert;
- ``test_public.py`` and ``public.json``: the public tests and their fixtures;
- ``secret/``: ``test_hidden.py`` and ``hidden.json``, the hidden tests and their fixtures,
  and ``cases.py``, which builds both fixture files from the reference
  (``python -m autograder fixtures``).

What several parts share lives outside the part folders: ``autograder/probes/`` (worker
side), ``autograder/graders/`` (grader side), ``autograder/shared/`` (both sides) and
``_secret_common.py`` here (the case builders' helpers).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PARTS_DIR = Path(__file__).resolve().parent
VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class LearningRun:
    """A part whose whole agent trains on a task: its course config and reference curve."""

    config: str
    """The part's config dataclass; its defaults are the course's config."""
    reference: str
    """The band in ``dqkit/reference_curves/``."""
    title: str


@dataclass(frozen=True)
class Part:
    """One graded part: a module students fill in, with its public and hidden tests."""

    name: str
    """The module's name in assignments/ (``<name>.py``) and the part's name in the CLI."""
    title: str
    notes: str
    """The lecture-notes file that explains it, relative to the repository root."""
    learning: LearningRun | None = None
    """Its learning run, if students train the whole agent in this part."""

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    @property
    def folder(self) -> Path:
        return PARTS_DIR / self.name

    @property
    def module(self) -> str:
        """The part's package, ``autograder.parts.<name>``."""
        return f"{__name__}.{self.name}"

    def tests(self, visibility: str) -> Path:
        return self.folder / ("test_public.py" if visibility == "public" else "secret/test_hidden.py")

    def fixtures(self, visibility: str) -> Path:
        return self.folder / ("public.json" if visibility == "public" else "secret/hidden.json")


PARTS: tuple[Part, ...] = (
    Part("replay_buffer", "Replay buffer", "lecture_notes/02_replay_buffers.md"),
    Part("target_network", "Target networks", "lecture_notes/03_target_networks.md"),
    Part("dqn", "DQN update", "lecture_notes/04_dqn.md"),
    Part("dqn_loop", "DQN training loop", "lecture_notes/04_dqn.md",
         LearningRun("DQNConfig", "cartpole_dqn", "DQN on CartPole-v1")),
    Part("double_dqn", "Double Q-learning", "lecture_notes/05_double_q_learning.md"),
    Part("n_step", "N-step returns", "lecture_notes/06_n_step_returns.md"),
    Part("random_shooting", "Random shooting", "lecture_notes/07_continuous_actions.md"),
    Part("cem", "Cross-entropy method", "lecture_notes/07_continuous_actions.md"),
    Part("sampled_q", "Sampling-based Q-learning", "lecture_notes/07_continuous_actions.md",
         LearningRun("SampledQConfig", "pendulum_sampled_q", "Sampled Q-learning on Pendulum-v1")),
    Part("naf", "Normalized advantage functions", "lecture_notes/07_continuous_actions.md",
         LearningRun("NAFConfig", "pendulum_naf", "NAF on Pendulum-v1")),
    Part("ddpg", "DDPG", "lecture_notes/07_continuous_actions.md",
         LearningRun("DDPGConfig", "pendulum_ddpg", "DDPG on Pendulum-v1")),
    Part("dueling", "Dueling networks", "lecture_notes/09_dueling.md",
         LearningRun("DQNConfig", "cartpole_dueling", "Dueling DQN on CartPole-v1")),
    Part("pixels", "Q-learning from pixels", "lecture_notes/10_pixels.md"),
)


LEARNING_PARTS: tuple[Part, ...] = tuple(part for part in PARTS if part.learning)


def part_of_test_file(path: Path) -> tuple[str, str]:
    """The part and visibility (``public`` or ``hidden``) of one of the parts' test files."""
    if path.name == "test_public.py":
        return path.parent.name, "public"
    return path.parent.parent.name, "hidden"


def part_named(name: str) -> Part:
    for part in PARTS:
        if part.name == name:
            return part
    known = ", ".join(part.name for part in PARTS)
    raise KeyError(f"unknown part {name!r}; the parts are: {known}")
