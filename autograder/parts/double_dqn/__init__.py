"""Part double_dqn: double Q-learning targets: choose with the online network, evaluate with the target network.

The student's module is ``assignments/double_dqn.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
