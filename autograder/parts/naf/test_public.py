"""Public tests for part "naf" (run them with: python -m autograder check naf)."""
from __future__ import annotations

from autograder.graders.support import load_fixture, points
from autograder.parts.naf import checks

CASES = load_fixture("public", "naf")


@points(2)
def test_lower_triangular(student):
    """lower_triangular fills the lower triangle in torch.tril_indices order and takes exp of the diagonal"""
    checks.check_lower(student, CASES["lower_2d"])


@points(2)
def test_q_values(student):
    """naf_q_values is V - 1/2 (a - mu)^T L L^T (a - mu), one value per row"""
    checks.check_q_values(student, CASES["q_values_2d"])


@points(2)
def test_q_is_maximal_at_mu(student):
    """Q(mu) = V, Q < V elsewhere, and the quadratic form read off Q is L L^T"""
    checks.check_landscape(student, CASES["landscape_2d"])


@points(1)
def test_gradients_reach_all_heads(student):
    """Q is differentiable with respect to V, mu and the raw L entries, with the reference's gradients"""
    checks.check_q_gradients(student, CASES["q_gradients_2d"])


@points(2)
def test_targets(student):
    """naf_targets is r + gamma * (1 - terminated) * V_target(s'), shape [B], no gradient"""
    checks.check_targets(student, CASES["targets"])


@points(2)
def test_exploration(student):
    """noisy_actions is mu plus Gaussian noise of std noise_std, clipped to the box, drawn only from rng"""
    checks.check_exploration(student, CASES["exploration"])


@points(2)
def test_update(student):
    """update_naf regresses Q(s, a) on targets from V_target(s'), then Polyak-averages the target network"""
    checks.check_update(student, CASES["update"])
