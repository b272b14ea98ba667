"""A real nbgrader round trip: the kit builds a course directory, nbgrader generates the
student release from it, students submit, nbgrader autogrades, and the gradebook's scores
equal the kit's own grader's on the same modules. One student's modules print to stderr
and raise warnings at import, as torch and gymnasium sometimes do: that costs nothing."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import solution_cells
from autograder.grading import grade
from autograder.nbgrader_course import ASSIGNMENT, CODE_STUB, build_course, part_of
from autograder.parts import PARTS, part_named
from tests.mutants import MUTANTS, mutated_source

nbgrader_api = pytest.importorskip("nbgrader.api")

REPO = Path(__file__).resolve().parent.parent
NOISY_HEADER = (
    "import sys as _sys, warnings as _warnings\n"
    "print('a warning printed by a library', file=_sys.stderr)\n"
    "_warnings.warn('a library warning', UserWarning)\n"
)


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """The environment's ``nbgrader`` command, as the README tells instructors to run it: by
    its path, with the environment not activated (its folder not on PATH)."""
    commands = Path(sys.executable).parent
    path = os.pathsep.join(entry for entry in os.environ.get("PATH", "").split(os.pathsep)
                           if entry and Path(entry).resolve() != commands.resolve())
    completed = subprocess.run([str(commands / "nbgrader"), *args], cwd=course, capture_output=True,
                               text=True, timeout=1200, env={**os.environ, "PATH": path})
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    return completed


def students() -> dict[str, dict[str, str]]:
    """Student -> module file -> text."""
    reference = {part.filename: (REPO / "solutions" / part.filename).read_text() for part in PARTS}
    stubs = {part.filename: (REPO / "assignments" / part.filename).read_text() for part in PARTS}
    mutant = next(m for m in MUTANTS if m.part == "replay_buffer" and m.name == "samples_whole_capacity")
    header = "from __future__ import annotations\n"
    noisy = {name: text.replace(header, header + NOISY_HEADER, 1) for name, text in reference.items()}
    return {"ada": reference, "ben": stubs, "cy": {**reference, "replay_buffer.py": mutated_source(mutant)},
            "dee": noisy}


@pytest.mark.slow
def test_nbgrader_round_trip_gives_the_kits_scores(tmp_path):
    course = tmp_path / "course"
    # Three notebooks whose parts grade in seconds: the learning checks of the others would
    # make each autograde (and the kit's grading to compare with) take minutes.
    build_course(course, ["replay_buffer", "target_network", "double_dqn"])
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    notebooks = sorted(release.glob("*.ipynb"))
    assert notebooks
    for part in PARTS:  # the release holds the stubs, never the reference
        assert (release / part.filename).read_text() == (REPO / "assignments" / part.filename).read_text()
    for notebook in notebooks:
        text = notebook.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "YOUR ANSWER HERE" in text and "Model answer" not in text
        hidden = [entry for entry in part_named(part_of(notebook.stem)).tests("hidden").read_text().splitlines()
                  if entry.startswith("def test_")]
        assert hidden and not any(line[4:line.index("(")] in text for line in hidden)

    submitted_modules = {}
    for student, modules in students().items():
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(release, folder)
        for name, text in modules.items():
            (folder / name).write_text(text)
        submitted_modules[student] = folder
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", ASSIGNMENT)

    outcomes: dict[str, set[str]] = {}
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, folder in submitted_modules.items():
            for notebook in notebooks:
                part = part_named(part_of(notebook.stem))
                kit = grade(folder, [part])
                scored = gradebook.find_submission_notebook(notebook.stem, ASSIGNMENT, student)
                assert scored.max_code_score == kit.max_score
                assert scored.code_score == kit.score, f"{student}, {notebook.stem}: nbgrader {scored.code_score}, kit {kit.score}"
                if part.name == "replay_buffer":
                    outcomes.setdefault(student, set()).add(
                        "full" if kit.score == kit.max_score else "zero" if kit.score == 0 else "less")
    # On the replay buffer the four students span the outcomes: full marks, nothing, partial
    # (cy's bug), and full despite the noise.
    assert outcomes == {"ada": {"full"}, "ben": {"zero"}, "cy": {"less"}, "dee": {"full"}}
    autograded = json.loads((course / "autograded" / "cy" / ASSIGNMENT / notebooks[0].name).read_text())
    assert any("failed" in "".join(output.get("evalue", "") for output in cell.get("outputs", []))
               for cell in autograded["cells"]), "cy's failing test cell should say what failed"


def test_notebook_mode_release_keeps_the_instructions_and_drops_the_reference(tmp_path):
    """--edit notebooks: the solution cell of the source holds the reference between nbgrader's
    delimiters; nbgrader's release holds each block's TODO(student) line and the code stub."""
    course = tmp_path / "course"
    build_course(course, ["replay_buffer"], edit="notebooks")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    source = course / "source" / ASSIGNMENT / "01_replay_buffer.ipynb"
    released = course / "release" / ASSIGNMENT / "01_replay_buffer.ipynb"
    graded = [part.filename for part in PARTS]
    (module,) = solution_cells.extract([(source.name, source.read_bytes())], graded).modules.values()
    assert module.count("### BEGIN SOLUTION") == (REPO / "solutions" / "replay_buffer.py").read_text().count(
        "### BEGIN SOLUTION")
    (stub,) = solution_cells.extract([(released.name, released.read_bytes())], graded).modules.values()
    assert "SOLUTION" not in stub
    def todos(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip().startswith("# TODO(student):")]

    assert todos(stub) == todos((REPO / "assignments" / "replay_buffer.py").read_text())
    assert stub.count(CODE_STUB) == len(todos(stub)) > 0
    compile(stub, "replay_buffer.py", "exec")


@pytest.mark.slow
def test_notebook_mode_round_trip_grades_the_saved_cells(tmp_path):
    """Two students hand in the notebook without running its cell: one filled it with the
    reference, one left the stub. nbgrader's scores are the kit's: full marks and zero."""
    course = tmp_path / "course"
    build_course(course, ["replay_buffer"], edit="notebooks")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT
    notebook = release / "01_replay_buffer.ipynb"
    for student in ("ada", "ben"):
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(release, folder)
        if student == "ada":
            data = json.loads(notebook.read_text())
            for cell in data["cells"]:
                if "".join(cell["source"]).startswith(solution_cells.MAGIC):
                    cell["source"] = solution_cells.cell_source(
                        "replay_buffer.py", (REPO / "solutions" / "replay_buffer.py").read_text())
            (folder / notebook.name).write_text(json.dumps(data))
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", ASSIGNMENT)
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {student: gradebook.find_submission_notebook(notebook.stem, ASSIGNMENT, student)
                  for student in ("ada", "ben")}
        kit = {student: grade(course / "submitted" / student / ASSIGNMENT, [part_named("replay_buffer")])
               for student in ("ada", "ben")}
        assert scores["ada"].code_score == kit["ada"].score == kit["ada"].max_score > 0
        assert scores["ben"].code_score == kit["ben"].score == 0
