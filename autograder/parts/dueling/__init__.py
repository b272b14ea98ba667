"""Part dueling: the dueling architecture: a value and an advantage stream on a shared trunk, combined as V + A - mean A.

The student's module is ``assignments/dueling.py``; this folder holds how it is graded
(see ``autograder/parts/__init__.py`` for the files every part has)."""
