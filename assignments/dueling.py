"""Part "dueling": the dueling network architecture.

Lecture: "Q-learning from pixels and the dueling architecture" (lecture_notes/09_dueling.md;
Wang et al. 2016). Much of what a Q-network learns about a state is the same for every
action: how good it is to be there at all. A dueling network gives that part its own
stream. A shared trunk computes features of s; one head turns them into a value V(s), the
other into an advantage A(s, a) for each action; and

    Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a').

Why the mean is subtracted (identifiability): from Q alone, V + A does not determine V and
A. Adding a constant c to V(s) and subtracting it from every A(s, .) gives the same Q, so
nothing in the loss would say which of the two heads holds what. With each state's mean
advantage subtracted, its advantages average to 0 and Q's mean over the actions of s is
V(s): Q now determines both streams. (The paper also shows a variant that subtracts the
max; this kit uses the mean, the form of the paper's experiments.)

V(s) and the mean advantage are the same for every action of s, so the greedy action is the
one with the largest advantage. ``DuelingQNetwork(obs_dim, num_actions, hidden_sizes)``
maps observations [B, obs_dim] to q_values [B, num_actions], like ``QNetwork``, so your DQN
loop trains it as it is (``train`` below).

Your task: fill in the ``TODO(student)`` blocks of ``dueling_q_values`` and
``DuelingQNetwork.streams``. Check yourself with
    python -m autograder check dueling
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn

from dqkit.checks import check_dueling_inputs
from dqkit.networks import feature_trunk

if TYPE_CHECKING:
    from dqn_loop import DQNConfig, TrainResult


def dueling_q_values(values: torch.Tensor, advantages: torch.Tensor) -> torch.Tensor:
    """Combine the two streams: Q(s, a) = V(s) + A(s, a) - mean_a' A(s, a').

    Each state's advantages are centred on their own mean, over that state's actions (not
    over the batch), so Q's mean over the actions of a state is its V(s). The arguments are
    left as they are (no in-place operation on them), and the result is differentiable with
    respect to both.

    Args:
        values: float32 [B], V(s) from the value stream.
        advantages: float32 [B, A], A(s, .) from the advantage stream.

    Returns:
        q_values: float32 [B, A].
    """
    check_dueling_inputs(values, advantages)
    # TODO(student): subtract from each state's advantages their mean over its actions, then add V(s) to every action (values is [B]: give it an axis of size 1 to broadcast over the actions)
    raise NotImplementedError("dueling: subtract from each state's advantages their mean over its actions, then add V(s) to every action (values is [B]: give it an axis of size 1 to broadcast over the actions)")


class DuelingQNetwork(nn.Module):
    """Q(s, .) from a value stream and an advantage stream on one shared trunk:
    observations float32 [B, obs_dim] -> q_values float32 [B, num_actions].

    The trunk is the hidden layers of an MLP (a Linear and a ReLU per hidden size,
    ``dqkit.networks.feature_trunk``); each stream is one linear layer on the trunk's
    features. The constructor and ``forward`` are those of ``QNetwork``, so the DQN loop,
    the target-network updates and the greedy policy take this network as they are.
    """

    def __init__(self, obs_dim: int, num_actions: int, hidden_sizes: Sequence[int] = (64, 64)):
        super().__init__()
        self.obs_dim, self.num_actions = obs_dim, num_actions
        self.trunk = feature_trunk(obs_dim, hidden_sizes)
        self.value_head = nn.Linear(hidden_sizes[-1], 1)
        self.advantage_head = nn.Linear(hidden_sizes[-1], num_actions)

    def streams(self, observations: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """V(s) float32 [B] and A(s, .) float32 [B, num_actions] for observations float32
        [B, obs_dim], both computed from the trunk's features."""
        # TODO(student): compute the trunk's features once; V(s) is the value head's [B, 1] output made [B] along axis 1 only, A(s, .) the advantage head's output
        raise NotImplementedError("dueling: compute the trunk's features once; V(s) is the value head's [B, 1] output made [B] along axis 1 only, A(s, .) the advantage head's output")

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        """q_values float32 [B, num_actions] for observations float32 [B, obs_dim]."""
        values, advantages = self.streams(observations)
        return dueling_q_values(values, advantages)


def train(config: DQNConfig) -> TrainResult:
    """Your DQN (``dqn_loop.train``) with a ``DuelingQNetwork`` in place of its ``QNetwork``.

    ``dqn_loop.train`` builds its network through the name ``QNetwork`` that its module
    imports; for this run that name stands for ``DuelingQNetwork``, so the target network
    (a deep copy), the updates and the greedy evaluations all use the dueling network. The
    grader's learning check trains your network the same way, with the course's DQNConfig.
    """
    # Imported here, not at the top: the dueling head's own tests need no other module of yours.
    import dqn_loop

    plain = dqn_loop.QNetwork
    dqn_loop.QNetwork = DuelingQNetwork
    try:
        return dqn_loop.train(config)
    finally:
        dqn_loop.QNetwork = plain
