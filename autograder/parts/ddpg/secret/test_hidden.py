"""Hidden tests for part "ddpg"."""
from __future__ import annotations

from autograder.graders.learning import check_solves
from autograder.graders.support import load_fixture, points
from autograder.parts.ddpg import checks

CASES = load_fixture("hidden", "ddpg")


@points(1)
def test_targets_terminal_rows(student):
    """ddpg_targets is the reward alone on terminal rows, and bootstraps on the one live row"""
    checks.check_targets(student, CASES["targets_terminal_rows"])


@points(1)
def test_targets_gamma_one_single_row(student):
    """ddpg_targets with gamma=1 on a batch of one stays shape [1]"""
    checks.check_targets(student, CASES["targets_gamma_1_single_row"])


@points(1)
def test_critic_loss_larger_batch(student):
    """critic_loss on a batch of 32, with its gradient"""
    checks.check_critic_loss(student, CASES["critic_loss_large_batch"])


@points(1)
def test_actor_loss_larger_batch(student):
    """actor_loss on a batch of 32, with its gradient"""
    checks.check_actor_loss(student, CASES["actor_loss_large_batch"])


@points(1)
def test_exploration_small_noise(student):
    """exploration_actions with noise_std=0.05 adds N(0, 0.05^2) noise (statistical)"""
    checks.check_noise(student, CASES["noise_small_std"])


@points(1)
def test_exploration_clipping_narrow_box(student):
    """exploration_actions clips onto bounds narrower than the actor's box, with large noise"""
    checks.check_clipping(student, CASES["clipping_one_sided_box"])


@points(2)
def test_two_updates_in_a_row(student):
    """two ddpg_update calls with gamma=0.7: no gradient carried over between updates, none into the target networks"""
    checks.check_update_steps(student, CASES["two_updates"])


@points(1)
def test_two_updates_polyak_tau(student):
    """two ddpg_update calls with tau=0.3: both targets move by tau each time"""
    checks.check_update_targets(student, CASES["two_updates"])


@points(3)
def test_learns_pendulum(student):
    """learning: your whole DDPG with the course's config solves Pendulum-v1 (greedy return >= -200)"""
    check_solves(student, CASES["pendulum"], "DDPGConfig", "DDPG", checks.PENDULUM_ADVICE)
