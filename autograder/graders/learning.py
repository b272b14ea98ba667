"""The learning check shared by parts dqn_loop, sampled_q, naf and ddpg: the student's whole
agent, trained with the course's config, must solve the task."""
from __future__ import annotations

from typing import Any

from autograder.graders import policies
from autograder.graders.support import fail


def learning_run(case: dict[str, Any], seed: int) -> tuple[str, dict[str, Any], float]:
    """(probe, arguments, timeout) of the learning case's training run with ``seed``: what
    :func:`check_solves` asks for, and what the grading may start before it is asked."""
    args = case["args"]
    return case["probe"], {"config": dict(args["config"], seed=seed)}, args["timeout"]


def check_solves(student, case: dict[str, Any], config_name: str, algorithm: str, advice: str) -> None:
    """The student's whole ``algorithm``, trained by the case's probe (``<part>.learn``) with
    the course's config (a flat ``config_name``), must give a network whose greedy policy,
    measured by the grader on its own environments (``policies.greedy_return``), reaches the
    config's ``solved_return`` on at least one of the listed seeds, each tried only if the
    previous failed. ``advice`` ends the failure message: what to look at first."""
    args = case["args"]
    config, seeds = args["config"], args["seeds"]
    part = case["probe"].partition(".")[0]
    tried = []
    for seed in seeds:
        result, seconds = student.learn(*learning_run(case, seed))
        measured = policies.greedy_return(part, config, seed, result.get("state") if isinstance(result, dict) else None)
        if measured >= config["solved_return"]:
            return
        tried.append(f"seed {seed}: {measured:.0f} after {seconds:.0f} s of training")
    fail(f"With the course's {config_name}, your {algorithm}'s trained network did not reach a mean greedy return "
         f"of {config['solved_return']:g} on {config['env_id']} within {config['total_steps']} steps on any of "
         f"the seeds tried (the grader ran each network's greedy policy for {config['eval_episodes']} episodes: "
         f"{'; '.join(tried)}). The reference's per-seed success rate is {args['reference_rate']}, "
         f"so failing on all of them is very unlikely for a correct implementation. {advice}")
