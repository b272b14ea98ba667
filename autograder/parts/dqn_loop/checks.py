"""Checks on what the student's training loop did, from the recording probe.

The probe replaces every function the loop imports with a stand-in that records its
calls (with ``at``: how many environment steps had been taken), and runs the loop on an
environment whose observation is [episode, t]: even episodes terminate after 6 steps, odd
ones are truncated by a time limit after 4. So every stored transition can be checked
against what the environment really did.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from autograder.graders.support import expect, fail


def _ended(obs: np.ndarray) -> tuple[bool, bool]:
    episode, t = int(obs[0]), int(obs[1])
    return episode % 2 == 0 and t + 1 == 6, episode % 2 == 1 and t + 1 == 4


def env_steps(report: dict[str, Any], total_steps: int) -> list[dict[str, Any]]:
    """The loop's env.step calls, after checking that it made ``total_steps`` of them: what it
    did at each step is only worth checking if it stepped the environment at all."""
    steps = [entry for entry in report["env_log"] if entry["event"] == "step"]
    expect(len(steps) == total_steps,
           f"With total_steps={total_steps} the loop should call env.step {total_steps} times; it called it {len(steps)} times.")
    return steps


def check_transitions(report: dict[str, Any], total_steps: int) -> None:
    adds = report["calls"].get("add", [])
    steps = env_steps(report, total_steps)
    expect(len(adds) == len(steps),
           f"The loop took {len(steps)} environment steps but stored {len(adds)} transitions: store every "
           "transition, once, right after env.step.")
    for index, (add, step) in enumerate(zip(adds, steps)):
        obs, next_obs = np.asarray(add["obs"]), np.asarray(add["next_obs"])
        if obs.shape != (2,) or next_obs.shape != (2,):
            fail(f"Stored transition {index} has obs of shape {list(obs.shape)} and next_obs of shape "
                 f"{list(next_obs.shape)}; the environment's observations have shape [2].")
        if not np.array_equal(next_obs, obs + np.array([0.0, 1.0])):
            fail(f"Stored transition {index} goes from obs {obs.tolist()} to next_obs {next_obs.tolist()}, but "
                 f"the environment went from {obs.tolist()} to {(obs + [0, 1]).tolist()}. Store (obs, action, reward, "
                 "next_obs, ...) with obs the state the action was taken in and next_obs what env.step returned.")
        if add["action"] != step["action"]:
            fail(f"Stored transition {index} has action {add['action']}, but the environment was stepped with "
                 f"action {step['action']}.")
        expected_reward = 100 * obs[0] + obs[1] + 1
        if not np.isclose(add["reward"], expected_reward):
            fail(f"Stored transition {index} has reward {add['reward']}; env.step returned {expected_reward:g}.")
        terminated, truncated = _ended(obs)
        if bool(add["terminated"]) != terminated or bool(add["truncated"]) != truncated:
            hint = ""
            if truncated and add["terminated"]:
                hint = (" A time limit (truncated) was stored as terminated: pass env.step's terminated and "
                        "truncated to buffer.add as they are.")
            fail(f"Stored transition {index} (obs {obs.tolist()}) has terminated={add['terminated']}, "
                 f"truncated={add['truncated']}; the environment returned terminated={terminated}, "
                 f"truncated={truncated}.{hint}")


def check_episode_chaining(report: dict[str, Any]) -> None:
    adds = report["calls"].get("add", [])
    expect(adds, "The loop stored no transitions.")
    first = np.asarray(adds[0]["obs"])
    expect(np.array_equal(first, [0.0, 0.0]),
           f"The first stored transition starts from {first.tolist()}, not from the observation env.reset() returned ([0, 0]).")
    # (env steps taken when reset was called, episode number it started): reset() returns [episode, 0].
    resets = [(entry["at"], entry["episode"]) for entry in report["env_log"] if entry["event"] == "reset"]
    for index in range(len(adds) - 1):
        previous, current = adds[index], adds[index + 1]
        next_obs, obs = np.asarray(previous["next_obs"]), np.asarray(current["obs"])
        ended = previous["terminated"] or previous["truncated"]
        if not ended and not np.array_equal(obs, next_obs):
            hint = ""
            if np.array_equal(obs, np.asarray(previous["obs"])):
                hint = " The observation never advances: set obs = next_obs after storing the transition."
            fail(f"Transition {index + 1} starts from {obs.tolist()}, but the previous one ended in {next_obs.tolist()} "
                 f"and the episode went on.{hint}")
        if ended:
            kind = "a termination" if previous["terminated"] else "a time-limit truncation"
            # The resets between the two env.step calls; resetting more than once there is harmless.
            between = [episode for at, episode in resets if previous["at"] <= at < current["at"]]
            if not between:
                fail(f"After {kind} at {next_obs.tolist()}, the environment was not reset: the next transition "
                     f"starts from {obs.tolist()}. Reset the environment when terminated or truncated.")
            restart = [float(between[-1]), 0.0]
            if not np.array_equal(obs, restart):
                fail(f"After {kind} at {next_obs.tolist()}, the environment was reset, but the next transition "
                     f"starts from {obs.tolist()} instead of the observation env.reset() returned, {restart}: "
                     "set obs from what env.reset() returns.")


def gradient_rounds(report: dict[str, Any]) -> list[tuple[int, int]]:
    """(env steps taken, gradient steps taken then) for each round, in order."""
    counts = Counter(entry["at"] for entry in report["calls"].get("update", []))
    return sorted(counts.items())


def expected_rounds(config: dict[str, Any]) -> list[int]:
    """Env-step counts c at which a round is due: c >= learning_starts and c % train_every == 0."""
    return [count for count in range(1, config["total_steps"] + 1)
            if count >= config["learning_starts"] and count % config["train_every"] == 0]


def check_gradient_schedule(report: dict[str, Any], config: dict[str, Any]) -> None:
    rounds = gradient_rounds(report)
    expected = expected_rounds(config)
    every, size = config["train_every"], config["gradient_steps"]
    expect(rounds, f"The loop took no gradient step in {config['total_steps']} environment steps "
                   f"(learning_starts={config['learning_starts']}, train_every={every}).")
    sizes = {steps for _, steps in rounds}
    hint = ""
    if sizes == {1} and size > 1:
        hint = (" Each round should loop for _ in range(config.gradient_steps) around sampling, targets and "
                "update_q_network.")
    expect(sizes == {size},
           f"Each round should take gradient_steps={size} gradient steps; rounds took {sorted(sizes)}.{hint}")
    gaps = {later - earlier for (earlier, _), (later, _) in zip(rounds, rounds[1:])}
    hint = ""
    if gaps == {1} and every > 1:
        hint = (" The loop trains after every environment step: run a round only when "
                "(step + 1) % train_every == 0.")
    expect(abs(len(rounds) - len(expected)) <= 1,
           f"With total_steps={config['total_steps']}, learning_starts={config['learning_starts']} and "
           f"train_every={every} there should be {len(expected)} rounds of gradient steps "
           f"(one every {every} env steps from step {config['learning_starts']} on); the loop "
           f"ran {len(rounds)}, at env steps {[at for at, _ in rounds][:12]}.{hint}")
    expect(not gaps or gaps == {every},
           f"Rounds of gradient steps should come every train_every={every} env steps; the "
           f"gaps were {sorted(gaps)}.{hint}")
    expect(rounds[0][0] >= config["learning_starts"] - 1,
           f"The first gradient step came after {rounds[0][0]} env steps, before learning_starts="
           f"{config['learning_starts']}.")
    samples = report["calls"].get("sample", [])
    steps = sum(steps for _, steps in rounds)
    hint = ""
    if len(samples) == len(rounds) and size > 1:
        hint = (" One batch per round was sampled and reused: sample a fresh batch for every gradient step "
                "(inside the loop over gradient_steps).")
    expect(len(samples) == steps and all(s["batch_size"] == config["batch_size"] for s in samples),
           f"Each gradient step should sample one batch of batch_size={config['batch_size']}; the loop sampled "
           f"{len(samples)} batches for {steps} steps.{hint}")
    updates = report["calls"].get("update", [])
    expect(all(update["rows"] == config["batch_size"] for update in updates),
           "update_q_network should get the sampled batch's observations (batch_size rows).")
    _check_reported_gradient_steps(report, rounds)


def _check_reported_gradient_steps(report: dict[str, Any], rounds: list[tuple[int, int]]) -> None:
    """TrainResult.gradient_steps is the number of gradient steps taken (update_q_network calls)."""
    taken = len(report["calls"].get("update", []))
    counted = report.get("result", {}).get("gradient_steps")
    if type(counted) is int and counted == taken:
        return
    if type(counted) is not int:
        fail(f"train returned a TrainResult whose gradient_steps is {counted!r}; it should be the number of "
             f"gradient steps taken, an int ({taken} here: update_q_network was called {taken} times).")
    hint = ""
    if counted == 0:
        hint = " It stayed at 0: add 1 to result.gradient_steps after each gradient step."
    elif counted == len(rounds) and len(rounds) != taken:
        hint = (f" It equals the number of rounds ({len(rounds)}): count every gradient step of a round, "
                "not the round.")
    elif counted % taken == 0:
        hint = f" It is {counted // taken} times the steps taken: add 1 per gradient step."
    fail(f"train returned TrainResult.gradient_steps={counted}, but the loop took {taken} gradient steps "
         f"(update_q_network was called {taken} times in {len(rounds)} rounds).{hint}")


def _check_target_arguments(report: dict[str, Any]) -> None:
    """hard_update and polyak_update get (target_network, online_network), in that order."""
    online = {entry.get("network") for entry in report["calls"].get("update", [])}
    for name in ("hard_update", "polyak_update"):
        for entry in report["calls"].get(name, []):
            if entry.get("target") == entry.get("online"):
                fail(f"{name} was called with the same network twice: pass (target_network, q_network).")
            if online and entry.get("target") in online:
                fail(f"{name} was given the network that update_q_network trains as its first argument, the "
                     f"one it changes. Either its arguments are swapped (it is {name}(target_network, "
                     "q_network)) or update_q_network was given the target network instead of q_network.")


def counts_from_zero(report: dict[str, Any], config: dict[str, Any]) -> bool:
    """Whether every round of gradient steps came exactly one env step after the documented ones, as
    when a loop writes its conditions on the 0-based loop index itself (step >= learning_starts,
    step % train_every == 0): a correct loop that counts its steps that way throughout."""
    rounds = [at for at, _ in gradient_rounds(report)]
    shifted = [count + 1 for count in expected_rounds(config) if count < config["total_steps"]]
    return bool(rounds) and rounds == shifted


def _check_hard_update_steps(hard: list[int], report: dict[str, Any], config: dict[str, Any]) -> None:
    """The copies come after env steps k, 2k, ... (k = target_update_every), the documented
    (step + 1) % k == 0; a copy before the first step changes nothing and is allowed. A loop
    whose gradient rounds all come one step later (it counts from 0 throughout) may copy one
    step later too."""
    every, total = config["target_update_every"], config["total_steps"]
    shifted = counts_from_zero(report, config)
    allowed = {0, 1 % every} if shifted else {0}
    off = [at for at in hard if at % every not in allowed]
    if not off:
        return
    expected = list(range(every, total + 1, every))
    residues = {at % every for at in hard}
    hint = ""
    if residues == {1 % every} and not shifted:
        hint = (" Every copy came one env step after a multiple of target_update_every, but the rounds of "
                "gradient steps did not: the copy's condition counts the 0-based loop index (step % "
                "target_update_every == 0) while the rest of the loop counts env steps taken (step + 1).")
    elif len(residues) == 1:
        (residue,) = residues
        hint = (f" Every copy came {residue} env step(s) after a multiple of {every} (or {every - residue} "
                "before the next): check the offset in the condition.")
    fail(f"hard_update should run after env steps {expected[:8]} (every target_update_every={every} env steps: "
         f"(step + 1) % target_update_every == 0 with step the 0-based loop index); it ran after env steps "
         f"{hard[:8]}.{hint}")


def check_target_schedule(report: dict[str, Any], config: dict[str, Any]) -> None:
    hard = [entry["at"] for entry in report["calls"].get("hard_update", [])]
    polyak = report["calls"].get("polyak_update", [])
    updates = report["calls"].get("update", [])
    _check_target_arguments(report)
    if config["target_update"] == "hard":
        expect(not polyak, "With target_update='hard' the loop should not call polyak_update: call it only "
                           "when config.target_update == 'polyak'.")
        every = config["target_update_every"]
        expected = config["total_steps"] // every
        hint = ""
        if every > 1 and hard == [entry["at"] for entry in updates]:
            hint = (" hard_update ran after every gradient step: it belongs outside the gradient-step loop, "
                    "once every target_update_every env steps ((step + 1) % target_update_every == 0).")
        elif every > 1 and len(hard) == config["total_steps"]:
            hint = (" hard_update ran at every environment step: copy only when "
                    "(step + 1) % target_update_every == 0.")
        elif hard and hard == [entry["at"] for count, entry in enumerate(updates, start=1) if count % every == 0]:
            hint = (" target_update_every was counted in gradient steps: it is counted in environment steps, "
                    "whatever train_every and gradient_steps are.")
        expect(abs(len(hard) - expected) <= 1,
               f"With target_update_every={every} and total_steps={config['total_steps']} the loop should call "
               f"hard_update about {expected} times; it called it {len(hard)} times.{hint}")
        gaps = {later - earlier for earlier, later in zip(hard, hard[1:])}
        expect(not gaps or gaps == {every},
               f"hard_update should run every {every} env steps; the gaps were {sorted(gaps)}.{hint}")
        _check_hard_update_steps(hard, report, config)
    else:
        expect(not hard, "With target_update='polyak' the loop should not call hard_update: call it only "
                         "when config.target_update == 'hard'.")
        expect(updates, f"The loop took no gradient step in {config['total_steps']} environment steps, so no "
                        "Polyak update was due: there was no target update to check.")
        hint = ""
        if len(polyak) == len(gradient_rounds(report)) and config["gradient_steps"] > 1:
            hint = (" polyak_update ran once per round: call it after each gradient step, inside the loop "
                    "over gradient_steps.")
        expect(len(polyak) == len(updates),
               f"With target_update='polyak' the target should be averaged after every gradient step: "
               f"{len(updates)} gradient steps, {len(polyak)} polyak_update calls.{hint}")
        taus = {entry["tau"] for entry in polyak}
        hint = ""
        if taus and all(np.isclose(tau, 1 - config["tau"]) for tau in taus):
            hint = (" It looks like 1 - tau was passed: tau is the weight on the online network (the slides' "
                    "1 - tau), so pass config.tau as it is.")
        expect(taus <= {config["tau"]}, f"polyak_update should get tau={config['tau']}; it got {sorted(taus)}.{hint}")


# update_q_network's defaults: a loop that leaves an argument out hands over these.
UPDATE_DEFAULTS = {"loss": "huber", "huber_delta": 1.0, "max_grad_norm": 10.0}


def check_settings(report: dict[str, Any], config: dict[str, Any]) -> None:
    """The loop hands config.double_q and config.gamma to the targets, and config.loss,
    config.huber_delta and config.max_grad_norm to update_q_network, on every gradient step."""
    updates = report["calls"].get("update", [])
    expect(updates, f"The loop took no gradient step in {config['total_steps']} environment steps, so no "
                    "settings reached update_q_network: there was nothing to check.")
    wanted, other = "dqn_targets", "double_dqn_targets"
    if config["double_q"]:
        wanted, other = other, wanted
    chosen, avoided = report["calls"].get(wanted, []), report["calls"].get(other, [])
    if avoided or not chosen:
        used = f"with {other} ({len(avoided)} calls)" if avoided else "with neither dqn_targets nor double_dqn_targets"
        fail(f"With config.double_q={config['double_q']} the targets come from {wanted}; the loop computed them "
             f"{used} and called {wanted} {len(chosen)} times. Pass config.double_q on "
             "(compute_targets(..., config.gamma, config.double_q)).")
    expect(len(chosen) == len(updates),
           f"Each gradient step should compute its targets once, with {wanted}: {len(updates)} gradient steps, "
           f"{len(chosen)} {wanted} calls.")
    _expect_passed(wanted, "gamma", [call["gamma"] for call in chosen], config["gamma"], default=None)
    for name, default in UPDATE_DEFAULTS.items():
        _expect_passed("update_q_network", name, [call[name] for call in updates], config[name], default)


def _same(value: Any, wanted: Any) -> bool:
    """Equal, numbers to float32 precision (a setting may pass through a numpy or torch scalar)."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return False
        value = value.item()

    def number(item: Any) -> bool:
        return isinstance(item, (int, float)) and not isinstance(item, bool)

    if number(value) and number(wanted):
        return bool(np.isclose(value, wanted, rtol=1e-6, atol=0.0))
    return value == wanted


def _expect_passed(function: str, name: str, seen: list, wanted: Any, default: Any) -> None:
    wrong = []
    for value in seen:
        if not _same(value, wanted) and not any(_same(value, other) for other in wrong):
            wrong.append(value)
    if not wrong:
        return
    got = ", ".join(f"{name}={value!r}" for value in wrong[:3])
    note = ""
    if default is not None and len(wrong) == 1 and _same(wrong[0], default):
        note = f" ({default!r} is {function}'s default, what it gets when the argument is left out)"
    fail(f"{function} was called with {got} although config.{name}={wanted!r}{note}. Pass config.{name} on "
         "instead of a fixed value.")


def check_epsilon_and_actions(report: dict[str, Any], total_steps: int) -> None:
    calls = report["calls"].get("epsilon_greedy", [])
    steps = env_steps(report, total_steps)
    expect(len(calls) == len(steps),
           f"The loop should pick each of its {len(steps)} actions with epsilon_greedy; it called it {len(calls)} times.")
    for index, (call, step) in enumerate(zip(calls, steps)):
        expect(call["rows"] == 1, "epsilon_greedy should get the Q-values of one observation, shape [1, A].")
        # The stand-in schedule returns step * 1e-6, so epsilon names the step it was computed for.
        lag = round(call["at"] - call["epsilon"] * 1e6)
        expect(abs(lag) <= 1,
               f"Action {index} was chosen with the epsilon of step {call['epsilon'] * 1e6:.0f} although "
               f"{call['at']} steps had been taken: compute epsilon with linear_schedule at the current step.")
        expected_action = (index + 1) % 2
        expect(step["action"] == expected_action,
               f"Action {index}: epsilon_greedy returned {expected_action} but env.step got {step['action']}: "
               "step the environment with the action epsilon_greedy chose.")


# -- learning (the check itself, shared with three other parts, is autograder/graders/learning.py) --
CARTPOLE_ADVICE = ("Make the other parts' tests pass first; then check the loop (targets from the target network, "
                   "epsilon decaying, training after learning_starts).")
