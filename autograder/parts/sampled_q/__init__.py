"""Part sampled_q: sampling-based Q-learning: targets and greedy actions from a sampling maximizer, on Pendulum-v1.

The student's module is ``assignments/sampled_q.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
