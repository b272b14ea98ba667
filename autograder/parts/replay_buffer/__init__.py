"""Part replay_buffer: the replay buffer: store transitions in a ring, sample uniform minibatches.

The student's module is ``assignments/replay_buffer.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
