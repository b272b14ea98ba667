"""Part dqn: the DQN update: epsilon-greedy actions, the schedule, targets, the TD loss and one gradient step.

The student's module is ``assignments/dqn.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
