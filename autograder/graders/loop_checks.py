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


def check_transitions(report: dict[str, Any], total_steps: int) -> None:
    adds = report["calls"].get("add", [])
    steps = [entry for entry in report["env_log"] if entry["event"] == "step"]
    expect(len(steps) == total_steps,
           f"With total_steps={total_steps} the loop should call env.step {total_steps} times; it called it {len(steps)} times.")
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
            restart = [next_obs[0] + 1, 0.0]
            if not np.array_equal(obs, restart):
                kind = "a termination" if previous["terminated"] else "a time-limit truncation"
                fail(f"After {kind} at {next_obs.tolist()}, the next transition should start from the reset "
                     f"observation {restart}, but it starts from {obs.tolist()}. Reset the environment when "
                     "terminated or truncated.")


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
    expect(rounds, f"The loop took no gradient step in {config['total_steps']} environment steps "
                   f"(learning_starts={config['learning_starts']}, train_every={config['train_every']}).")
    sizes = {size for _, size in rounds}
    expect(sizes == {config["gradient_steps"]},
           f"Each round should take gradient_steps={config['gradient_steps']} gradient steps; rounds took "
           f"{sorted(sizes)}.")
    expect(abs(len(rounds) - len(expected)) <= 1,
           f"With total_steps={config['total_steps']}, learning_starts={config['learning_starts']} and "
           f"train_every={config['train_every']} there should be {len(expected)} rounds of gradient steps "
           f"(one every {config['train_every']} env steps from step {config['learning_starts']} on); the loop "
           f"ran {len(rounds)}, at env steps {[at for at, _ in rounds][:12]}.")
    gaps = {later - earlier for (earlier, _), (later, _) in zip(rounds, rounds[1:])}
    expect(not gaps or gaps == {config["train_every"]},
           f"Rounds of gradient steps should come every train_every={config['train_every']} env steps; the "
           f"gaps were {sorted(gaps)}.")
    expect(rounds[0][0] >= config["learning_starts"] - 1,
           f"The first gradient step came after {rounds[0][0]} env steps, before learning_starts="
           f"{config['learning_starts']}.")
    samples = report["calls"].get("sample", [])
    expect(len(samples) == sum(size for _, size in rounds) and all(s["batch_size"] == config["batch_size"] for s in samples),
           f"Each gradient step should sample one batch of batch_size={config['batch_size']}; the loop sampled "
           f"{len(samples)} batches for {sum(size for _, size in rounds)} steps.")
    updates = report["calls"].get("update", [])
    expect(all(update["rows"] == config["batch_size"] for update in updates),
           "update_q_network should get the sampled batch's observations (batch_size rows).")


def check_target_schedule(report: dict[str, Any], config: dict[str, Any]) -> None:
    hard = [entry["at"] for entry in report["calls"].get("hard_update", [])]
    polyak = report["calls"].get("polyak_update", [])
    updates = report["calls"].get("update", [])
    if any(entry.get("same") for entry in report["calls"].get("hard_update", []) + polyak):
        fail("The target network update was called with the same network twice: pass (target_network, q_network).")
    if config["target_update"] == "hard":
        expect(not polyak, "With target_update='hard' the loop should not call polyak_update.")
        every = config["target_update_every"]
        expected = config["total_steps"] // every
        expect(abs(len(hard) - expected) <= 1,
               f"With target_update_every={every} and total_steps={config['total_steps']} the loop should call "
               f"hard_update about {expected} times; it called it {len(hard)} times.")
        gaps = {later - earlier for earlier, later in zip(hard, hard[1:])}
        expect(not gaps or gaps == {every},
               f"hard_update should run every {every} env steps; the gaps were {sorted(gaps)}.")
    else:
        expect(not hard, "With target_update='polyak' the loop should not call hard_update.")
        expect(len(polyak) == len(updates),
               f"With target_update='polyak' the target should be averaged after every gradient step: "
               f"{len(updates)} gradient steps, {len(polyak)} polyak_update calls.")
        taus = {entry["tau"] for entry in polyak}
        expect(taus <= {config["tau"]}, f"polyak_update should get tau={config['tau']}; it got {sorted(taus)}.")


def check_epsilon_and_actions(report: dict[str, Any]) -> None:
    calls = report["calls"].get("epsilon_greedy", [])
    steps = [entry for entry in report["env_log"] if entry["event"] == "step"]
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
               f"Action {index}: epsilon_greedy returned {expected_action} but env.step got {step['action']}.")
