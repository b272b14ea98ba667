"""Part cem: the cross-entropy method: refit a Gaussian to the elite samples, iteration after iteration.

The student's module is ``assignments/cem.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
