import importlib.util
import sys

# The kit runs only in its own environment. Outside it (a system Python, another virtual
# environment), say what is missing and how to get it, before anything could look like a
# verdict on the student's code.
REQUIRED = ("torch", "numpy", "gymnasium", "pytest", "tqdm")
missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
if missing:
    sys.exit(f"error: this Python ({sys.executable}) lacks {', '.join(missing)}, which the kit needs. "
             "Run the kit's commands through ./kit from the kit's folder (it sets up the environment "
             "in .venv the first time), or install requirements.txt into this Python "
             "(pip install -r requirements.txt). Nothing was graded.")

if sys.argv[1:2] == ["check"]:
    # The worker (Python and torch, seconds) loads while this process imports the grader.
    from autograder.selfcheck import launch_worker_early

    launch_worker_early(sys.argv[2:])

from autograder.cli import main  # noqa: E402

sys.exit(main())
