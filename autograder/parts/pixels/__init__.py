"""Part pixels: Q-learning from pixels: frame max and preprocessing, reward clipping, frame stacking across episodes, a replay buffer that stores each frame once, and a convolutional Q-network.

The student's module is ``assignments/pixels.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
