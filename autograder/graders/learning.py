"""The learning check shared by parts dqn_loop, sampled_q, naf, ddpg, dueling and pixels: the
student's whole agent (for dueling, the student's DQN with the student's dueling network; for
pixels, the student's pixel pieces in the kit's pixel DQN loop), trained with the course's
config, must solve the task."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograder.graders import policies
from autograder.graders.support import Failure, fail


def needs_working(student, prerequisites: Sequence[tuple[Callable[[Any, dict[str, Any]], None], dict[str, Any]]],
                  what: str) -> None:
    """The points of a learning check are for ``what`` learning, so they need it to compute
    what it should first: each (check, case) of ``prerequisites`` (the part's own numeric
    checks) must pass. Without this, a network that is not the student's work (weights set by
    hand, or a training function replaced on import) could earn them with the part's functions
    not written at all."""
    for check, case in prerequisites:
        try:
            check(student, case)
        except Failure as failure:
            fail(f"Not trained: this check's points are for {what} learning, so it first needs the part's functions "
                 f"to compute what they should, and one does not yet: {failure}")


def learning_run(case: dict[str, Any], seed: int) -> tuple[str, dict[str, Any], float]:
    """(probe, arguments, timeout) of the learning case's training run with ``seed``: what
    :func:`check_solves` asks for, and what the grading may start before it is asked."""
    args = case["args"]
    return (case["probe"], {"config": dict(args["config"], seed=seed), "milestones": args.get("milestones", [])},
            args["timeout"])


def check_solves(student, case: dict[str, Any], config_name: str, algorithm: str, advice: str) -> None:
    """The student's whole ``algorithm``, trained by the case's probe (``<part>.learn``) with
    the course's config (a flat ``config_name``), must give a network whose greedy policy,
    measured by the grader on its own environments (``policies.greedy_return``), reaches the
    config's ``solved_return`` on at least one of the listed seeds, each tried only if the
    previous failed. A run below one of the case's ``milestones`` ([steps, return] pairs the
    reference reaches on nearly every seed) is stopped there by the worker
    (``autograder/probes/_training.py``); the grader measures what comes back all the same.
    ``advice`` ends the failure message: what to look at first."""
    args = case["args"]
    config, seeds = args["config"], args["seeds"]
    part = case["probe"].partition(".")[0]
    tried, stopped = [], False
    for seed in seeds:
        result, seconds = student.learn(*learning_run(case, seed))
        state = result.get("state") if isinstance(result, dict) else None
        measured = policies.greedy_return(part, config, seed, state)
        if measured >= config["solved_return"]:
            return
        ending, at_milestone = _how_it_ended(result, measured, args, seconds)
        tried.append(f"seed {seed}: {measured:.0f}{ending}")
        stopped = stopped or at_milestone
    fail(f"With the course's {config_name}, your {algorithm}'s trained network did not reach a mean greedy return "
         f"of {config['solved_return']:g} on {config['env_id']} within {config['total_steps']} steps on any of "
         f"the seeds tried (the grader ran each network's greedy policy for {config['eval_episodes']} episodes: "
         f"{'; '.join(tried)}). The reference's per-seed success rate is {args['reference_rate']}"
         + (f", and it passes each milestone on {args['milestone_rate']}" if stopped else "")
         + f", so failing on all of them is very unlikely for a correct implementation. {advice}")


def _how_it_ended(result: Any, measured: float, args: dict[str, Any], seconds: float) -> tuple[str, bool]:
    """How a seed's run ended, for the failure message, and whether at a milestone: one the
    grader confirmed (its own measure of the returned network is below that milestone)."""
    stopped_at = result.get("stopped_at") if isinstance(result, dict) else None
    minimum = {int(step): float(value) for step, value in args.get("milestones", [])}.get(stopped_at) \
        if type(stopped_at) is int else None
    if minimum is not None and measured < minimum:
        return (f" after {stopped_at} steps, where the reference already reaches {minimum:g}, so training was "
                f"stopped there ({seconds:.0f} s)"), True
    return f" after {seconds:.0f} s of training", False
