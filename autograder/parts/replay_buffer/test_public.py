"""Public tests for part "replay_buffer" (run them with: python -m autograder check replay_buffer)."""
from __future__ import annotations

from autograder.graders.support import expect, load_fixture, points
from autograder.parts.replay_buffer import checks

CASES = load_fixture("public", "replay_buffer")


def run(student, name: str) -> list:
    return checks.run(student, CASES[name])


@points(1)
def test_len_counts_to_capacity(student):
    """len(buffer) counts the transitions added, up to the capacity"""
    lengths = [value for value in run(student, "len_counts_to_capacity") if value is not None]
    expected = CASES["len_counts_to_capacity"]["golden"]
    expected = [value for value in expected if value is not None]
    expect(lengths == expected,
           f"Adding 7 transitions one by one to a buffer of capacity 5, len() after each add should be "
           f"{expected}, got {lengths}. len() is the number stored: it grows by one per add and "
           "stops at the capacity.")


@points(1)
def test_batch_dtypes_and_shapes(student):
    """sample() returns a Batch of tensors with the documented dtypes and shapes"""
    args = CASES["batch_dtypes_discrete"]["args"]
    batch = run(student, "batch_dtypes_discrete")[-1]
    checks.check_layout(batch, 4, args["obs_shape"], args["action_dim"])


@points(2)
def test_contents_before_wraparound(student):
    """sampled rows are exactly the stored transitions, every field from the same one"""
    args = CASES["contents_before_wrap"]["args"]
    batch = run(student, "contents_before_wrap")[-1]
    checks.check_layout(batch, 200, args["obs_shape"], args["action_dim"])
    ids = checks.row_ids(batch, args["transitions"], added=5)
    checks.expect_stored(ids, added=5, capacity=8, context="After 5 adds to a buffer of capacity 8")


@points(2)
def test_newest_kept_after_wraparound(student):
    """after more adds than the capacity, the buffer holds exactly the newest transitions"""
    args = CASES["contents_after_wrap"]["args"]
    batch = run(student, "contents_after_wrap")[-1]
    checks.check_layout(batch, 300, args["obs_shape"], args["action_dim"])
    ids = checks.row_ids(batch, args["transitions"], added=12)
    checks.expect_stored(ids, added=12, capacity=5, context="After 12 adds to a buffer of capacity 5")


@points(2)
def test_uniform_sampling(student):
    """sampling is uniform over the stored transitions, the rows of a batch drawn independently"""
    rewards = run(student, "uniform_sampling")[-1]
    ids = checks.sampled_ids(rewards, added=25, capacity=10,
                             context="After 25 adds to a buffer of capacity 10")
    checks.expect_uniform(ids, list(range(15, 25)),
                          context="Over 20,000 draws from a full buffer of capacity 10")
    checks.expect_independent_rows(ids, 500, list(range(15, 25)),
                                   context="Over 40 batches of 500 from a full buffer of capacity 10")


@points(1)
def test_same_seed_same_batch(student):
    """the batch depends only on the rng passed in: same seed, same batch"""
    first, second, other = run(student, "same_seed_same_batch")[1:]
    checks.expect_same_batch(
        first, second,
        "Two calls to sample(32, np.random.default_rng(5)) gave different batches. sample() must "
        "draw its indices from the rng argument only (rng.integers, rng.choice, ...), not from "
        "np.random, random or torch's global generators.")
    expect(checks.batches_differ(first, other),
           "sample() gave the same batch for rng seeds 5 and 6: its batch does not depend on the rng argument.")
