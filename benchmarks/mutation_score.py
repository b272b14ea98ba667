"""How well the grader catches bugs nobody picked by hand: a mutation score per part.

    python benchmarks/mutation_score.py [--parts P ...] [--no-learning] [--all-operators]
    python benchmarks/mutation_score.py --learning-on-survivors [--parts P ...]
    python benchmarks/mutation_score.py --rules [--parts P ...]
    python benchmarks/mutation_score.py --report-only

Install cosmic-ray first (``pip install -r benchmarks/requirements.txt``), and run it from
the repository root, niced on a shared machine: every mutant is one grading.

For each part, a mutation-testing tool makes many small edits ("mutants") to the reference
``solutions/<part>.py`` (``+`` becomes ``-``, ``<`` becomes ``<=``, a number grows by one,
...). Each mutant is graded as a submission with the kit's own grader; it is *killed* if it
scores below full marks and *survives* otherwise. Only mutants inside the
``### BEGIN SOLUTION`` ... ``### END SOLUTION`` blocks count: the rest of the file is
provided code that students do not write, so those mutants are skipped (and counted).

Grading runs in two stages: first the deterministic tests; then, for the mutants that
survive them in a part with learning checks (the tests that train a whole agent through
``check_solves``), those learning checks, which take up to minutes each. ``--no-learning``
skips the second stage.

Some survivors behave exactly like the reference (*equivalent* mutants): no test can kill
them. ``EQUIVALENT`` below gives each a reason, ``GAPS`` says for each other survivor which
bug it is and which test should catch it; both are keyed by a description of the mutant
that does not depend on the order the tool numbers mutants in, so re-runs keep them. The
raw outcomes go to ``benchmarks/mutation_results.json`` (one entry per part, replaced when
that part is run again), and ``benchmarks/mutation_score.md`` is written from them.
``--learning-on-survivors`` adds the learning stage to an earlier ``--no-learning`` run.

``--rules`` probes two rules that mutants of operators cannot: (i) every setting a student
function takes changes the verdict of some test (each is frozen in turn at its first value:
``frozen_variants``), and (ii) the statistical checks of batched random outputs test the
batch jointly, not only pooled marginals (``JOINT_BUGS``: samplers whose single draws are
right but whose rows, samples or dimensions are coupled).

Why cosmic-ray (pinned in ``benchmarks/requirements.txt``) and not mutmut: the grader runs
student code in a worker process of its own, started with ``python -I`` and an environment
the sandbox sets. mutmut 3 rewrites every function of a copy of the source tree into a
trampoline that reads the mutant to run from the environment variable ``MUTANT_UNDER_TEST``
and maps tests to functions by recording calls inside its own pytest process: in our worker
the variable is absent (every mutant would crash, and count as killed) and no call is
recorded. mutmut 2 (its last release 2.5.1) took a runner command but mutates the source
files in place. cosmic-ray takes a single module path and an arbitrary test command, names each
mutant by operator, occurrence and source position, and applies one at a time, restoring
the file after (``use_mutation``). The file it mutates here is a copy inside a temporary
submission folder, so ``solutions/`` is never touched; and instead of a test command (a new
Python per mutant) the script grades each mutant in its own process, in a fresh worker of
the kit's sandbox exactly as the grader does, since that worker's start-up already
dominates each grading.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import io
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.parts import PARTS, part_named  # noqa: E402

RESULTS = REPO / "benchmarks" / "mutation_results.json"
REPORT = REPO / "benchmarks" / "mutation_score.md"
# The parts without a learning run first: their mutants grade in seconds.
FAST_FIRST = tuple(part.name for part in sorted(PARTS, key=lambda part: part.learning is not None))
NATURAL_REPLACEMENT = {"Add": "Sub", "Sub": "Add", "Mul": "Div", "Div": "Mul", "FloorDiv": "Div", "Mod": "FloorDiv",
                       "Pow": "Mul", "Lt": "LtE", "LtE": "Lt", "Gt": "GtE", "GtE": "Gt", "Eq": "NotEq",
                       "NotEq": "Eq", "Is": "IsNot", "IsNot": "Is"}
"""cosmic-ray replaces each binary operator by each of eleven others and each comparison by
each of seven others. By default only the replacement above is made for each (mutmut's
convention: ``+`` by ``-``, ``<`` by ``<=``, ...); every other operator of cosmic-ray is used
in full. The other replacements (``+`` by ``%``, ``|``, ``<<``, ...) mostly raise at the first
call on float tensors, so they only show that the code runs, and they would triple the run:
each mutant costs a fresh worker, whose Python and torch start-up dominates a grading.
``--all-operators`` makes them all."""


def default_operator(operator: str) -> bool:
    """Whether ``operator`` (cosmic-ray's name without ``core/``) is in the default set."""
    for family in ("ReplaceBinaryOperator_", "ReplaceComparisonOperator_"):
        if operator.startswith(family):
            original, replacement = operator.removeprefix(family).split("_")
            return NATURAL_REPLACEMENT.get(original) == replacement
    return True


# -- which lines count ----------------------------------------------------------------------
def solution_lines(source: str) -> set[int]:
    """Line numbers (1-based) strictly between a ``### BEGIN SOLUTION`` and its ``### END SOLUTION``."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def learning_tests(part_name: str) -> list[str]:
    """Names of the part's grader tests that train a whole agent (they call ``check_solves``)."""
    part = part_named(part_name)
    names = []
    for visibility in ("public", "hidden"):
        path = part.tests(visibility)
        if not path.exists():
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and any(
                    isinstance(call, ast.Call) and "check_solves" in ast.unparse(call.func)
                    for call in ast.walk(node)):
                names.append(node.name)
    return names


def stage_keyword(part_name: str, stage: str) -> list[str]:
    """The ``-k`` option selecting a stage's tests (none: all of them)."""
    names = learning_tests(part_name)
    if not names:
        return []
    either = " or ".join(names)
    return ["-k", f"not ({either})" if stage == "deterministic" else either]


# -- mutants --------------------------------------------------------------------------------
@dataclass
class Mutant:
    key: str
    """Stable description: function, operator, the original line and the column in it."""
    line: int
    function: str
    operator: str
    before: str
    after: str
    outcome: str = "pending"
    """"killed", "survived", "survived-deterministic" (learning checks not run), "skipped" (in
    provided code) or "not-run" (not in the default operator set); only the mutants graded
    (the first three) are written to the results file."""
    stage: str = ""
    """The stage that killed it: "deterministic" or "learning"."""
    failed: str = ""
    """The first test that lost points on it (for killed mutants)."""


def enumerate_mutants(module: Path, database: Path):
    """(mutation spec, Mutant) for every mutant cosmic-ray makes of ``module``, in its order."""
    from cosmic_ray.commands import init
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator
    from cosmic_ray.work_db import WorkDB, use_db

    source = module.read_text(encoding="utf-8")
    source_lines = source.splitlines()
    with use_db(str(database), WorkDB.Mode.create) as work_db:
        init([module], work_db, {})
        items = list(work_db.work_items)
    pairs = []
    for item in items:
        (spec,) = item.mutations
        row, column = spec.start_pos
        original = source_lines[row - 1]
        mutated_source = mutate_code(source, get_operator(spec.operator_name)(**spec.operator_args), spec.occurrence)
        changed = [line for line in difflib.ndiff(source_lines, (mutated_source or source).splitlines())
                   if line.startswith("+ ")]
        after = changed[0][2:].strip() if changed else "(no change)"
        indent = len(original) - len(original.lstrip())
        operator = spec.operator_name.removeprefix("core/")
        key = f"{spec.definition_name or '<module>'}: {operator} at `{original.strip()}`:{column - indent}"
        pairs.append((spec, Mutant(key=key, line=row, function=spec.definition_name or "", operator=operator,
                                   before=original.strip(), after=after)))
    # One operator can make several mutants at one place (a number grows or shrinks by one):
    # the mutated line tells them apart; a line repeated within a function, its rank.
    shared = Counter(mutant.key for _, mutant in pairs)
    for _, mutant in pairs:
        if shared[mutant.key] > 1:
            mutant.key += f" -> `{mutant.after}`"
    seen: Counter = Counter()
    for _, mutant in pairs:
        seen[mutant.key] += 1
        if seen[mutant.key] > 1:
            mutant.key += f"#{seen[mutant.key]}"
    return pairs


def run_part(part_name: str, learning: bool, all_operators: bool, log) -> dict:
    """Grade every mutant of one part; return its entry for the results file."""
    from cosmic_ray.mutating import use_mutation
    from cosmic_ray.plugins import get_operator

    reference = REPO / "solutions" / f"{part_name}.py"
    block_lines = solution_lines(reference.read_text(encoding="utf-8"))
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dq-mutants-") as scratch:
        folder = Path(scratch) / "submission"
        folder.mkdir()
        # Every part's reference module: dqn_loop imports the others, and the rest ignore them.
        for part in PARTS:
            shutil.copyfile(REPO / "solutions" / part.filename, folder / part.filename)
        module = folder / f"{part_name}.py"
        pairs = list(enumerate_mutants(module, Path(scratch) / "mutants.sqlite"))
        stages = ["deterministic"] + (["learning"] if learning and learning_tests(part_name) else [])
        for stage in stages:  # the unmutated reference must score full marks, or nothing below means anything
            failed = lost_points(folder, part_name, stage)
            if failed:
                raise SystemExit(f"{part_name}: the reference loses points in the {stage} stage: {failed}")
        counted = []
        for spec, mutant in pairs:
            if mutant.line not in block_lines:
                mutant.outcome = "skipped"
            elif not all_operators and not default_operator(mutant.operator):
                mutant.outcome = "not-run"
            else:
                counted.append((spec, mutant))
        for number, (spec, mutant) in enumerate(counted, start=1):
            operator = get_operator(spec.operator_name)(**spec.operator_args)
            with use_mutation(module, operator, spec.occurrence):
                for stage in stages:
                    failed = lost_points(folder, part_name, stage)
                    if failed:
                        mutant.outcome, mutant.stage, mutant.failed = "killed", stage, failed
                        break
                else:
                    learning_pending = bool(learning_tests(part_name)) and "learning" not in stages
                    mutant.outcome = "survived-deterministic" if learning_pending else "survived"
            log(f"{part_name} {number}/{len(counted)} line {mutant.line} {mutant.operator}: {mutant.outcome}"
                f" {mutant.stage}")
    return {"part": part_name, "learning_checks_run": "learning" in stages or not learning_tests(part_name),
            "all_operators": all_operators,
            "seconds": round(time.monotonic() - start, 1),
            "skipped": sum(mutant.outcome == "skipped" and (all_operators or default_operator(mutant.operator))
                           for _, mutant in pairs),
            "mutants": [asdict(mutant) for _, mutant in counted]}


def run_learning_on_survivors(entry: dict, log) -> dict:
    """The learning stage for the mutants of a part's earlier ``--no-learning`` run that
    survived its deterministic tests (matched by key, so the tool's numbering may change)."""
    from cosmic_ray.mutating import use_mutation
    from cosmic_ray.plugins import get_operator

    part_name = entry["part"]
    pending = {m["key"]: m for m in entry["mutants"] if m["outcome"] == "survived-deterministic"}
    start = time.monotonic()
    with reference_submission() as folder:
        failed = lost_points(folder, part_name, "learning")
        if failed:
            raise SystemExit(f"{part_name}: the reference fails its learning checks: {failed}")
        module = folder / f"{part_name}.py"
        for spec, mutant in enumerate_mutants(module, folder / "mutants.sqlite"):
            if mutant.key not in pending:
                continue
            with use_mutation(module, get_operator(spec.operator_name)(**spec.operator_args), spec.occurrence):
                failed = lost_points(folder, part_name, "learning")
            recorded = pending.pop(mutant.key)
            if failed:
                recorded.update(outcome="killed", stage="learning", failed=failed)
            else:
                recorded["outcome"] = "survived"
            log(f"{part_name} learning, line {mutant.line} {mutant.operator}: {recorded['outcome']}")
    if pending:
        raise SystemExit(f"{part_name}: no longer among the mutants: {sorted(pending)}")
    entry["learning_checks_run"] = True
    entry["seconds"] = round(entry["seconds"] + time.monotonic() - start, 1)
    return entry


def lost_points(folder: Path, part_name: str, stage: str) -> str:
    """The first test of the stage on which ``folder`` loses points ("" if none does).

    It runs the grader's tests as ``autograder.grading.grade`` does, in a fresh worker of the
    kit's sandbox, but stops at the first test that loses points (``-x``): one is enough to
    kill a mutant. Grading in this process, not through a test command per mutant, saves
    starting Python and importing torch and pytest's plugins once more per mutant. It uses
    the grader's own pytest plugins (``grading._Collector``, ``grading._StudentFixture``),
    so that a mutant is scored exactly as a submission is; if they change, this fails loudly."""
    import pytest

    from autograder import grading
    from autograder.sandbox import Worker

    part = part_named(part_name)
    collector = grading._Collector()
    args = [str(path) for path in grading.grader_files([part], ("public", "hidden"))] + [
        "--rootdir", str(grading.PARTS_DIR), "-c", str(grading.PARTS_DIR / "pytest.ini"),
        "--confcutdir", str(grading.PARTS_DIR), "--import-mode=importlib", "-p", "no:cacheprovider",
        "-p", "no:randomly", "-q", "--no-header", "--tb=no", "-rN", "--color=no", "-x",
        *stage_keyword(part_name, stage)]
    captured = io.StringIO()
    with Worker(folder, [known.name for known in PARTS]) as worker:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            exit_code = pytest.main(args, plugins=[collector, grading._StudentFixture(worker)])
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.INTERRUPTED):
        raise RuntimeError(f"pytest exited with {exit_code!r}:\n{captured.getvalue()[-2000:]}")
    if not collector.results:
        raise RuntimeError(f"no grader test ran for {part_name} ({stage})")
    lost = [test for test in collector.results.values() if test.score < test.max_score]
    return lost[0].name if lost else ""


# -- two general rules, probed with hand-written variants ---------------------------------
@contextlib.contextmanager
def reference_submission():
    """A temporary folder holding every part's reference module."""
    with tempfile.TemporaryDirectory(prefix="dq-probe-") as scratch:
        folder = Path(scratch)
        for part in PARTS:
            shutil.copyfile(REPO / "solutions" / part.filename, folder / part.filename)
        yield folder


DATA_ARGUMENTS = {"torch.Tensor", "nn.Module", "NAFNetwork", "Batch", "QFunction", "torch.optim.Optimizer",
                  "critic", "target_critic"}
"""Annotations (or names, where there is none) of the arguments that carry the data a
function works on: every test varies them, and freezing one only tells that the function runs."""


def student_functions(part_name: str):
    """(function, the settings its solution blocks read: rng, sizes, coefficients, bounds,
    options; not data arguments) for each function with a solution block."""
    source = (REPO / "solutions" / f"{part_name}.py").read_text(encoding="utf-8")
    lines = solution_lines(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(node.lineno <= line <= node.end_lineno for line in lines):
            names = [arg.arg for arg in node.args.args + node.args.kwonlyargs if arg.arg != "self"
                     and (ast.unparse(arg.annotation) if arg.annotation else arg.arg) not in DATA_ARGUMENTS]
            read = [name for name in names if any(isinstance(use, ast.Name) and use.id == name and use.lineno in lines
                                                 for use in ast.walk(node))]
            yield node, read


def frozen_variants(part_name: str):
    """(function, argument, source) where the argument keeps, on every call, the value of its
    first call in the grading (for ``config``, field by field): a student function that ignored
    the argument's later values. If such a variant keeps full marks, no test varies the argument."""
    source = (REPO / "solutions" / f"{part_name}.py").read_text(encoding="utf-8")
    source_lines = source.splitlines()
    lines = solution_lines(source)
    for node, arguments in student_functions(part_name):
        begin = min(line for line in lines if node.lineno <= line <= node.end_lineno) - 1  # its first line, 0-based
        first = source_lines[begin]
        indent = first[:len(first) - len(first.lstrip())]
        for name in arguments:
            if name == "config":
                fields = sorted({use.attr for use in ast.walk(node) if isinstance(use, ast.Attribute)
                                 and isinstance(use.value, ast.Name) and use.value.id == "config"
                                 and use.lineno in lines})
                targets = [(f"config.{field}", f'config = __import__("dataclasses").replace(config, {field}='
                                                f'__import__("builtins").__dict__.setdefault('
                                                f'"frozen {node.name}.config.{field}", config.{field}))')
                           for field in fields]
            else:
                targets = [(name, f'{name} = __import__("builtins").__dict__.setdefault('
                                  f'"frozen {node.name}.{name}", {name})')]
            for label, statement in targets:
                edited = source_lines[:begin] + [indent + statement] + source_lines[begin:]
                yield node.name, label, "\n".join(edited) + "\n"


JOINT_BUGS: dict[str, tuple[str, str, str]] = {
    # name: (part, a line of the reference, the line that replaces it). Each draws every
    # single random value from the right distribution (so pooled marginals look right) but
    # couples the rows, samples or dimensions that should be independent.
    "epsilon-greedy: one exploration coin per call, shared by all rows": (
        "dqn", "explore = rng.random(batch_size) < epsilon",
        "explore = np.full(batch_size, rng.random() < epsilon)"),
    "epsilon-greedy: one random action per call, shared by all exploring rows": (
        "dqn", "random_actions = rng.integers(0, num_actions, size=batch_size)",
        "random_actions = np.full(batch_size, rng.integers(0, num_actions))"),
    "replay sampling: one stored transition repeated across the whole batch": (
        "replay_buffer", "indices = rng.integers(0, self.size, size=batch_size)",
        "indices = np.full(batch_size, rng.integers(0, self.size))"),
    "replay sampling: consecutive transitions from one random start": (
        "replay_buffer", "indices = rng.integers(0, self.size, size=batch_size)",
        "indices = (rng.integers(0, self.size) + np.arange(batch_size)) % self.size"),
    "replay sampling: indices sorted within each batch": (
        "replay_buffer", "indices = rng.integers(0, self.size, size=batch_size)",
        "indices = np.sort(rng.integers(0, self.size, size=batch_size))"),
    "random shooting: one uniform number per sample, shared by all action dimensions (the box's diagonal)": (
        "random_shooting", "uniform = torch.as_tensor(rng.random((batch_size, num_samples, action_dim)), dtype=torch.float32)",
        "uniform = torch.as_tensor(rng.random((batch_size, num_samples, 1)), dtype=torch.float32)"),
    "random shooting: one sample set shared by all observations": (
        "random_shooting", "uniform = torch.as_tensor(rng.random((batch_size, num_samples, action_dim)), dtype=torch.float32)",
        "uniform = torch.as_tensor(rng.random((num_samples, action_dim)), dtype=torch.float32).expand(batch_size, -1, -1)"),
    "CEM: one noise value per sample, shared by all action dimensions": (
        "cem", "noise = torch.as_tensor(rng.standard_normal((batch_size, num_samples, action_dim)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((batch_size, num_samples, 1)), dtype=torch.float32)"),
    "CEM: one noise set shared by all observations": (
        "cem", "noise = torch.as_tensor(rng.standard_normal((batch_size, num_samples, action_dim)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((num_samples, action_dim)), dtype=torch.float32).expand(batch_size, -1, -1)"),
    "DDPG exploration: one noise vector per call, shared by all rows": (
        "ddpg", "noise = torch.as_tensor(rng.standard_normal((batch_size, low.shape[0])), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((1, low.shape[0])), dtype=torch.float32)"),
    "DDPG exploration: one noise value per row, with alternating signs across action dimensions": (
        "ddpg", "noise = torch.as_tensor(rng.standard_normal((batch_size, low.shape[0])), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((batch_size, 1)), dtype=torch.float32).expand(-1, low.shape[0]) * torch.tensor([1.0, -1.0] * low.shape[0])[:low.shape[0]]"),
    "NAF exploration: one noise vector per call, shared by all rows": (
        "naf", "noise = torch.as_tensor(rng.standard_normal(tuple(mu.shape)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal(tuple(mu.shape[-1:])), dtype=torch.float32).expand(mu.shape)"),
    "NAF exploration: one noise value per row, shared by all action dimensions": (
        "naf", "noise = torch.as_tensor(rng.standard_normal(tuple(mu.shape)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((mu.shape[0], 1)), dtype=torch.float32).expand(mu.shape)"),
    "NAF exploration: one noise value per row, with alternating signs across action dimensions": (
        "naf", "noise = torch.as_tensor(rng.standard_normal(tuple(mu.shape)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((mu.shape[0], 1)), dtype=torch.float32) * torch.tensor([1.0, -1.0] * mu.shape[1])[:mu.shape[1]]"),
    "sampled Q exploration: one noise vector per call, shared by all rows": (
        "sampled_q", "noise = torch.as_tensor(rng.standard_normal(tuple(greedy.shape)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal(tuple(greedy.shape[-1:])), dtype=torch.float32).expand(greedy.shape)"),
    "sampled Q exploration: one noise value per row, shared by all action dimensions": (
        "sampled_q", "noise = torch.as_tensor(rng.standard_normal(tuple(greedy.shape)), dtype=torch.float32)",
        "noise = torch.as_tensor(rng.standard_normal((greedy.shape[0], 1)), dtype=torch.float32).expand(greedy.shape)"),
}


def joint_variant(part_name: str, old: str, new: str) -> str:
    source = (REPO / "solutions" / f"{part_name}.py").read_text(encoding="utf-8")
    if source.count(old) != 1:
        raise SystemExit(f"JOINT_BUGS: {old!r} is not exactly once in solutions/{part_name}.py")
    return source.replace(old, new)


def run_rules(parts: list[str], log) -> dict:
    """Grade the frozen-argument variants (rule i) and the joint bugs (rule ii) of ``parts``
    on the deterministic tests; return their entries for the results file."""
    start = time.monotonic()
    arguments, joint = [], []
    with reference_submission() as folder:
        def verdict(part_name: str, source: str) -> str:
            module = folder / f"{part_name}.py"
            try:
                module.write_text(source, encoding="utf-8")
                return lost_points(folder, part_name, "deterministic")
            finally:
                shutil.copyfile(REPO / "solutions" / f"{part_name}.py", module)

        for part_name in parts:
            for function, label, source in frozen_variants(part_name):
                failed = verdict(part_name, source)
                arguments.append({"part": part_name, "function": function, "argument": label, "failed": failed})
                log(f"frozen {part_name}.{function}({label}): {'killed by ' + failed if failed else 'FULL MARKS'}")
        for name, (part_name, old, new) in JOINT_BUGS.items():
            if part_name in parts:
                failed = verdict(part_name, joint_variant(part_name, old, new))
                joint.append({"part": part_name, "bug": name, "line": new, "failed": failed})
                log(f"joint {name}: {'killed by ' + failed if failed else 'FULL MARKS'}")
    return {"arguments": arguments, "joint": joint, "seconds": round(time.monotonic() - start, 1)}


# -- the report -----------------------------------------------------------------------------
def write_report(results: dict[str, dict], path: Path) -> None:
    lines = [
        "# Mutation score of the grader",
        "",
        "Written by `benchmarks/mutation_score.py` (cosmic-ray 8.7.0) from `benchmarks/mutation_results.json`;",
        "do not edit by hand. Operators *all*: every cosmic-ray operator and replacement; *natural*: each binary",
        "and comparison operator replaced by its natural counterpart only (`+` by `-`, `<` by `<=`, ...), all",
        "other operators in full (the default, a third of the run time). Each mutant of `solutions/<part>.py` is",
        "graded as a submission; it is killed if it scores below full marks. Only mutants inside the",
        "solution blocks count (the *skipped* ones are in provided code). *Equivalent* mutants behave like",
        "the reference (the reason for each is below); score = killed / (mutants - equivalent).",
        "",
        "cosmic-ray mutates operators, comparisons, numbers, booleans and loops, not calls or their",
        "arguments: a block made of calls (`target_network`) gets few mutants, and a dropped or swapped",
        "argument is never made. Rule (i) below probes that kind of bug separately.",
        "",
        "| part | operators | mutants | skipped (provided code) | killed | surviving | equivalent | score | learning checks | minutes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    totals = [0, 0, 0, 0, 0]
    survivors: list[tuple[str, dict]] = []
    for name in FAST_FIRST:
        if name not in results:
            continue
        entry = results[name]
        mutants = entry["mutants"]
        skipped = entry["skipped"]
        counted = mutants
        killed = sum(m["outcome"] == "killed" for m in counted)
        alive = [m for m in counted if m["outcome"] != "killed"]
        equivalent = sum(m["key"] in EQUIVALENT for m in alive)
        surviving = len(alive) - equivalent
        denominator = len(counted) - equivalent
        score = f"{killed / denominator:.0%}" if denominator else "-"
        learned = "run" if entry["learning_checks_run"] and learning_tests(name) else (
            "none" if not learning_tests(name) else "not run")
        operators = "all" if entry["all_operators"] else "natural"
        lines.append(f"| {name} | {operators} | {len(counted)} | {skipped} | {killed} | {surviving} | {equivalent} | {score} | "
                     f"{learned} | {entry['seconds'] / 60:.1f} |")
        for index, value in enumerate((len(counted), skipped, killed, surviving, equivalent)):
            totals[index] += value
        survivors += [(name, m) for m in alive]
    denominator = totals[0] - totals[4]
    minutes = sum(results[name]["seconds"] for name in FAST_FIRST if name in results) / 60
    lines.append(f"| **all** | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {totals[4]} | "
                 f"{totals[2] / denominator:.0%} | | {minutes:.1f} |" if denominator else "")
    lines += ["", "Minutes are wall-clock time on two shared cores at the lowest priority; a mutant costs one",
              "grading, most of it the start of a fresh worker (Python and torch)."]
    gaps = [(name, m) for name, m in survivors if m["key"] not in EQUIVALENT]
    equivalents = [(name, m) for name, m in survivors if m["key"] in EQUIVALENT]
    lines += ["", "## Surviving mutants: gaps in the grader", "",
              "Each is a bug the grader lets through at full marks, with the test that should catch it."]
    if any(m["outcome"] == "survived-deterministic" for _, m in survivors):
        lines += ["A survivor marked *learning checks not run* survived the deterministic tests; the part's",
                  "learning checks were skipped (`--no-learning`) and might still catch it."]
    lines += [""]
    lines += [_survivor_line(name, m, GAPS.get(m["key"], "NOT YET CLASSIFIED")) for name, m in gaps] or ["None."]
    lines += ["", "## Equivalent mutants", "", "Each behaves like the reference, for the reason given.", ""]
    lines += [_survivor_line(name, m, EQUIVALENT[m["key"]]) for name, m in equivalents] or ["None."]
    rules = results.get("rules")
    if rules:
        lines += _rules_section(rules)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _rules_section(rules: dict) -> list[str]:
    lines = ["", "## Rule (i): every argument of a student function changes some test's verdict", "",
             "Each setting a solution block reads (generator, sizes, coefficients, bounds, options; not the",
             "tensors and networks it works on, which every test varies) was frozen, one at a time, at the",
             "value of its first call in the grading (for `config`, field by field), as a student function",
             "that ignored it would behave. Graded on the deterministic tests; "
             f"{len(rules['arguments'])} variants, {sum(not entry['failed'] for entry in rules['arguments'])} "
             "keep full marks, so no test varies these in a way that matters:", ""]
    grouped: dict[tuple[str, str], list[str]] = {}  # (function, note) -> its arguments with that note
    for entry in rules["arguments"]:
        if not entry["failed"]:
            function = f"{entry['part']}.{entry['function']}"
            note = ARGUMENT_NOTES.get(f"{function}:{entry['argument']}", "NOT YET CLASSIFIED")
            grouped.setdefault((function, note), []).append(f"`{entry['argument']}`")
    lines += [f"- `{function}`, {', '.join(arguments)}: {note}"
              for (function, note), arguments in grouped.items()] or ["None."]
    lines += ["", "## Rule (ii): statistical checks test the batch jointly, not only pooled marginals", "",
              "Each variant below draws every single random value from the right distribution, so the",
              "shares pooled over rows, samples or calls look right, but it couples values that should",
              "be independent. Graded on the deterministic tests:", "",
              "| variant | part | verdict |", "|---|---|---|"]
    for entry in rules["joint"]:
        verdict = f"caught by the test \"{entry['failed']}\"" if entry["failed"] else "**full marks**"
        lines.append(f"| {entry['bug']} | {entry['part']} | {verdict} |")
    lines += ["", "Why the variants with full marks pass, and the joint test that would catch each:", ""]
    lines += [f"- {entry['bug']}: {JOINT_NOTES.get(entry['bug'], 'NOT YET CLASSIFIED')}"
              for entry in rules["joint"] if not entry["failed"]] or ["None."]
    lines += ["", f"(Both probes took {rules['seconds'] / 60:.1f} minutes.)"]
    return lines


def _survivor_line(part: str, mutant: dict, judgment: str) -> str:
    pending = " (learning checks not run)" if mutant["outcome"] == "survived-deterministic" else ""
    return (f"- `{part}` line {mutant['line']} ({mutant['function']}, {mutant['operator']}): "
            f"`{mutant['before']}` → `{mutant['after']}`{pending}. {judgment}")


# -- judgments of survivors, keyed by Mutant.key -------------------------------------------
SYMMETRIC_NOISE = (
    "The noise is drawn just above, from N(0, 1), and used only in this line: -z has the distribution of z, "
    "independently per row and dimension as before, so the actions have the reference's distribution (no test fixes "
    "exploration's values, only their distribution and that they depend only on rng).")

EQUIVALENT: dict[str, str] = {
    "epsilon_greedy: ReplaceComparisonOperator_Lt_LtE at `explore = rng.random(batch_size) < epsilon`:33":
        "rng.random draws from a continuum; it equals epsilon with probability about 1e-16 per draw.",
    'td_loss: ReplaceComparisonOperator_Eq_GtE at `if loss == "mse":`:8':
        "loss is checked to be 'huber' or 'mse' just before, and of these only 'mse' is >= 'mse'.",
    "n_step_targets: ReplaceBinaryOperator_Sub_RShift at `ended_before = (torch.cumsum(ended.long(), dim=1) - "
    "ended.long()) > 0`:50":
        "With c the running count of ended steps (an integer) and e in {0, 1}: c >> e > 0 exactly when c - e > 0.",
    "n_step_targets: ReplaceBinaryOperator_Sub_BitXor at `ended_before = (torch.cumsum(ended.long(), dim=1) - "
    "ended.long()) > 0`:50":
        "With c the running count of ended steps and e in {0, 1}, e = 1 only where c >= 1: c ^ e > 0 exactly when "
        "c - e > 0.",
    "n_step_targets: ReplaceComparisonOperator_Gt_NotEq at `ended = (window_terminated + window_truncated) > 0`:47":
        "The flags are 0 or 1, so their sum is never negative: != 0 is > 0.",
    "n_step_targets: ReplaceComparisonOperator_Gt_NotEq at `ended_before = (torch.cumsum(ended.long(), dim=1) - "
    "ended.long()) > 0`:66":
        "A running count minus its last term is never negative: != 0 is > 0.",
    "cem_argmax: ReplaceBinaryOperator_Add_Sub at `samples = torch.clamp(mean.unsqueeze(1) + std.unsqueeze(1) * noise, "
    "low, high)`:40":
        "The noise is drawn just above, from N(0, 1), and used only in this line: mean - std * z has the "
        "distribution of mean + std * z, so every iteration samples what a correct CEM samples.",
    "cem_argmax: ReplaceComparisonOperator_Gt_GtE at `improved = round_best > best_values`:22":
        "On an exact tie the later sample has the same value as the kept one: either is a best sample.",
    "train: NumberReplacer at `action = int(epsilon_greedy(q_values, epsilon, rng)[0])`:52 -> "
    "`action = int(epsilon_greedy(q_values, epsilon, rng)[ -1])`":
        "epsilon_greedy gets a batch of one observation here, so its last action is its first.",
    "choose_actions: ReplaceBinaryOperator_Add_Sub at `return torch.clamp(greedy + exploration_std * (high - low) / 2 "
    "* noise, low, high)`:26":
        SYMMETRIC_NOISE,
    "noisy_actions: ReplaceBinaryOperator_Add_Sub at `return torch.clamp(mu.detach() + noise_std * noise, low, high)`:31":
        SYMMETRIC_NOISE,
    'train: ReplaceComparisonOperator_Eq_LtE at `if config.target_update == "hard" and (step + 1) % '
    'config.target_update_every == 0:`:24':
        "target_update is 'hard' or 'polyak' (its docstring), and 'polyak' > 'hard': <= 'hard' is == 'hard'.",
    'train: ReplaceComparisonOperator_Eq_LtE at `if config.target_update == "hard" and (step + 1) % '
    'config.target_update_every == 0:`:78':
        "A remainder modulo a positive target_update_every is never negative: <= 0 is == 0.",
    'train: ReplaceComparisonOperator_Eq_GtE at `if config.target_update == "polyak":`:24':
        "target_update is 'hard' or 'polyak' (its docstring), and 'hard' < 'polyak': >= 'polyak' is == 'polyak'.",
    "exploration_actions: ReplaceBinaryOperator_Add_Sub at `return torch.clamp(actions + noise_std * noise, low, "
    "high)`:27":
        SYMMETRIC_NOISE,
    "exploration_actions: NumberReplacer at `noise = torch.as_tensor(rng.standard_normal((batch_size, low.shape[0])), "
    "dtype=torch.float32)`:67 -> `noise = torch.as_tensor(rng.standard_normal((batch_size, low.shape[ -1])), "
    "dtype=torch.float32)`":
        "low is one-dimensional ([A], checked by check_action_bounds), so shape[-1] is shape[0].",
}

GAPS: dict[str, str] = {
    # Each: the bug the mutant represents, and the test that should catch it.
}

ARGUMENT_NOTES: dict[str, str] = {
    # "part.function:argument": why no test varies it, and the bug that lets through.
}

JOINT_NOTES: dict[str, str] = {
    # JOINT_BUGS name: what the check pools, and the joint test that would catch the variant.
}


def save(results: dict) -> None:
    """The results file, one line per mutant or probe, so that a re-run's diff shows what changed."""
    def value(item) -> str:
        if isinstance(item, list) and item and all(isinstance(row, dict) for row in item):
            return "[\n" + ",\n".join(f"   {json.dumps(row)}" for row in item) + "\n  ]"
        return json.dumps(item)

    entries = [f" {json.dumps(name)}: {{\n" + ",\n".join(f"  {json.dumps(key)}: {value(item)}"
                                                         for key, item in entry.items()) + "\n }"
               for name, entry in results.items()]
    RESULTS.write_text("{\n" + ",\n".join(entries) + "\n}\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", default=list(FAST_FIRST), choices=[part.name for part in PARTS],
                        help="the parts to mutate (default: all, fastest first)")
    parser.add_argument("--no-learning", action="store_true",
                        help="skip the learning checks: survivors of the deterministic tests stay survivors")
    parser.add_argument("--report-only", action="store_true",
                        help=f"only rewrite {REPORT.name} from {RESULTS.name} (after editing the judgments)")
    parser.add_argument("--learning-on-survivors", action="store_true",
                        help="only run the learning checks on the survivors of an earlier --no-learning run")
    parser.add_argument("--rules", action="store_true",
                        help="instead of the mutants, grade the frozen-argument and joint-distribution variants")
    parser.add_argument("--all-operators", action="store_true",
                        help="every replacement of each operator, not only the natural one")
    args = parser.parse_args()

    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    if args.learning_on_survivors:
        for name in args.parts:
            if name in results and learning_tests(name) and not results[name]["learning_checks_run"]:
                results[name] = run_learning_on_survivors(results[name], log=lambda text: print(text, flush=True))
                save(results)
    elif args.rules:
        results["rules"] = run_rules(args.parts, log=lambda text: print(text, flush=True))
        save(results)
    elif not args.report_only:
        for name in args.parts:
            results[name] = run_part(name, learning=not args.no_learning, all_operators=args.all_operators,
                                     log=lambda text: print(text, flush=True))
            save(results)
    write_report(results, REPORT)
    print(f"wrote {REPORT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
