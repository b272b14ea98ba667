"""The stored reference bands (dqkit/reference_curves/) and drawing a run against them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from dqkit.plotting import (ReferenceCurve, load_reference_curve, plot_against_reference,  # noqa: E402
                            reference_curve_names)

REPO = Path(__file__).resolve().parent.parent
EXPECTED = {"cartpole_dqn": 475.0, "cartpole_dueling": 475.0, "pendulum_ddpg": -200.0, "pendulum_naf": -200.0, "pendulum_sampled_q": -200.0}


@dataclass
class FakeResult:
    evaluations: list[tuple[int, float]] = field(default_factory=list)


def test_every_agent_has_a_stored_band():
    assert set(reference_curve_names()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_stored_band_is_well_formed(name):
    curve = load_reference_curve(name)
    assert curve.name == name and curve.threshold == EXPECTED[name]
    assert curve.seeds >= 3, "a band of fewer than three seeds says little about the spread"
    assert len(curve.steps) == len(curve.median) == len(curve.low) == len(curve.high) >= 5
    assert all(earlier < later for earlier, later in zip(curve.steps, curve.steps[1:]))
    assert all(low <= median <= high for low, median, high in zip(curve.low, curve.median, curve.high))
    # The reference solves its task: by the end of the budget the median has reached the threshold.
    assert curve.median[-1] >= curve.threshold


def test_notebooks_draw_against_stored_bands_only():
    named = set()
    for path in (REPO / "notebooks_src").glob("*.py"):
        named |= set(re.findall(r"compare_to_reference\(\w+, \"(\w+)\"", path.read_text()))
    assert named, "no notebook draws a run against a reference band"
    assert named <= set(reference_curve_names())


def test_an_unknown_band_names_the_stored_ones():
    with pytest.raises(ValueError, match="no reference curve named 'cartpole'.*cartpole_dqn"):
        load_reference_curve("cartpole")


def test_a_curve_survives_a_save_and_load(tmp_path):
    curve = ReferenceCurve(name="toy", title="toy task", threshold=1.0, seeds=3, steps=[10, 20],
                           median=[0.5, 1.0], low=[0.0, 0.5], high=[1.0, 1.5])
    curve.save(tmp_path)
    assert load_reference_curve("toy", tmp_path) == curve


def test_the_run_is_drawn_over_the_band():
    evaluations = [(500, 20.0), (1_000, 150.0), (1_500, 480.0)]
    axes = plot_against_reference(FakeResult(evaluations), "cartpole_dqn", label="my run")
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert list(zip(*lines["my run"].get_data())) == evaluations
    assert "reference: median" in lines
    assert any(collection.get_label().startswith("reference: range over") for collection in axes.collections)
    plt.close(axes.figure)


def test_a_run_without_evaluations_still_shows_the_band():
    axes = plot_against_reference(FakeResult(), "pendulum_ddpg")
    assert [line.get_label() for line in axes.get_lines()] == ["reference: median", "solved"]
    plt.close(axes.figure)
