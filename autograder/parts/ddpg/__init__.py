"""Part ddpg: DDPG: a deterministic actor trained to maximize the critic, on Pendulum-v1.

The student's module is ``assignments/ddpg.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
