"""Hidden tests for part "dueling"."""
from __future__ import annotations

from autograder.graders.learning import check_solves, needs_working
from autograder.graders.support import load_fixture, points
from autograder.parts.dueling import checks

CASES = load_fixture("hidden", "dueling")


@points(1)
def test_q_values_as_many_states_as_actions(student):
    """dueling_q_values with B = A, where a [B] tensor broadcast along the actions axis raises no error"""
    checks.check_q_values(student, CASES["q_values_square"])


@points(1)
def test_q_values_one_state_and_one_action(student):
    """dueling_q_values on a single state (as when acting) and with a single action (then Q = V)"""
    checks.check_q_values(student, CASES["q_values_one_state"])
    checks.check_q_values(student, CASES["q_values_one_action"])


@points(1)
def test_identifiability_random_batch(student):
    """Q's mean over actions is V(s) on a batch of 16 states with 6 actions and large shifts"""
    checks.check_identifiability(student, CASES["identifiability_random"])


@points(1)
def test_gradients_many_actions(student):
    """the gradients of Q(s, a) with 5 actions"""
    checks.check_q_gradients(student, CASES["q_gradients_many_actions"])


@points(1)
def test_streams_one_hidden_layer(student):
    """DuelingQNetwork.streams with a one-layer trunk as wide as the observations"""
    checks.check_streams(student, CASES["network_one_layer"])


@points(3)
def test_learns_cartpole(student):
    """learning: your DuelingQNetwork, trained by your DQN with the course's DQNConfig, solves CartPole-v1 (greedy return >= 475)"""
    needs_working(student, [(checks.check_q_values, CASES["q_values_square"]),
                            (checks.check_streams, CASES["network_one_layer"])], "your DuelingQNetwork")
    check_solves(student, CASES["cartpole"], "DQNConfig", "dueling DQN", checks.CARTPOLE_ADVICE)
