"""Checks of part n_step: its targets and how fast values propagate down a chain."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograder.graders.q_targets import expect_targets, first_match, run
from autograder.graders.support import expect, fail, show


def _n_step_variant(args: dict[str, Any], stop_at_end: bool = True, bootstrap_on_truncation: bool = True,
                    bootstrap_on_termination: bool = False, exponent_shift: int = 0,
                    exponent_always_n: bool = False, reward_shift: int = 0,
                    bootstrap_from_last: bool = False, truncation_ends: bool = True) -> np.ndarray:
    """The N-step target with one rule changed, for naming a student's mistake."""
    rewards, terminated, truncated = args["window_rewards"], args["window_terminated"], args["window_truncated"]
    bootstrap, gamma = args["bootstrap_values"], args["gamma"]
    targets = []
    for r, te, tr, v in zip(rewards, terminated, truncated, bootstrap):
        ends = (te > 0) | ((tr > 0) if truncation_ends else False)
        last = int(np.argmax(ends)) if (stop_at_end and ends.any()) else len(r) - 1
        total = sum(gamma ** (k + reward_shift) * r[k] for k in range(last + 1))
        keep = (te[last] == 0 or bootstrap_on_termination) and (bootstrap_on_truncation or tr[last] == 0)
        index = len(r) - 1 if bootstrap_from_last else last
        exponent = len(r) if exponent_always_n else last + 1 + exponent_shift
        targets.append(total + (gamma**exponent * v[index] if keep else 0.0))
    return np.asarray(targets)


def check_n_step_targets(student, case: dict[str, Any]) -> None:
    args = case["args"]
    guesses = {
        "The sum runs across the end of the episode: stop at the first transition that is terminated or truncated.":
            _n_step_variant(args, stop_at_end=False),
        "A truncated window drops its bootstrap: a time limit is not a terminal state, so keep gamma^m * V(s_m).":
            _n_step_variant(args, bootstrap_on_truncation=False),
        "A terminated window keeps its bootstrap: a terminal state has no future, so drop gamma^m * V(s_m) "
        "where the last transition summed is terminated.":
            _n_step_variant(args, bootstrap_on_termination=True),
        "Truncation is ignored: the window must also stop at a truncated transition (the next one is another episode).":
            _n_step_variant(args, truncation_ends=False),
        "The bootstrap's discount exponent is one too small: after m rewards it is gamma^m.":
            _n_step_variant(args, exponent_shift=-1),
        "The bootstrap's discount exponent is one too large: after m rewards it is gamma^m.":
            _n_step_variant(args, exponent_shift=1),
        "The bootstrap is discounted by gamma^N even when the window stopped early: after m rewards it is gamma^m.":
            _n_step_variant(args, exponent_always_n=True),
        "The rewards are discounted one step too much: reward k gets gamma^k, k = 0 .. m-1, so the first "
        "reward is not discounted.":
            _n_step_variant(args, reward_shift=1),
        "The bootstrap always comes from the window's last position: take it from the last transition summed.":
            _n_step_variant(args, bootstrap_from_last=True),
    }
    expect_targets(run(student, case), case, "n_step_targets(...)", lambda v: first_match(v, guesses))


def chain_v_star(states: int, gamma: float) -> np.ndarray:
    """V* of the same chain: gamma^(steps to the rewarded exit)."""
    return gamma ** (states - 1 - np.arange(states))


def check_chain_propagation(student, fast_case: dict[str, Any], slow_case: dict[str, Any]) -> None:
    args = fast_case["args"]
    v_star = chain_v_star(args["states"], args["gamma"])
    reached = {}
    for case in (slow_case, fast_case):
        history = run(student, case)["history"]
        n = case["args"]["n"]
        final = history[-1]
        if not np.allclose(final, v_star, atol=1e-4):
            fail(f"Value iteration on an {args['states']}-state chain with your {n}-step targets should converge "
                 f"to V* = {show(v_star)}; it ended at {show(final)}. In this stream the window continues into "
                 "the next episode after the reward. Possible causes: the positions after a termination are not "
                 "ignored, the bootstrap at a termination is kept, or the discounts are off (the n_step_targets "
                 "tests on small windows name the rule).")
        hits = np.flatnonzero(history[:, 0] >= 0.5 * v_star[0])
        reached[n] = int(hits[0]) + 1 if hits.size else None
    slow_n, fast_n = slow_case["args"]["n"], fast_case["args"]["n"]
    expected_fast = -(-args["states"] // fast_n)
    expect(reached[fast_n] is not None and reached[fast_n] <= expected_fast,
           f"With {fast_n}-step targets, value should reach the start of the {args['states']}-state chain after "
           f"{expected_fast} iterations (the reward travels {fast_n} states per iteration); it took "
           f"{reached[fast_n]}.")
    expect(reached[slow_n] is not None and reached[fast_n] < reached[slow_n],
           f"{fast_n}-step targets should propagate the reward faster than {slow_n}-step ones: "
           f"{reached[fast_n]} vs {reached[slow_n]} iterations.")
