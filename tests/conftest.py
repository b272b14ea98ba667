"""The kit's tests run two at a time (pytest -n 2) on a machine of two cores: each grading
they start trains its learning runs one at a time (``DQKIT_JOBS=1``), unless a test asks
for more (``tests/test_parallel.py`` compares both ways)."""
import os

os.environ.setdefault("DQKIT_JOBS", "1")
