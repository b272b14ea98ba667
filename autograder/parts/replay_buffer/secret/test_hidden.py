"""Hidden tests for part "replay_buffer"."""
from __future__ import annotations

from autograder.graders.support import expect, load_fixture, points
from autograder.parts.replay_buffer import checks

CASES = load_fixture("hidden", "replay_buffer")


def run(student, name: str) -> list:
    return checks.run(student, CASES[name])


@points(1)
def test_continuous_action_layout(student):
    """continuous actions come back as float32 [B, action_dim]"""
    args = CASES["batch_dtypes_continuous"]["args"]
    batch = run(student, "batch_dtypes_continuous")[-1]
    checks.check_layout(batch, 5, args["obs_shape"], args["action_dim"])


@points(1)
def test_continuous_action_contents(student):
    """continuous-action transitions are stored intact through a wrap-around"""
    args = CASES["contents_continuous"]["args"]
    batch = run(student, "contents_continuous")[-1]
    checks.check_layout(batch, 200, args["obs_shape"], args["action_dim"])
    ids = checks.row_ids(batch, args["transitions"], added=9)
    checks.expect_stored(ids, added=9, capacity=6, context="After 9 adds to a buffer of capacity 6")


@points(2)
def test_eviction_order(student):
    """the oldest transition is the one overwritten, add after add"""
    args = CASES["eviction_order"]["args"]
    batches = run(student, "eviction_order")[1::2]
    for added, batch in enumerate(batches, start=1):
        ids = checks.row_ids(batch, args["transitions"], added=added)
        checks.expect_stored(ids, added=added, capacity=4,
                             context=f"After {added} adds to a buffer of capacity 4")


@points(2)
def test_terminated_and_truncated_kept_apart(student):
    """terminated and truncated are stored as given, not merged into one done flag"""
    args = CASES["terminated_vs_truncated"]["args"]
    batch = run(student, "terminated_vs_truncated")[-1]
    ids = checks.row_ids(batch, args["transitions"], added=35)
    checks.expect_stored(ids, added=35, capacity=40, context="After 35 adds to a buffer of capacity 40")


@points(1)
def test_capacity_one(student):
    """a buffer of capacity 1 always holds just the last transition"""
    args = CASES["capacity_one"]["args"]
    results = run(student, "capacity_one")
    lengths = [results[1], results[3]]
    expect(lengths == [1, 1], f"len() of a capacity-1 buffer after 1 and 4 adds should be [1, 1], got {lengths}.")
    ids = checks.row_ids(results[-1], args["transitions"], added=4)
    checks.expect_stored(ids, added=4, capacity=1, context="After 4 adds to a buffer of capacity 1")


@points(1)
def test_image_like_observations(student):
    """multi-dimensional observations keep their shape and values"""
    args = CASES["image_observations"]["args"]
    batch = run(student, "image_observations")[-1]
    checks.check_layout(batch, 100, args["obs_shape"], args["action_dim"])
    ids = checks.row_ids(batch, args["transitions"], added=7)
    checks.expect_stored(ids, added=7, capacity=5, context="After 7 adds to a buffer of capacity 5")


@points(1)
def test_uniform_after_many_wraparounds(student):
    """sampling stays uniform over all stored slots after many wrap-arounds, the rows of a batch independent"""
    rewards = run(student, "uniform_after_many_wraps")[-1]
    ids = checks.sampled_ids(rewards, added=53, capacity=7,
                             context="After 53 adds to a buffer of capacity 7")
    checks.expect_uniform(ids, list(range(46, 53)),
                          context="Over 28,000 draws after 53 adds to a buffer of capacity 7")
    checks.expect_independent_rows(ids, 700, list(range(46, 53)),
                                   context="Over 40 batches of 700 after 53 adds to a buffer of capacity 7")


@points(1)
def test_batch_larger_than_buffer(student):
    """a batch larger than the number stored is drawn with replacement"""
    args = CASES["batch_larger_than_buffer"]["args"]
    batch = run(student, "batch_larger_than_buffer")[-1]
    checks.check_layout(batch, 32, args["obs_shape"], args["action_dim"])
    ids = checks.row_ids(batch, args["transitions"], added=3)
    checks.expect_stored(ids, added=3, capacity=10, context="Sampling 32 from a buffer holding 3")
