"""Part random_shooting: random shooting: the best of uniform samples as the argmax of Q over a box of actions.

The student's module is ``assignments/random_shooting.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
