"""Grader tests: one module per part, in ``public/`` (shipped to students) and ``hidden/``."""
