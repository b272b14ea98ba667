"""Part dqn_loop: the DQN training loop on CartPole-v1: acting, storing, training and target updates on schedule.

The student's module is ``assignments/dqn_loop.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
