"""Part n_step: N-step returns: the discounted sum of a window of rewards, stopped at an episode's end,
plus a bootstrap.

The student's module is ``assignments/n_step.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
